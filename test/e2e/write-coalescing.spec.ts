import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { WampGateway, WampPublisher } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp } from '../support/test-app.js';

@Controller()
class EchoController {
  @MessagePattern('test.echo')
  echo(@Payload() payload: { kwargs: { n: number } }): number {
    return payload.kwargs.n;
  }
}

/** The TCP socket under a `ws` client (ws keeps it in a private field). */
function tcpSocketOf(client: RawWampClient): Socket {
  return (client.socket as unknown as { _socket: Socket })._socket;
}

describe('write coalescing on real sockets', () => {
  it('answers a burst of CALLs read at once with one socket write, and loses none', async () => {
    const running = await startApp({ controllers: [EchoController] });
    const serverSockets: Socket[] = [];
    (running.app.getHttpServer() as Server).on('connection', (socket: Socket) => serverSockets.push(socket));
    try {
      const { client } = await RawWampClient.join(running.url);
      expect(serverSockets).toHaveLength(1);
      // Warm-up: the first calls through a fresh app run cold code (JIT, Nest's lazy set-up), and a read whose
      // messages take over the 5 ms read budget is spread over several turns by design (fair reading), each
      // with its own write. Measured below is the warm path.
      for (let n = 1; n <= 10; n++) client.send([48, 100 + n, {}, 'test.echo', [], { n }]);
      for (let n = 1; n <= 10; n++) await client.next();
      const serverSocket = serverSockets[0]! as Socket & {
        _write: (...args: unknown[]) => void;
        _writev: (...args: unknown[]) => void;
      };
      let writes = 0;
      let reads = 0;
      for (const method of ['_write', '_writev'] as const) {
        const original = serverSocket[method];
        serverSocket[method] = function (this: Socket, ...args: unknown[]) {
          writes++;
          return original.apply(this, args);
        };
      }
      serverSocket.on('data', () => reads++);

      // Ten CALL frames leave the client in one TCP write, so the server reads them together.
      const clientSocket = tcpSocketOf(client);
      clientSocket.cork();
      for (let n = 1; n <= 10; n++) client.send([48, n, {}, 'test.echo', [], { n }]);
      clientSocket.uncork();
      const results: unknown[] = [];
      for (let n = 1; n <= 10; n++) results.push(await client.next());
      expect(results).toEqual(Array.from({ length: 10 }, (_, index) => [50, index + 1, {}, [index + 1]]));
      // Without coalescing that is one write per RESULT (10 for one read); with it, one per read, plus one
      // when a pause (a GC on a loaded machine) runs the read past its budget and splits it over two turns.
      expect(reads).toBeGreaterThanOrEqual(1);
      expect(writes).toBeLessThanOrEqual(reads + 1);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('a burst bigger than outboundBufferLimit in one tick reaches a subscriber that reads: nothing dropped', async () => {
    const limit = 64 * 1024;
    const running = await startApp({ wamp: { outboundBufferLimit: limit } });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([32, 1, {}, 'burst.topic']);
      expect(((await client.next()) as unknown[]).slice(0, 2)).toEqual([33, 1]);
      const publisher = running.app.get(WampPublisher);
      const payload = 'x'.repeat(2048);
      const total = 200; // about 400 KiB in one synchronous loop: six times the limit
      for (let index = 0; index < total; index++) publisher.publish('burst.topic', [index, payload]);
      const received: number[] = [];
      for (let index = 0; index < total; index++) {
        const event = (await client.next(5000)) as unknown[];
        received.push((event[4] as unknown[])[0] as number);
      }
      expect(received).toEqual(Array.from({ length: total }, (_, index) => index));
      const connection = running.app.get(WampGateway).endpoint!.openConnections[0]!;
      expect(connection.droppedEvents).toBe(0);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });
});

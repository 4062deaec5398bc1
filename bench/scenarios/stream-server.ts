/**
 * The progressive-results scenario's server, run as its own process by bench/scenarios/stream.ts:
 *   node --import @swc-node/register/esm-register bench/scenarios/stream-server.ts <raw-ws|wamp>
 * Listens on 127.0.0.1 (free port), prints `READY <port>` on stdout, and exits when its stdin closes (the
 * orchestrator went away) or after a watchdog. Both variants answer the same CALL-shaped frame,
 * `[48, request, {receive_progress: true}, 'bench.stream', [], {count}]`, with the same frames:
 * `[50, request, {progress: true}, [v]]` for v = 1 .. count - 1, then `[50, request, {}, [count]]`.
 */
import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { AddressInfo } from 'node:net';
import { range, type Observable } from 'rxjs';
import { WebSocketServer } from 'ws';
import type { WampCallPayload } from '../../lib/index.js';
import { announceReady, exitWithOrchestrator, runServerMain } from '../child-process.js';
import { portOf, startWampApp } from '../nest-apps.js';

/** The server variants of the stream scenario. */
export const STREAM_VARIANTS = ['raw-ws', 'raw-ws-corked', 'wamp'] as const;
/** One of {@link STREAM_VARIANTS}. */
export type StreamVariant = (typeof STREAM_VARIANTS)[number];

const PROCEDURE = 'bench.stream';
const REALM = 'realm1';

/**
 * A Nest handler returning an Observable: with `receive_progress` every value but the last becomes a
 * progressive RESULT and the last one the final RESULT (the router holds one value back to know which).
 */
@Controller()
class StreamController {
  @MessagePattern(PROCEDURE)
  stream(@Payload() payload: WampCallPayload): Observable<number> {
    return range(1, (payload.kwargs as { count: number }).count);
  }
}

/**
 * The baselines on raw `ws`: a streaming server that JSON.stringify's every frame on its own and sends the
 * same frames (shape and count) as the router, so the generator does identical work for every variant.
 * - naive (`corked` false): one `send` per frame, hence one write system call per frame;
 * - `corked`: the TCP socket is corked around the loop, so the call's frames leave in one write. The router
 *   coalesces the writes of one event-loop turn the same way, so this is the limit to compare it with.
 */
function startRawWs(corked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (socket, request) => {
      const wire = request.socket;
      socket.on('message', (data: Buffer) => {
        // [48, request, options, procedure, args, kwargs]
        const message = JSON.parse(data.toString()) as [number, number, object, string, unknown[], { count: number }];
        const id = message[1];
        const count = message[5].count;
        if (corked) wire.cork();
        for (let value = 1; value < count; value++) socket.send(JSON.stringify([50, id, { progress: true }, [value]]));
        socket.send(JSON.stringify([50, id, {}, [count]]));
        if (corked) wire.uncork();
      });
    });
    server.on('listening', () => resolve((server.address() as AddressInfo).port));
  });
}

/** nestjs-wamp as documented: the module on the app's HTTP server, the transport serving the controller. */
async function startWamp(): Promise<number> {
  return portOf(await startWampApp({ realms: [REALM] }, [StreamController]));
}

async function main(): Promise<void> {
  const variant = process.argv[2] as StreamVariant;
  let port: number;
  switch (variant) {
    case 'raw-ws':
      port = await startRawWs(false);
      break;
    case 'raw-ws-corked':
      port = await startRawWs(true);
      break;
    case 'wamp':
      port = await startWamp();
      break;
    default:
      throw new Error(`unknown stream variant ${String(variant)}; one of ${STREAM_VARIANTS.join(', ')}`);
  }
  announceReady(port);
}

// Exits when the orchestrator goes away (stdin closed), and after 10 min at most (BENCH_SERVER_MAX_MS overrides it).
exitWithOrchestrator(10 * 60_000);
runServerMain(main);

import { connect, type Socket } from 'node:net';
import { WampGateway } from '../../lib/index.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { CanaryController, startCanary, type CanaryReport } from './support/canary.js';
import { mb, peakSampler, settledMemory, sleep, waitFor } from './support/measure.js';

/**
 * Attacks on the RawSocket transport (its own port and the shared HTTP port), each with the canary (a
 * WebSocket session calling every 5 ms and receiving events every 10 ms) running throughout, and the
 * process's memory measured (the router runs in this process; the attackers are raw sockets that read
 * nothing unless said). Every loop is bounded in count and time; every socket is on 127.0.0.1.
 */

const figures: string[] = [];
afterAll(() => {
  process.stdout.write(
    [
      '',
      'RawSocket attacks',
      '| attack | outcome | memory Δ (peak heap+external) | canary p99 / max |',
      '|---|---|---|---|',
      ...figures,
      '',
    ].join('\n'),
  );
});

const HANDSHAKE_TIMEOUT = 1000;

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

function closed(socket: Socket): Promise<void> {
  return socket.destroyed
    ? Promise.resolve()
    : new Promise((resolve) => socket.once('close', () => resolve()));
}

const HANDSHAKE = Buffer.from([0x7f, 0xf1, 0, 0]);

describe('RawSocket attacks', () => {
  let running: RunningApp;
  let port: number;

  beforeAll(async () => {
    running = await startApp({
      wamp: {
        rawSocket: { port: 0, host: '127.0.0.1', shareHttpPort: true, handshakeTimeout: HANDSHAKE_TIMEOUT },
        helloTimeout: 2000,
      },
      controllers: [CanaryController],
    });
    const address = running.app.get(WampGateway).rawSocketAddresses[0];
    port = Number(address.split(':').at(-1));
  });
  afterAll(async () => {
    await running.app.close();
  });

  /** Runs `attack` with the canary and memory sampling; returns the canary's report and the peak memory Δ. */
  async function withCanary(attack: () => Promise<void>): Promise<{ canary: CanaryReport; peakMb: number }> {
    const canary = await startCanary(running.url);
    await sleep(100);
    const before = await settledMemory();
    const sampler = peakSampler();
    try {
      await attack();
    } finally {
      sampler.stop();
    }
    const peak = sampler.stop();
    const report = await canary.stop();
    expect({ failures: report.failures, errors: report.errors, gaps: report.eventGaps }).toEqual({
      failures: 0,
      errors: [],
      gaps: 0,
    });
    return { canary: report, peakMb: mb(peak.heapUsed - before.heapUsed) };
  }

  it('lying lengths: 500 connections announce a 2 MiB frame and send 1 KiB of it: memory follows the bytes sent (control: the same bytes as complete frames)', async () => {
    const count = 500;
    const payload = Buffer.alloc(1024, 0x20);
    const run = async (lie: boolean): Promise<{ canary: CanaryReport; peakMb: number }> =>
      withCanary(async () => {
        const sockets: Socket[] = [];
        for (let index = 0; index < count; index++) {
          const socket = await open(port);
          sockets.push(socket);
          const length = lie ? 2 * 1024 * 1024 : payload.length;
          socket.write(
            Buffer.concat([
              HANDSHAKE,
              Buffer.from([0, length >> 16, (length >> 8) & 0xff, length & 0xff]),
              payload,
            ]),
          );
        }
        await sleep(300);
        for (const socket of sockets) socket.destroy();
        await sleep(100);
      });
    const control = await run(false);
    const attack = await run(true);
    // 500 x 2 MiB announced would be 1 GB; held: 500 x (a 4 KiB start buffer + the chunk), a few MB.
    expect(attack.peakMb).toBeLessThan(control.peakMb + 16);
    expect(attack.canary.max).toBeLessThan(Math.max(5 * control.canary.max, 100));
    figures.push(
      `| lying lengths (500 x a 2 MiB frame announced, 1 KiB sent) | held what was sent | ${attack.peakMb} MB (control, complete 1 KiB frames: ${control.peakMb} MB) | ${attack.canary.p99} / ${attack.canary.max} ms (control ${control.canary.p99} / ${control.canary.max} ms) |`,
    );
  }, 60_000);

  it('handshake slowloris: 200 connections sending one byte of the handshake a second are cut at handshakeTimeout', async () => {
    const { canary, peakMb } = await withCanary(async () => {
      const sockets = await Promise.all(Array.from({ length: 200 }, () => open(port)));
      const started = performance.now();
      for (const socket of sockets) socket.write(Buffer.from([0x7f]));
      const trickle = setInterval(() => {
        for (const socket of sockets) if (!socket.destroyed) socket.write(Buffer.from([0xf1]));
      }, 1000);
      try {
        expect(
          await waitFor(
            () => sockets.every((socket) => socket.destroyed || socket.readableEnded),
            HANDSHAKE_TIMEOUT + 1500,
          ),
        ).toBe(true);
      } finally {
        clearInterval(trickle);
      }
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT - 50);
      for (const socket of sockets) socket.destroy();
    });
    figures.push(
      `| handshake slowloris (200 x 1 byte a second) | all cut at handshakeTimeout (${HANDSHAKE_TIMEOUT} ms in the test) | ${peakMb} MB | ${canary.p99} / ${canary.max} ms |`,
    );
  }, 30_000);

  it('PING flood without reading the PONGs: the connection is cut once its PONGs queue past the announced maximum', async () => {
    const { canary, peakMb } = await withCanary(async () => {
      const socket = await open(port);
      socket.pause(); // never reads the handshake answer or any PONG
      socket.write(HANDSHAKE);
      const ping = Buffer.concat([Buffer.from([1, 0, 0xff, 0xff]), Buffer.alloc(0xffff, 0x61)]);
      let sent = 0;
      const started = performance.now();
      while (!socket.destroyed && sent < 20_000 && performance.now() - started < 10_000) {
        if (!socket.write(ping)) await new Promise((resolve) => setTimeout(resolve, 1));
        sent++;
        if (sent % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await closed(socket);
      figures.push(
        `| PING flood (64 KiB PINGs, PONGs never read) | cut after ${sent} PINGs (${Math.round(sent / 16)} MB sent) | – | – |`,
      );
    });
    figures.push(`| (PING flood, measured) | | ${peakMb} MB | ${canary.p99} / ${canary.max} ms |`);
  }, 30_000);

  it('garbage on the shared HTTP port: 300 connections sending 0x7F then bad octets get the spec error or a close; HTTP is unaffected', async () => {
    const { canary, peakMb } = await withCanary(async () => {
      const sockets = await Promise.all(Array.from({ length: 300 }, () => open(running.port)));
      const answers = sockets.map((socket) => {
        const received: number[] = [];
        socket.on('data', (chunk: Buffer) => received.push(...chunk));
        return received;
      });
      sockets.forEach((socket, index) =>
        socket.write(Buffer.from([0x7f, index % 2 ? 0xff : 0xf1, 0xff, 0xff])),
      );
      await Promise.all(sockets.map(closed));
      // Reserved octets set: error 3, whatever the serializer asked for.
      expect(answers.every((received) => received.join() === [0x7f, 0x30, 0, 0].join())).toBe(true);
      const response = await fetch(`http://127.0.0.1:${running.port}/nothing-here`);
      expect(response.status).toBe(404);
    });
    figures.push(
      `| garbage handshakes on the HTTP port (300, reserved octets set) | each answered error 3 (0x7F 0x30), closed; HTTP still answers | ${peakMb} MB | ${canary.p99} / ${canary.max} ms |`,
    );
  }, 30_000);
});

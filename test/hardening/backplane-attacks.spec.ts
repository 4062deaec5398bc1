import 'reflect-metadata';
import type { WampBackplane } from '../../lib/core/index.js';
import { SERVER_ENGINES } from '../support/backplane-servers.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import {
  failOnUnhandledRejections,
  figuresTable,
  judge,
  measured,
  type Figure,
} from './support/attack-control.js';

/**
 * The backplane attacked (issue 17), on each engine (Redis, NATS):
 * - a client on instance B pipelines a burst of publications that instance A receives through the server, each
 *   fanned out to 20 subscribers on A, while the canary runs on A. The control sends the same bytes to A
 *   directly, without a backplane (where fair reading spreads them). A delivers what it reads for at most 5 ms
 *   per turn of its event loop;
 * - 40 sessions on B pipeline 5,000 CALLs to a client callee on A;
 * - a client registers procedures whose URIs are as long as allowed and made of multi-byte characters: each
 *   becomes a claim key (on NATS part of a subject, where a protocol line beyond 4 KiB makes the server drop the
 *   connection, which would cut the whole instance off). The control registers ASCII URIs of the same length.
 */

const figures: Figure[] = [];

failOnUnhandledRejections();

afterAll(() => {
  process.stdout.write(figuresTable('Backplane attacks', figures));
});

const BURST = 5_000;
/** Readers of the topic on the target instance: each entry read from Redis fans out to all of them. */
const READERS = 20;

/** Reads the whole burst, in order, and closes. */
async function readAll(reader: RawWampClient): Promise<void> {
  for (let index = 0; index < BURST; index++) {
    const event = (await reader.next(30_000)) as [number, number, number, object, [string, number]];
    if (event[0] !== 36 || event[4][1] !== index) {
      throw new Error(`event ${index}: ${JSON.stringify(event).slice(0, 100)}`);
    }
  }
  reader.terminate();
}

/** {@link READERS} readers on `target` take every event of the burst that a client on `source` publishes. */
async function burst(target: RunningApp, source: RunningApp): Promise<void> {
  const readers: RawWampClient[] = [];
  for (let index = 0; index < READERS; index++) {
    const { client: reader } = await RawWampClient.join(target.url);
    reader.send([32, 1, {}, 'com.burst.topic']);
    expect(((await reader.next()) as number[])[0]).toBe(33);
    readers.push(reader);
  }
  await new Promise((resolve) => setTimeout(resolve, 1200)); // the subscriptions reach every instance's reader
  const reading = readers.map(readAll);
  const { client: attacker } = await RawWampClient.join(source.url);
  for (let index = 0; index < BURST; index++) {
    attacker.send([16, index + 1, {}, 'com.burst.topic', ['x'.repeat(150), index]]);
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(reading);
  attacker.terminate();
}

const CALLERS = 40;
const CALLS_PER_CALLER = 125;

/**
 * {@link CALLERS} sessions on `source` pipeline {@link CALLS_PER_CALLER} CALLs each (5,000 with 300-byte
 * arguments) to a client callee on `target`, which answers every INVOCATION as it arrives. Every CALL must be
 * answered exactly once: RESULT, or a refusal of the per-callee invocation limit.
 */
async function callFlood(target: RunningApp, source: RunningApp): Promise<void> {
  const { client: callee } = await RawWampClient.join(target.url);
  callee.send([64, 1, {}, 'com.flood.echo']);
  expect(((await callee.next()) as number[])[0]).toBe(65);
  let answering = true;
  const serving = (async () => {
    while (answering) {
      const invocation = (await callee.next(100).catch(() => undefined)) as unknown[] | undefined;
      if (invocation?.[0] === 68) callee.send([70, invocation[1], {}, invocation[4]]);
    }
  })();
  const callers: RawWampClient[] = [];
  for (let index = 0; index < CALLERS; index++) callers.push((await RawWampClient.join(source.url)).client);
  // The registration reaches the caller's instance.
  for (let request = 1_000_000; ; request++) {
    callers[0].send([48, request, {}, 'com.flood.echo', ['probe']]);
    const answer = (await callers[0].next(5000)) as unknown[];
    if (answer[0] === 50) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const answered = callers.map(async (caller) => {
    for (let request = 1; request <= CALLS_PER_CALLER; request++) {
      caller.send([48, request, {}, 'com.flood.echo', ['y'.repeat(300), request]]);
    }
    const seen = new Set<number>();
    while (seen.size < CALLS_PER_CALLER) {
      const answer = (await caller.next(30_000)) as unknown[];
      const request = answer[answer[0] === 8 ? 2 : 1] as number;
      if (seen.has(request)) throw new Error(`request ${request} answered twice`);
      if (answer[0] === 8 && answer[4] !== 'nestjs_wamp.error.too_many_invocations') {
        throw new Error(`unexpected ${JSON.stringify(answer).slice(0, 120)}`);
      }
      seen.add(request);
    }
    caller.terminate();
  });
  await Promise.all(answered);
  answering = false;
  callee.terminate();
  await serving;
}

const URIS = 50;

/**
 * A client on `target` registers {@link URIS} procedures named `uri(index)`, each answered REGISTERED; a caller on
 * `source` then reaches one of them through the backplane; `target`'s backplane never lost its server meanwhile.
 */
async function longUris(
  target: RunningApp,
  source: RunningApp,
  backplane: WampBackplane,
  uri: (index: number) => string,
): Promise<void> {
  const losses: boolean[] = [];
  const stop = backplane.onConnectionChange?.((connected) => losses.push(connected));
  try {
    const { client: callee } = await RawWampClient.join(target.url);
    for (let index = 0; index < URIS; index++) callee.send([64, index + 1, {}, uri(index)]);
    for (let index = 0; index < URIS; index++) {
      const answer = (await callee.next(10_000)) as unknown[];
      if (answer[0] !== 65) throw new Error(`REGISTER answered ${JSON.stringify(answer).slice(0, 120)}`);
    }
    const { client: caller } = await RawWampClient.join(source.url);
    for (let request = 1; ; request++) {
      caller.send([48, request, {}, uri(URIS - 1), ['reached']]);
      const answer = (await Promise.race([callee.next(5000), caller.next(5000)])) as unknown[];
      if (answer[0] === 68) {
        callee.send([70, answer[1], {}, answer[4]]);
        expect(await caller.next(5000)).toEqual([50, request, {}, ['reached']]);
        break;
      }
      // The registration had not reached B yet.
      expect(answer.slice(0, 5)).toEqual([8, 48, request, {}, 'wamp.error.no_such_procedure']);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    caller.terminate();
    callee.terminate();
    expect(losses).toEqual([]);
  } finally {
    stop?.();
  }
}

for (const engine of SERVER_ENGINES) {
  if (engine.skip) {
    it.skip(`[skipped: ${engine.skip}] backplane attacks on ${engine.name}`, () => undefined);
    continue;
  }
  describe(`backplane attacks on ${engine.name}, each against its control`, () => {
    let server: { url: string; kill(): Promise<void> };
    beforeAll(async () => {
      server = await engine.start();
    });
    afterAll(async () => {
      await server.kill();
    });

    it(`5,000 pipelined PUBLISHes through ${engine.name} to 20 subscribers on another instance (control: straight to it)`, async () => {
      const backplane = (): WampBackplane => engine.backplane(server.url, { prefix: 'attack' });
      const under = await measured({ wamp: { backplane: backplane() } }, async (running) => {
        const other = await startApp({ wamp: { backplane: backplane() } });
        try {
          await burst(running, other);
        } finally {
          await other.app.close();
        }
      });
      const control = await measured({}, (running) => burst(running, running));
      judge(
        figures,
        `5,000 PUBLISHes pipelined on instance B, fanned out to 20 subscribers on A through ${engine.name} (control: on A, no backplane)`,
        'all 100,000 EVENTs in order',
        under,
        control,
      );
    }, 120_000);

    it(`5,000 CALLs pipelined on instance B to a callee on A through ${engine.name} (control: all on A)`, async () => {
      const backplane = (): WampBackplane => engine.backplane(server.url, { prefix: 'attack-calls' });
      const under = await measured({ wamp: { backplane: backplane() } }, async (running) => {
        const other = await startApp({ wamp: { backplane: backplane() } });
        try {
          await callFlood(running, other);
        } finally {
          await other.app.close();
        }
      });
      const control = await measured({}, (running) => callFlood(running, running));
      judge(
        figures,
        `5,000 CALLs from 40 sessions on instance B to a client callee on A through ${engine.name} (control: on A, no backplane)`,
        'every CALL answered once',
        under,
        control,
      );
    }, 120_000);

    it(`${URIS} REGISTERs of 1,024-character URIs of multi-byte characters on ${engine.name} (control: ASCII URIs as long)`, async () => {
      const run = async (prefix: string, uri: (index: number) => string) => {
        const backplane = engine.backplane(server.url, { prefix });
        return measured({ wamp: { backplane, strictUris: false } }, async (running) => {
          const other = await startApp({
            wamp: { backplane: engine.backplane(server.url, { prefix }), strictUris: false },
          });
          try {
            await longUris(running, other, backplane, uri);
          } finally {
            await other.app.close();
          }
        });
      };
      const suffix = (index: number) => `.${String(index).padStart(3, '0')}`;
      const under = await run('attack-uris', (index) => '€'.repeat(1020) + suffix(index));
      const control = await run('attack-uris-control', (index) => 'a'.repeat(1020) + suffix(index));
      judge(
        figures,
        `${URIS} REGISTERs of 1,024-character URIs of "€" (3 bytes each) through ${engine.name} (control: ASCII URIs as long)`,
        'every REGISTER registered, a call from another instance reaches one, the backplane never lost its server',
        under,
        control,
      );
    }, 120_000);
  });
}

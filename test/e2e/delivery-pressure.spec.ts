import { Controller } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import type { WampSession } from '../../lib/core/index.js';
import {
  WampContext,
  WampProcedure,
  WampPublisher,
  WampRouter,
  type WebSocketConnection,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Delivery under pressure, the parts a client or server code sees directly (the bursts, 1,000 and 2,000
 * subscribers and the memory bounds are in test/hardening/delivery-pressure.spec.ts): server-side publishers'
 * signal, and RPC messages to peers that do not read.
 */

const KIB = 1024;
const TIMEOUT = 500;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An app handler streaming 64 KiB progressive results every 5 ms until its call is aborted. */
@Controller()
class ProducerController {
  static aborted = 0;
  static sent = 0;

  @WampProcedure('pressure.produce')
  async produce(@Ctx() ctx: WampContext): Promise<string> {
    const chunk = 'r'.repeat(64 * KIB);
    for (let index = 0; index < 2000 && !ctx.signal.aborted; index++) {
      ctx.progress(index, chunk);
      ProducerController.sent++;
      await sleep(5);
    }
    if (ctx.signal.aborted) ProducerController.aborted++;
    return 'done';
  }
}

async function until(condition: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('delivery under pressure (express, low 16 KiB, high 64 KiB, cap 4 MiB, slowConsumerTimeout 500 ms)', () => {
  let running: RunningApp;
  const clients: RawWampClient[] = [];

  /** Joins realm1 with every role; a callee announcing call canceling and progressive results. */
  async function join(): Promise<{ client: RawWampClient; session: number }> {
    const client = await RawWampClient.connect(running.url);
    clients.push(client);
    client.send([
      1,
      'realm1',
      {
        roles: {
          caller: { features: { progressive_call_results: true } },
          callee: { features: { call_canceling: true, progressive_call_results: true } },
          publisher: {},
          subscriber: {},
        },
      },
    ]);
    const welcome = (await client.next()) as unknown[];
    expect(welcome[0]).toBe(2);
    return { client, session: welcome[1] as number };
  }

  function sessionOpen(session: number): boolean {
    return running.app.get(WampRouter).realms.get('realm1')?.sessions.get(session) !== undefined;
  }

  beforeAll(async () => {
    running = await startApp({
      wamp: {
        outboundLowWaterMark: 16 * KIB,
        outboundHighWaterMark: 64 * KIB,
        outboundBufferLimit: 4096 * KIB,
        slowConsumerTimeout: TIMEOUT,
      },
      controllers: [ProducerController],
    });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
  });
  afterAll(async () => {
    await running.app.close();
  });

  it('server-side publishing: needsDrain while a subscriber that reads is behind, drained() once it caught up, nothing lost', async () => {
    const { client } = await join();
    client.send([32, 1, {}, 'pressure.server']);
    expect(((await client.next()) as unknown[]).slice(0, 2)).toEqual([33, 1]);
    const publisher = running.app.get(WampPublisher);
    expect(publisher.needsDrain).toBe(false);
    await expect(publisher.drained()).resolves.toBeUndefined();

    client.socket.pause();
    const payload = 'x'.repeat(64 * KIB);
    let published = 0;
    // The kernel's buffers take the first megabytes; then the router's queue grows past the high-water mark.
    while (!publisher.needsDrain && published < 2000) {
      publisher.publish('pressure.server', [published++, payload]);
      if (published % 16 === 0) await sleep(1);
    }
    expect(publisher.needsDrain).toBe(true);
    let drained = false;
    const whenDrained = publisher.drained().then(() => (drained = true));
    expect(drained).toBe(false);
    client.socket.resume();
    await whenDrained;
    expect(publisher.needsDrain).toBe(false);
    const sequence: number[] = [];
    while (sequence.length < published) {
      const event = (await client.next(5000)) as unknown[];
      expect(event[0]).toBe(36);
      sequence.push((event[4] as number[])[0]);
    }
    expect(sequence).toEqual([...Array(published).keys()]);
  });

  it('a caller that stops reading its progressive results is closed when its time is up; the callee gets INTERRUPT', async () => {
    const callee = await join();
    callee.client.send([64, 1, {}, 'pressure.stream']);
    expect(((await callee.client.next()) as unknown[]).slice(0, 2)).toEqual([65, 1]);
    const caller = await join();
    caller.client.send([48, 7, { receive_progress: true }, 'pressure.stream']);
    const invocation = (await callee.client.next()) as unknown[];
    expect(invocation[0]).toBe(68);
    const request = invocation[1] as number;

    caller.client.socket.pause();
    // 8 MiB of progress: past what loopback's kernel buffers take (about 4 MB here) and the low-water mark,
    // under four times the cap (which would close it at once).
    const chunk = 'p'.repeat(64 * KIB);
    for (let index = 0; index < 128; index++)
      callee.client.send([70, request, { progress: true }, [index, chunk]]);
    const started = performance.now();
    await until(() => !sessionOpen(caller.session), TIMEOUT + 1000, 'the caller to be closed');
    const closedAfter = performance.now() - started;
    expect(closedAfter).toBeGreaterThanOrEqual(TIMEOUT - 100);
    const interrupt = (await callee.client.next(2000)) as unknown[];
    expect(interrupt.slice(0, 2)).toEqual([69, request]);
  });

  it("an app handler's progressive results to a caller that stops reading: the caller is closed when its time is up, the handler's signal fires", async () => {
    const caller = await join();
    caller.client.send([48, 3, { receive_progress: true }, 'pressure.produce']);
    const first = (await caller.client.next()) as unknown[];
    expect(first.slice(0, 3)).toEqual([50, 3, { progress: true }]);
    caller.client.socket.pause();
    const session = running.app
      .get(WampRouter)
      .realms.get('realm1')
      ?.sessions.get(caller.session) as WampSession;
    const connection = session.connection as WebSocketConnection;
    let peak = 0;
    const started = performance.now();
    await until(
      () => {
        peak = Math.max(peak, connection.socket.bufferedAmount);
        return !sessionOpen(caller.session);
      },
      TIMEOUT + 5000,
      'the caller to be closed',
    );
    await until(() => ProducerController.aborted === 1, 1000, "the handler's signal");
    // Past what the kernel took (the first megabytes), then the timeout above the low-water mark: well under
    // four times the cap, and the handler stopped producing.
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT - 100);
    expect(peak).toBeLessThan(4 * 4096 * KIB);
    const sent = ProducerController.sent;
    await sleep(50);
    expect(ProducerController.sent).toBe(sent);
  });

  it('a callee that stops reading its invocations is closed when its time is up; every caller gets ERROR wamp.error.canceled (or no_such_procedure for a call read after the cut)', async () => {
    const callee = await join();
    callee.client.send([64, 1, {}, 'pressure.work']);
    expect(((await callee.client.next()) as unknown[]).slice(0, 2)).toEqual([65, 1]);
    callee.client.socket.pause();
    const caller = await join();
    // 11 MB of invocations: past the kernel's buffers, under four times the cap; within maxCallsPerSession.
    const argument = 'a'.repeat(96 * KIB);
    const calls = 120;
    for (let index = 1; index <= calls; index++)
      caller.client.send([48, index, {}, 'pressure.work', [argument]]);
    const started = performance.now();
    const answers: unknown[][] = [];
    while (answers.length < calls) answers.push((await caller.client.next(TIMEOUT + 3000)) as unknown[]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT - 100);
    // Every call is answered once. The calls the router had routed when the callee was cut get
    // wamp.error.canceled; on a loaded machine the router may still be reading the last of the 11 MB then,
    // and a call it reads after the cut finds no callee: wamp.error.no_such_procedure, as the spec says.
    expect(answers.map((answer) => answer[2]).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: calls }, (_, index) => index + 1),
    );
    const outcomes = answers.map((answer) => `${answer[0]} ${answer[4]}`);
    const canceled = outcomes.filter((outcome) => outcome === '8 wamp.error.canceled').length;
    expect(canceled).toBeGreaterThan(0);
    expect(outcomes).toEqual([
      ...Array.from({ length: canceled }, () => '8 wamp.error.canceled'),
      ...Array.from({ length: calls - canceled }, () => '8 wamp.error.no_such_procedure'),
    ]);
    expect(sessionOpen(callee.session)).toBe(false);
    expect(sessionOpen(caller.session)).toBe(true);
  });
});

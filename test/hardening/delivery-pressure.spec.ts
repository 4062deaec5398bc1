import { WampRouter, type WampModuleOptions } from '../../lib/index.js';
import { WampGateway, type WebSocketConnection } from '../../lib/index.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { MB, mb, peakSampler, settledMemory, waitFor } from './support/measure.js';
import { runPressureClients, type PressureReport, type PressureRequest } from './support/pressure-clients.js';
import { CanaryController, startCanary, type CanaryReport } from './support/canary.js';
import { clientFrame, rawUpgrade } from './support/raw-websocket.js';

/**
 * Delivery under pressure: one publisher sends a burst far larger than any queue, some subscribers read and
 * some stop reading. The clients run in a child process (support/pressure-worker.ts), so this process's
 * memory is the router's. What must hold: every subscriber that reads gets every event in order (the
 * publisher is held back, not its events dropped); the stalled ones are found slow and lose events or are
 * cut, after the configured time or at their cap; the queues stay within the cap per connection and the
 * budget for all, and the process's memory within a bound each test asserts.
 */

const KIB = 1024;
const figures: string[] = [];

afterAll(() => {
  process.stdout.write(
    [
      '',
      'Delivery under pressure',
      '| scenario | readers | stalled | outcome | queues | memory Δ (peak heap+external / RSS) | time |',
      '|---|---|---|---|---|---|---|',
      ...figures,
      '',
    ].join('\n'),
  );
});

/** What the router side saw while the burst ran: per connection, and for all together. */
interface RouterWatch {
  /** Largest queue seen per connection. */
  readonly peakQueue: Map<WebSocketConnection, number>;
  /** When each connection first held more than the low-water mark, and when it was seen closed. */
  readonly aboveLowAt: Map<WebSocketConnection, number>;
  readonly closedAt: Map<WebSocketConnection, number>;
  /** Longest time each connection stayed above the low-water mark without a break (ms, sampled). */
  readonly longestAboveLow: Map<WebSocketConnection, number>;
  peakTotal: number;
  /** The total, sampled, with its time. */
  readonly totals: { at: number; total: number }[];
  stop(): void;
}

function watchRouter(running: RunningApp, lowWaterMark: number): RouterWatch {
  const router = running.app.get(WampRouter);
  const endpoint = running.app.get(WampGateway).endpoint;
  const known = new Set<WebSocketConnection>();
  const aboveLowSince = new Map<WebSocketConnection, number>();
  const watch: RouterWatch = {
    peakQueue: new Map(),
    aboveLowAt: new Map(),
    closedAt: new Map(),
    longestAboveLow: new Map(),
    peakTotal: 0,
    totals: [],
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    const now = performance.now();
    for (const connection of endpoint?.openConnections ?? []) known.add(connection);
    for (const connection of known) {
      const queued = connection.socket.bufferedAmount;
      watch.peakQueue.set(connection, Math.max(watch.peakQueue.get(connection) ?? 0, queued));
      if (queued > lowWaterMark && !watch.aboveLowAt.has(connection)) watch.aboveLowAt.set(connection, now);
      if (queued > lowWaterMark) {
        const since = aboveLowSince.get(connection) ?? now;
        aboveLowSince.set(connection, since);
        watch.longestAboveLow.set(
          connection,
          Math.max(watch.longestAboveLow.get(connection) ?? 0, now - since),
        );
      } else {
        aboveLowSince.delete(connection);
      }
      if (connection.socket.readyState !== 1 && !watch.closedAt.has(connection))
        watch.closedAt.set(connection, now);
    }
    const total = router.outboundFlow.totalQueued;
    watch.peakTotal = Math.max(watch.peakTotal, total);
    watch.totals.push({ at: now, total });
  }, 5);
  return watch;
}

interface Outcome {
  readonly report: PressureReport;
  /** The canary (calls every 5 ms, events every 10 ms, in this process) from before the burst to its end. */
  readonly canary: CanaryReport;
  readonly watch: RouterWatch;
  readonly peakHeapMb: number;
  readonly peakRssMb: number;
  readonly running: RunningApp;
}

async function burst(
  options: WampModuleOptions,
  request: Omit<PressureRequest, 'url' | 'topic'>,
  lowWaterMark: number,
  check: (outcome: Outcome) => Promise<void> | void,
): Promise<void> {
  const running = await startApp({ wamp: options, controllers: [CanaryController] });
  try {
    const canary = await startCanary(running.url);
    const before = await settledMemory();
    const sampler = peakSampler();
    const watch = watchRouter(running, lowWaterMark);
    let report: PressureReport;
    let peak = { heapUsed: 0, rss: 0 };
    try {
      report = await runPressureClients({ ...request, url: running.url, topic: 'pressure.burst' }, () => {
        watch.stop();
        peak = sampler.stop();
      });
    } finally {
      watch.stop();
      sampler.stop();
    }
    const canaryReport = await canary.stop();
    expect({
      failures: canaryReport.failures,
      errors: canaryReport.errors,
      gaps: canaryReport.eventGaps,
    }).toEqual({
      failures: 0,
      errors: [],
      gaps: 0,
    });
    await check({
      report,
      canary: canaryReport,
      watch,
      running,
      peakHeapMb: mb(peak.heapUsed - before.heapUsed),
      peakRssMb: mb(peak.rss - before.rss),
    });
  } finally {
    await running.app.close();
  }
}

function expectEveryReaderGotAll(report: PressureReport, events: number): void {
  expect(report.readers.length).toBeGreaterThan(0);
  for (const reader of report.readers) expect(reader).toEqual({ received: events, inOrder: true });
}

/**
 * The longest time a connection that was not stalled stayed above the low-water mark: what a reader needs,
 * against which `slowConsumerTimeout`'s default is chosen.
 */
function readersLongestAboveLow(watch: RouterWatch): number {
  const stalled = new Set(stalledOf(watch));
  let longest = 0;
  for (const [connection, ms] of watch.longestAboveLow)
    if (!stalled.has(connection)) longest = Math.max(longest, ms);
  return Math.round(longest);
}

/** The connections that got events dropped or were closed: the stalled ones. */
function stalledOf(watch: RouterWatch): WebSocketConnection[] {
  return [...watch.peakQueue.keys()].filter(
    (connection) => connection.droppedEvents > 0 || watch.closedAt.has(connection),
  );
}

describe('delivery under pressure', () => {
  const EVENTS = 400;
  const EVENT_BYTES = 64 * KIB;
  const TIMEOUT = 1000;
  const CAP = 8 * MB;
  const LOW = 256 * KIB;
  /** 400 x 64 KiB from one JSON publisher to one subscriber that reads. */
  const ONE_READER_BURST = {
    protocol: 'wamp.2.json',
    readers: 1,
    events: EVENTS,
    eventBytes: EVENT_BYTES,
    timeoutMs: 30_000,
  } as const;

  it("400 x 64 KiB in one burst, one reader and one stalled subscriber (JSON, 'drop'): 400/400 in order, the stalled one dropped at its cap", async () => {
    // Control: the same burst and reader, nobody stalled.
    let control!: CanaryReport;
    let controlMs = 0;
    await burst(
      { slowConsumerTimeout: TIMEOUT },
      { ...ONE_READER_BURST, stalled: 0, settleMs: 200 },
      LOW,
      ({ report, canary }) => {
        expectEveryReaderGotAll(report, EVENTS);
        control = canary;
        controlMs = report.elapsedMs;
      },
    );
    await burst(
      { slowConsumerTimeout: TIMEOUT },
      { ...ONE_READER_BURST, stalled: 1, settleMs: 200 },
      LOW,
      ({ report, watch, peakHeapMb, peakRssMb, canary }) => {
        expectEveryReaderGotAll(report, EVENTS);
        // The canary's calls are not held back (its caller does not publish); its publisher is, for at most the
        // stall window, so its events come late but all of them.
        expect(canary.p99).toBeLessThan(Math.max(5 * control.p99, 50));
        const stalled = stalledOf(watch);
        expect(stalled).toHaveLength(1);
        const [connection] = stalled;
        expect(connection.droppedEvents).toBeGreaterThan(0);
        expect(watch.peakQueue.get(connection)).toBeLessThanOrEqual(CAP + EVENT_BYTES + 64);
        // Memory: the stalled one's queue (its cap) and what is in flight to the reader, not the 25 MB burst.
        expect(peakHeapMb).toBeLessThan(48);
        figures.push(
          `| 400 x 64 KiB, JSON, 'drop', default cap 8 MiB | 1: ${report.readers[0].received}/${EVENTS} in order | 1: ` +
            `${connection.droppedEvents} dropped | stalled peak ${mb(watch.peakQueue.get(connection) ?? 0)} MB, total peak ` +
            `${mb(watch.peakTotal)} MB | ${peakHeapMb} / ${peakRssMb} MB | ${report.elapsedMs} ms (control, nobody ` +
            `stalled: ${controlMs} ms); canary p99 ${canary.p99} ms (control ${control.p99} ms); the reader stayed above ` +
            `the low-water mark at most ${readersLongestAboveLow(watch)} ms |`,
        );
      },
    );
  }, 90_000);

  it("the same with 'disconnect' and a 64 MiB cap: the stalled one is closed when its time is up, not before", async () => {
    await burst(
      { slowConsumerTimeout: TIMEOUT, slowConsumerPolicy: 'disconnect', outboundBufferLimit: 64 * MB },
      { ...ONE_READER_BURST, stalled: 1, settleMs: 2500 },
      LOW,
      ({ report, watch, peakHeapMb, peakRssMb }) => {
        expectEveryReaderGotAll(report, EVENTS);
        const stalled = stalledOf(watch);
        expect(stalled).toHaveLength(1);
        const [connection] = stalled;
        expect(connection.droppedEvents).toBe(0);
        const cutAfter = (watch.closedAt.get(connection) ?? 0) - (watch.aboveLowAt.get(connection) ?? 0);
        // Found slow by the sweep (every 10 ms) once above the low-water mark for the timeout.
        expect(cutAfter).toBeGreaterThanOrEqual(TIMEOUT - 20);
        expect(cutAfter).toBeLessThan(TIMEOUT + 500);
        expect(peakHeapMb).toBeLessThan(80);
        figures.push(
          `| 400 x 64 KiB, JSON, 'disconnect', cap 64 MiB | 1: ${report.readers[0].received}/${EVENTS} in order | 1: ` +
            `closed ${Math.round(cutAfter)} ms after passing the low-water mark (timeout ${TIMEOUT} ms) | stalled peak ` +
            `${mb(watch.peakQueue.get(connection) ?? 0)} MB | ${peakHeapMb} / ${peakRssMb} MB | ${report.elapsedMs} ms |`,
        );
      },
    );
  }, 60_000);

  it('1,000 subscribers on msgpack (10 readers, 990 stalled): every reader 400/400 in order, queues and memory bounded', async () => {
    await burst(
      { slowConsumerTimeout: TIMEOUT },
      {
        protocol: 'wamp.2.msgpack',
        readers: 10,
        stalled: 990,
        events: EVENTS,
        eventBytes: EVENT_BYTES,
        timeoutMs: 60_000,
        settleMs: 200,
      },
      LOW,
      ({ report, watch, peakHeapMb, peakRssMb, running }) => {
        expectEveryReaderGotAll(report, EVENTS);
        const stalled = stalledOf(watch);
        expect(stalled.length).toBe(990);
        const budget = 256 * MB;
        for (const connection of stalled)
          expect(watch.peakQueue.get(connection)).toBeLessThanOrEqual(CAP + EVENT_BYTES + 64);
        // The frames are shared by every subscriber of a serializer: the budget counts each queue (990 x up to
        // the low-water mark past it, for at most the timeout), the process holds far less.
        expect(watch.peakTotal).toBeLessThanOrEqual(budget + 990 * (LOW + EVENT_BYTES));
        expect(peakHeapMb).toBeLessThan(160);
        const flow = running.app.get(WampRouter).outboundFlow;
        const cut = stalled.filter((connection) => watch.closedAt.has(connection)).length;
        figures.push(
          `| 400 x 64 KiB, msgpack, 'drop', budget 256 MiB | 10: all ${EVENTS}/${EVENTS} in order | 990: ` +
            `${stalled.length - cut} dropping, ${cut} cut by the budget | total peak ${mb(watch.peakTotal)} MB, now ` +
            `${mb(flow.totalQueued)} MB | ${peakHeapMb} / ${peakRssMb} MB | ${report.elapsedMs} ms; readers stayed above ` +
            `the low-water mark at most ${readersLongestAboveLow(watch)} ms |`,
        );
      },
    );
  }, 120_000);

  it('2,000 stalled subscribers and a 32 MiB budget: the budget holds, the reader gets every event', async () => {
    const budget = 32 * MB;
    const low = 16 * KIB;
    const eventBytes = 16 * KIB;
    const events = 200;
    await burst(
      {
        slowConsumerTimeout: TIMEOUT,
        outboundMemoryBudget: budget,
        outboundLowWaterMark: low,
        outboundBufferLimit: 4 * MB,
      },
      {
        protocol: 'wamp.2.json',
        readers: 1,
        stalled: 2000,
        events,
        eventBytes,
        timeoutMs: 60_000,
        settleMs: TIMEOUT + 500,
      },
      low,
      async ({ report, watch, peakHeapMb, peakRssMb, running }) => {
        expectEveryReaderGotAll(report, events);
        const flow = running.app.get(WampRouter).outboundFlow;
        // Past the budget nothing grows beyond the low-water mark, and within the timeout the largest queues are cut.
        expect(watch.peakTotal).toBeLessThanOrEqual(budget + 2000 * (low + eventBytes + 64));
        const lastOver = watch.totals.filter((sample) => sample.total > budget).at(-1)?.at ?? 0;
        const firstOver = watch.totals.find((sample) => sample.total > budget)?.at ?? 0;
        expect(await waitFor(() => flow.totalQueued <= budget, 3000)).toBe(true);
        expect(peakHeapMb).toBeLessThan(200);
        const cut = [...watch.closedAt.keys()].length;
        figures.push(
          `| 200 x 16 KiB, JSON, budget 32 MiB, low-water 16 KiB | 1: ${events}/${events} in order | 2,000: ${cut} cut by the ` +
            `budget | total peak ${mb(watch.peakTotal)} MB (logical: shared frames counted per queue), over the budget ` +
            `for ${Math.round(lastOver - firstOver)} ms, now ${mb(flow.totalQueued)} MB | ${peakHeapMb} / ${peakRssMb} MB | ${report.elapsedMs} ms |`,
        );
      },
    );
  }, 150_000);
});

describe('attacking backpressure: a subscriber that reads a trickle to hold publishers back', () => {
  const TIMEOUT = 1000;

  /**
   * A publisher sends a 16 KiB EVENT every 2 ms for 4 s, and every tenth one acknowledged, whose round trip it
   * records: while it is held back, those round trips grow. The attacker (a hand-made WebSocket client)
   * subscribes, then reads 2 KiB every 10 ms (`trickle`: it reads, so it counts as a reader that is behind),
   * or everything (the control).
   */
  async function holdTimes(
    trickle: boolean,
  ): Promise<{ rtts: { at: number; ms: number }[]; dropped: number }> {
    const running = await startApp({
      wamp: { slowConsumerTimeout: TIMEOUT, outboundHighWaterMark: 64 * KIB, outboundLowWaterMark: 16 * KIB },
    });
    const { RawWampClient } = await import('../support/raw-wamp-client.js');
    const attacker = await rawUpgrade(running.port);
    try {
      attacker.write(
        clientFrame(0x1, Buffer.from(JSON.stringify([1, 'realm1', { roles: { subscriber: {} } }]))),
      );
      attacker.write(clientFrame(0x1, Buffer.from(JSON.stringify([32, 1, {}, 'pressure.attack']))));
      if (!trickle) attacker.resume();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const reader = setInterval(() => {
        if (trickle) attacker.read(2048);
      }, 10);
      const { client: publisher } = await RawWampClient.join(running.url);
      const sentAt = new Map<number, number>();
      const rtts: { at: number; ms: number }[] = [];
      publisher.socket.on('message', (raw: Buffer) => {
        const message = JSON.parse(raw.toString()) as unknown[];
        const sent = sentAt.get(message[1] as number);
        if (message[0] === 17 && sent !== undefined) rtts.push({ at: sent, ms: performance.now() - sent });
      });
      const payload = 'x'.repeat(16 * KIB);
      const started = performance.now();
      for (let request = 1; performance.now() - started < 4000; request++) {
        const acknowledge = request % 10 === 0;
        if (acknowledge) sentAt.set(request, performance.now());
        publisher.send([
          16,
          request,
          acknowledge ? { acknowledge } : {},
          'pressure.attack',
          [request, payload],
        ]);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(reader);
      let dropped = 0;
      for (const connection of running.app.get(WampGateway).endpoint?.openConnections ?? []) {
        dropped += connection.droppedEvents;
      }
      publisher.terminate();
      return { rtts: rtts.map((rtt) => ({ at: rtt.at - started, ms: rtt.ms })), dropped };
    } finally {
      attacker.destroy();
      await running.app.close();
    }
  }

  it('holds publishers back at most once, for at most slowConsumerTimeout; then it is slow for good', async () => {
    const control = await holdTimes(false);
    const attack = await holdTimes(true);
    const longest = (rtts: { ms: number }[]): number => Math.round(Math.max(...rtts.map((rtt) => rtt.ms)));
    // Control: a subscriber that reads everything never holds the publisher back for long.
    expect(longest(control.rtts)).toBeLessThan(200);
    expect(control.dropped).toBe(0);
    // Attack: one hold, bounded by the timeout (plus a sweep and the publisher's own backlog) ...
    expect(longest(attack.rtts)).toBeLessThan(TIMEOUT + 500);
    // ... after which the attacker is slow (its EVENTs dropped) and the publisher is never held again.
    expect(attack.dropped).toBeGreaterThan(0);
    const lateHold = attack.rtts.filter((rtt) => rtt.at > TIMEOUT + 1500 && rtt.ms > 200);
    expect(lateHold).toEqual([]);
    figures.push(
      `| trickle reader (2 KiB every 10 ms) vs a publisher of 16 KiB every 2 ms, 4 s | publisher's acknowledged ` +
        `PUBLISH round trip at most ${longest(attack.rtts)} ms (control, a subscriber reading everything: ` +
        `${longest(control.rtts)} ms) | attacker: ${attack.dropped} EVENTs dropped once found slow | – | – | – | 4 s |`,
    );
  }, 60_000);
});

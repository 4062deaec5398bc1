import { Controller } from '@nestjs/common';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Ctx, Payload } from '@nestjs/microservices';
import { LocalBroker, LocalDealer, WampRouter } from '../../lib/core/index.js';
import {
  WampContext,
  WampGateway,
  WampProcedure,
  WampPublisher,
  type WampCallPayload,
} from '../../lib/index.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { LoadGenerator, type CycleResult, type SoakResult } from './support/load-generator.js';

/**
 * Soak and churn: 1,000 sessions for a minute, then 20 cycles of 1,000 sessions joining and leaving. The
 * router runs in this process (so its heap can be read after a forced GC); the sessions come from a thin
 * load generator in a child process, on another CPU when there is one.
 */

const SESSIONS = 1000;
const SOAK_MS = 60_000;
const HEAP_SAMPLE_MS = 5000;
/** Heap samples taken before this are warm-up (JIT, pools, first-use allocations). */
const WARM_UP_MS = 10_000;
const CALL_INTERVAL_MS = 500;
const TICK_MS = 100;
const CYCLES = 20;
const LOOP_RESOLUTION_MS = 10;
/** A little longer than the router's close-handshake guard (CLOSE_HANDSHAKE_TIMEOUT, 2 s). */
const QUIET_MS = 2500;

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      },
      { once: true },
    );
  });
}

@Controller()
class SoakController {
  @WampProcedure('soak.echo')
  echo(@Payload() payload: WampCallPayload): unknown {
    return payload.args;
  }

  /** Reports that it runs (one progressive result), then waits until the call is aborted (30 s at most). */
  @WampProcedure('soak.hold')
  async hold(@Ctx() context: WampContext): Promise<string> {
    context.progress('running');
    await sleep(30_000, context.signal);
    return 'held';
  }
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('Run with --expose-gc (npm run test:hardening).');
  // Twice: the first pass can leave garbage that only becomes unreachable once finalizers ran.
  collect();
  collect();
};

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const ms = (milliseconds: number): number => Math.round(milliseconds * 10) / 10;
const average = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Counts of `process.getActiveResourcesInfo()` by type (ref'd timers, sockets, ...). */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

async function until(condition: () => boolean, timeoutMs: number, step = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(step);
  }
  return true;
}

interface RouterView {
  readonly router: WampRouter;
  readonly broker: LocalBroker;
  readonly dealer: LocalDealer;
  readonly gateway: WampGateway;
}

function routerView(running: RunningApp): RouterView {
  const router = running.app.get(WampRouter);
  const realm = router.realms.get('realm1')!;
  return {
    router,
    broker: realm.broker as LocalBroker,
    dealer: realm.dealer as LocalDealer,
    gateway: running.app.get(WampGateway),
  };
}

function state(view: RouterView): Record<string, number> {
  return {
    sessions: view.router.sessionCount,
    realmSessions: view.router.realms.get('realm1')!.sessions.size,
    subscriptions: view.broker.subscriptionCount,
    callsInFlight: view.dealer.callsInFlight,
    connections: view.gateway.endpoint.connectionCount,
  };
}

describe('soak', () => {
  let generator: LoadGenerator;

  beforeAll(async () => {
    generator = await LoadGenerator.start();
  });

  afterAll(async () => {
    await generator?.stop();
  });

  it(`${SESSIONS} sessions for ${SOAK_MS / 1000} s: calls every ${CALL_INTERVAL_MS} ms, events every ${TICK_MS} ms, no errors, flat heap`, async () => {
    const running = await startApp({ controllers: [SoakController] });
    const view = routerView(running);
    const publisher = running.app.get(WampPublisher);
    let ticker: NodeJS.Timeout | undefined;
    let sampler: NodeJS.Timeout | undefined;
    try {
      generator.send({
        kind: 'soak',
        url: running.url,
        sessions: SESSIONS,
        topic: 'soak.tick',
        procedure: 'soak.echo',
        callIntervalMs: CALL_INTERVAL_MS,
        concurrency: 100,
      });
      const ready = await generator.next('ready', 60_000);
      expect(ready.joined).toBe(SESSIONS);
      expect(state(view)).toMatchObject({ sessions: SESSIONS, subscriptions: 1, connections: SESSIONS });

      gc();
      const heap: { t: number; heapUsed: number; rss: number }[] = [];
      const started = Date.now();
      const gcPauses: number[] = [];
      /** Forced GCs as epoch ms intervals: calls in flight during one are reported apart. */
      const gcWindows: [number, number][] = [];
      const publishTimes: number[] = [];
      const sample = (): void => {
        const gcStarted = performance.now();
        gc();
        const gcEnded = performance.now();
        gcPauses.push(gcEnded - gcStarted);
        gcWindows.push([performance.timeOrigin + gcStarted, performance.timeOrigin + gcEnded]);
        const memory = process.memoryUsage();
        heap.push({ t: Date.now() - started, heapUsed: memory.heapUsed, rss: memory.rss });
      };
      sample();
      const cpuBefore = process.cpuUsage();
      const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
      loopDelay.enable();
      generator.send({ kind: 'start' });
      let published = 0;
      ticker = setInterval(() => {
        const publishStarted = performance.now();
        publisher.publish('soak.tick', [published, Date.now()], { server: 'soak' });
        publishTimes.push(performance.now() - publishStarted);
        published++;
      }, TICK_MS);
      sampler = setInterval(sample, HEAP_SAMPLE_MS);
      await sleep(SOAK_MS);
      clearInterval(ticker);
      clearInterval(sampler);
      sample();
      loopDelay.disable();
      const serverCpu = process.cpuUsage(cpuBefore);
      const wallMs = Date.now() - started;
      // Let the last EVENTs reach the sessions before they stop.
      await sleep(500);
      generator.send({ kind: 'stop', pauses: gcWindows });
      const result: SoakResult = await generator.next('soakResult', 30_000);
      const drained = await until(() => view.router.sessionCount === 0, 10_000);

      const afterWarmUp = heap.find((entry) => entry.t >= WARM_UP_MS)!;
      const last = heap[heap.length - 1];
      const growth = (last.heapUsed - afterWarmUp.heapUsed) / afterWarmUp.heapUsed;
      const serverCpuMs = (serverCpu.user + serverCpu.system) / 1000;
      console.log(
        [
          `soak: ${result.sessions} sessions joined in ${result.joinMs} ms; ran ${Math.round(result.runMs)} ms` +
            ` (generator ${generator.pinned ? 'pinned to another CPU' : 'not pinned'})`,
          `  calls ${result.calls} (${Math.round(result.calls / (result.runMs / 1000))}/s), errors ${result.errors}` +
            ` (unanswered ${result.unanswered}), wrong results ${result.wrongResults}`,
          `  latency p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; without the` +
            ` ${result.calls - result.quiet.calls} calls caught in the test's forced GCs: p50 ${result.quiet.p50} ms,` +
            ` p99 ${result.quiet.p99} ms, max ${result.quiet.max} ms`,
          `  events: ${published} published, per session min ${result.eventsMin} / max ${result.eventsMax}` +
            ` (total ${result.eventsTotal}, ${Math.round(result.eventsTotal / (wallMs / 1000))}/s)`,
          `  server CPU ${Math.round(serverCpuMs)} ms (${Math.round((serverCpuMs / wallMs) * 100)}% of one core,` +
            ` ${Math.round((serverCpuMs * 1000) / (result.calls + result.eventsTotal))} µs per call+event);` +
            ` generator CPU ${Math.round(result.cpuMs)} ms`,
          `  server event-loop delay beyond the ${LOOP_RESOLUTION_MS} ms sampling interval: p50` +
            ` ${ms(loopDelay.percentile(50) / 1e6 - LOOP_RESOLUTION_MS)} ms,` +
            ` p99 ${ms(loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS)} ms,` +
            ` max ${ms(loopDelay.max / 1e6 - LOOP_RESOLUTION_MS)} ms; one publish to ${SESSIONS} subscribers` +
            ` takes avg ${ms(average(publishTimes))} ms, max ${ms(Math.max(...publishTimes))} ms;` +
            ` the forced GCs of the heap samples pause ${ms(average(gcPauses))} ms avg,` +
            ` ${ms(Math.max(...gcPauses))} ms max`,
          `  heap after GC (MB) every ${HEAP_SAMPLE_MS / 1000} s: ${heap.map((entry) => mb(entry.heapUsed)).join(', ')}`,
          `  rss (MB): ${heap.map((entry) => mb(entry.rss)).join(', ')}`,
          `  heap growth after warm-up (${afterWarmUp.t} ms -> ${last.t} ms): ${(growth * 100).toFixed(1)}%`,
          `  unexpected closes ${result.unexpectedCloses}, GOODBYE answered ${result.goodbyeReplies}/${result.sessions}`,
        ].join('\n'),
      );

      expect(result.errorSamples).toEqual([]);
      expect(result.errors).toBe(0);
      expect(result.wrongResults).toBe(0);
      expect(result.unexpectedCloses).toBe(0);
      expect(result.calls).toBeGreaterThan(SESSIONS * (SOAK_MS / CALL_INTERVAL_MS) * 0.8);
      // Every session got every EVENT: none dropped (the outbound buffers never came near their limit).
      expect([result.eventsMin, result.eventsMax]).toEqual([published, published]);
      expect(heap.length).toBeGreaterThanOrEqual(SOAK_MS / HEAP_SAMPLE_MS);
      expect(Math.abs(growth)).toBeLessThanOrEqual(0.1);
      expect(result.goodbyeReplies).toBe(SESSIONS);
      expect(drained).toBe(true);
      expect(state(view)).toEqual({
        sessions: 0,
        realmSessions: 0,
        subscriptions: 0,
        callsInFlight: 0,
        connections: 0,
      });
    } finally {
      clearInterval(ticker);
      clearInterval(sampler);
      await running.app.close();
    }
  });

  it(`${CYCLES} cycles of ${SESSIONS} sessions joining, subscribing, calling and leaving leave nothing behind`, async () => {
    const running = await startApp({ controllers: [SoakController] });
    const view = routerView(running);
    try {
      await sleep(200);
      gc();
      const baseline = activeResources();
      const baselineHeap = process.memoryUsage().heapUsed;
      const rows: {
        cycle: number;
        result: CycleResult;
        settledMs: number;
        state: Record<string, number>;
        heapUsed: number;
        quietHeapUsed?: number;
        timeouts: number;
        sockets: number;
      }[] = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        generator.send({
          kind: 'cycle',
          url: running.url,
          sessions: SESSIONS,
          topicPrefix: 'soak.cycle.t',
          topics: 10,
          procedure: 'soak.echo',
          holdProcedure: 'soak.hold',
          concurrency: 100,
        });
        const result = await generator.next('cycleResult', 60_000);
        const settledStart = Date.now();
        await until(
          () =>
            view.router.sessionCount === 0 &&
            view.gateway.endpoint.connectionCount === 0 &&
            view.dealer.callsInFlight === 0,
          10_000,
        );
        const settledMs = Date.now() - settledStart;
        gc();
        const resources = activeResources();
        const heapUsed = process.memoryUsage().heapUsed;
        let quietHeapUsed: number | undefined;
        if (cycle === 1 || cycle === CYCLES) {
          // The first and last figures compared: taken once the router's unref'd close-handshake guards
          // (2 s after each close it starts) have run, so the sockets they still reference are gone.
          await sleep(QUIET_MS);
          gc();
          quietHeapUsed = process.memoryUsage().heapUsed;
        }
        rows.push({
          cycle,
          result,
          settledMs,
          state: state(view),
          heapUsed,
          quietHeapUsed,
          timeouts: resources.Timeout ?? 0,
          sockets: resources.TCPSocketWrap ?? 0,
        });
      }
      // The router's own timers (GOODBYE waits, close-handshake guards) end within a few seconds.
      const backToBaseline = (): boolean => {
        const now = activeResources();
        return (
          (now.Timeout ?? 0) <= (baseline.Timeout ?? 0) &&
          (now.TCPSocketWrap ?? 0) <= (baseline.TCPSocketWrap ?? 0)
        );
      };
      await until(backToBaseline, 5000, 100);
      const final = activeResources();
      const first = rows[0];
      const last = rows[rows.length - 1];
      const growth = (last.quietHeapUsed! - first.quietHeapUsed!) / first.quietHeapUsed!;

      console.log(
        [
          `churn: ${CYCLES} cycles x ${SESSIONS} sessions (even: GOODBYE; odd: socket cut with a call in flight)`,
          `  baseline heap ${mb(baselineHeap)} MB, resources ${JSON.stringify(baseline)}`,
          ...rows.map(
            (row) =>
              `  cycle ${String(row.cycle).padStart(2)}: ${Math.round(row.result.ms)} ms` +
              ` (joined ${row.result.joined}, subscribed ${row.result.subscribed}, called ${row.result.called},` +
              ` goodbye ${row.result.goodbyeReplies}, cut in call ${row.result.terminatedInCall},` +
              ` failures ${row.result.failures}); settled in ${row.settledMs} ms; router ${JSON.stringify(row.state)};` +
              ` heap ${mb(row.heapUsed)} MB; Timeout ${row.timeouts}, TCPSocketWrap ${row.sockets}`,
          ),
          `  ${QUIET_MS} ms after cycle 1: heap ${mb(first.quietHeapUsed!)} MB (at once: ${mb(first.heapUsed)} MB);` +
            ` after cycle ${CYCLES}: ${mb(last.quietHeapUsed!)} MB (at once: ${mb(last.heapUsed)} MB):` +
            ` ${(growth * 100).toFixed(1)}%`,
          `  resources after the last cycle ${JSON.stringify(final)}`,
        ].join('\n'),
      );

      for (const row of rows) {
        expect({ cycle: row.cycle, failures: row.result.errorSamples }).toEqual({
          cycle: row.cycle,
          failures: [],
        });
        expect({ cycle: row.cycle, ...row.state }).toEqual({
          cycle: row.cycle,
          sessions: 0,
          realmSessions: 0,
          subscriptions: 0,
          callsInFlight: 0,
          connections: 0,
        });
        expect(row.result.called).toBe(SESSIONS);
        expect(row.result.goodbyeReplies + row.result.terminatedInCall).toBe(SESSIONS);
      }
      expect(last.cycle).toBe(CYCLES);
      expect(final.Timeout ?? 0).toBeLessThanOrEqual(baseline.Timeout ?? 0);
      expect(final.TCPSocketWrap ?? 0).toBeLessThanOrEqual(baseline.TCPSocketWrap ?? 0);
      expect(Math.abs(growth)).toBeLessThanOrEqual(0.1);
    } finally {
      await running.app.close();
    }
  });
});

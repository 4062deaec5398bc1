import type { Provider, Type } from '@nestjs/common';
import type { WampModuleOptions } from '../../../lib/index.js';
import type { RawWampClient } from '../../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../../support/test-app.js';
import { CanaryController, startCanary, type CanaryReport } from './canary.js';
import { mb, peakSampler, settledMemory, sleep } from './measure.js';

/**
 * An attack judged against its control: the same run twice against a fresh app with the canary going, once
 * with the trick and once sending the same volume of bytes without it. The verdict is relative: the canary's
 * worst call latency under attack within {@link LATENCY_RATIO} times the control's (with a floor, so a control
 * that happened to see no pause at all does not turn a 10 ms GC pause into a failure), no canary failure or
 * missing event in either run, and peak RSS growth under {@link RSS_BOUND_MB}.
 */

/** The canary's worst latency under attack may be at most this many times the control's. */
export const LATENCY_RATIO = 5;
/** The control's worst latency counts as at least this much (ms). */
export const LATENCY_FLOOR_MS = 20;
/** Peak RSS growth allowed during an attack (MB). */
export const RSS_BOUND_MB = 100;

/** What one run measured. */
export interface Measured {
  readonly canary: CanaryReport;
  /** Peak RSS (no gc) during the run minus RSS before it, MB. */
  readonly peakRss: number;
  readonly ms: number;
}

/** One row of a spec's figures table. */
export interface Figure {
  readonly attack: string;
  readonly outcome: string;
  readonly attackMax: number;
  readonly controlMax: number;
  readonly peakRss: number;
  readonly attackMs: number;
}

/** The app each run starts: its WAMP options and the controllers and providers besides the canary's. */
export interface AttackApp {
  readonly wamp?: WampModuleOptions;
  readonly controllers?: Type[];
  readonly providers?: Provider[];
}

/**
 * Runs `run` against a fresh app with the canary going from before to after it, and measures. The app is
 * closed whatever happens.
 */
export async function measured(
  app: AttackApp,
  run: (running: RunningApp) => Promise<void>,
): Promise<Measured> {
  const running = await startApp({
    wamp: app.wamp ?? {},
    controllers: [CanaryController, ...(app.controllers ?? [])],
    providers: app.providers ?? [],
  });
  try {
    // Collected before the canary starts: a forced full collection would be a pause in its figures.
    const baseline = await settledMemory();
    const canary = await startCanary(running.url);
    await sleep(200); // warm-up: the canary's first calls, JIT
    const sampler = peakSampler();
    const started = performance.now();
    try {
      await run(running);
    } catch (error) {
      sampler.stop();
      await canary.stop();
      throw error;
    }
    const ms = Math.round(performance.now() - started);
    await sleep(100);
    const peak = sampler.stop();
    const report = await canary.stop();
    return { canary: report, peakRss: mb(peak.rss - baseline.rss), ms };
  } finally {
    await running.app.close();
  }
}

/** Checks the verdict (see the file comment) and records the figure in `figures`. */
export function judge(
  figures: Figure[],
  attack: string,
  outcome: string,
  under: Measured,
  control: Measured,
  /** A bound of the attack's own, where a spec says why the default does not apply. */
  rssBoundMb = RSS_BOUND_MB,
): void {
  figures.push({
    attack,
    outcome,
    attackMax: under.canary.max,
    controlMax: control.canary.max,
    peakRss: under.peakRss,
    attackMs: under.ms,
  });
  for (const [run, measuredRun] of [
    ['attack', under],
    ['control', control],
  ] as const) {
    expect({ run, failures: measuredRun.canary.failures, errors: measuredRun.canary.errors }).toEqual({
      run,
      failures: 0,
      errors: [],
    });
    expect(measuredRun.canary.eventGaps).toBe(0);
    expect(measuredRun.canary.calls).toBeGreaterThan(0);
  }
  expect(under.canary.max).toBeLessThanOrEqual(
    LATENCY_RATIO * Math.max(control.canary.max, LATENCY_FLOOR_MS),
  );
  expect(under.peakRss).toBeLessThan(rssBoundMb);
}

/** The figures as a Markdown table (printed at the end of a spec, copied into the README). */
export function figuresTable(title: string, figures: readonly Figure[]): string {
  return [
    '',
    `${title} (canary worst call latency under attack / in the control run; peak RSS growth)`,
    '| attack | attacker outcome | canary max (attack / control) | peak RSS Δ | attack time |',
    '|---|---|---|---|---|',
    ...figures.map(
      (figure) =>
        `| ${figure.attack} | ${figure.outcome} | ${figure.attackMax} ms / ${figure.controlMax} ms | ` +
        `${figure.peakRss} MB | ${figure.attackMs} ms |`,
    ),
    '',
  ].join('\n');
}

/**
 * Records unhandled rejections for the spec's lifetime and fails any test after which one appeared: nothing a
 * client sends may end as an unhandled rejection, which ends a Node process by default.
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
  });
  afterEach(() => {
    expect(unhandled).toEqual([]);
  });
}

/** Messages up to and including the first that `last` accepts (at most `timeout` ms for each). */
export async function collectUntil(
  client: RawWampClient,
  last: (message: unknown[]) => boolean,
  timeout = 30_000,
): Promise<unknown[][]> {
  const messages: unknown[][] = [];
  for (;;) {
    const message = (await client.next(timeout)) as unknown[];
    messages.push(message);
    if (last(message)) return messages;
  }
}

/**
 * A CALL to `canary.echo` and its RESULT: the router handles a session's messages in order, so once the
 * RESULT is back, everything sent before it was processed (but for what waits on an asynchronous handler).
 * Returns what arrived before the RESULT.
 */
export async function barrier(client: RawWampClient, request = 999_999): Promise<unknown[][]> {
  client.send([48, request, {}, 'canary.echo', ['sync']]);
  const messages = await collectUntil(client, (message) => message[0] === 50 && message[1] === request);
  return messages.slice(0, -1);
}

/** How many messages fall under each key. */
export function countBy(
  messages: readonly unknown[][],
  key: (message: unknown[]) => string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const message of messages) counts[key(message)] = (counts[key(message)] ?? 0) + 1;
  return counts;
}

/** `ERROR <uri>` for an ERROR, the type code otherwise. */
export const typeAndUri = (message: unknown[]): string =>
  message[0] === 8 ? `ERROR ${String(message[4])}` : String(message[0]);

/** Sends prepared frames, yielding every `slice` so the test's own event loop (and the canary) keeps going. */
export async function sendFrames(
  client: RawWampClient,
  frames: readonly (string | Buffer)[],
  slice = 50,
): Promise<void> {
  for (let index = 0; index < frames.length; index++) {
    client.sendRaw(frames[index]);
    if (index % slice === slice - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

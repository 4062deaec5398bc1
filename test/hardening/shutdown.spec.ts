import { Controller, Injectable } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { LocalDealer, WampRouter } from '../../lib/core/index.js';
import { WampContext, WampGateway, WampProcedure } from '../../lib/index.js';
import { startApp } from '../support/test-app.js';
import {
  LoadGenerator,
  type CallOutcomes,
  type ShutdownResult,
  type ShutdownSessionsReport,
} from './support/load-generator.js';

/**
 * Graceful shutdown under load: 1,000 sessions, each with two calls in flight when `app.close()` starts —
 * one near completion (it finishes 200-1,000 ms into the shutdown), one long (60 s, far beyond the grace
 * period). Half the sessions answer the router's GOODBYE at once, as Autobahn and wampy do; the other half
 * never answer it. Every session must get GOODBYE `wamp.close.system_shutdown`, every call must end with a
 * RESULT or an ERROR within `shutdownTimeout` and before the GOODBYE (none silently cut), `app.close()` must
 * return within `shutdownTimeout` plus a margin, and by then the router must hold no session.
 */

const SESSIONS = 1000;
const PROMPT_SESSIONS = 500;
const SHUTDOWN_TIMEOUT = 3000;
const GOODBYE_TIMEOUT = 2000;
/** Nest's own teardown after the router's (HTTP server close, microservice close, hooks). */
const CLOSE_MARGIN_MS = 1500;
/** When the near-completion calls are released, relative to the start of `app.close()`. */
const NEAR_RELEASE_MS = 200;
const NEAR_SPREAD_MS = 800;

/** What the procedures saw, and the gate that releases the near-completion calls. */
@Injectable()
class ShutdownLog {
  started = { near: 0, long: 0 };
  finished = { near: 0, long: 0 };
  aborted = { near: 0, long: 0 };
  private release!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  open(): void {
    this.release();
  }
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
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
class ShutdownController {
  constructor(private readonly log: ShutdownLog) {}

  /** Runs until the test opens the gate, then finishes within NEAR_SPREAD_MS. */
  @WampProcedure('shutdown.near')
  async near(@Ctx() context: WampContext): Promise<string> {
    return this.track('near', context.signal, async () => {
      await this.log.gate;
      await sleep(Math.random() * NEAR_SPREAD_MS, context.signal);
    });
  }

  /** Runs for a minute unless aborted. */
  @WampProcedure('shutdown.long')
  async long(@Ctx() context: WampContext): Promise<string> {
    return this.track('long', context.signal, () => sleep(60_000, context.signal));
  }

  private async track(
    kind: 'near' | 'long',
    signal: AbortSignal,
    work: () => Promise<void>,
  ): Promise<string> {
    this.log.started[kind]++;
    try {
      await work();
    } catch (error) {
      if (signal.aborted) this.log.aborted[kind]++;
      throw error;
    }
    this.log.finished[kind]++;
    return kind;
  }
}

function describeOutcomes(name: string, outcomes: CallOutcomes): string {
  return (
    `${name}: ${outcomes.calls} calls, RESULT ${outcomes.resultsBeforeGoodbye} before GOODBYE / ` +
    `${outcomes.resultsAfterGoodbye} after, ERROR ${outcomes.errorsBeforeGoodbye} before / ` +
    `${outcomes.errorsAfterGoodbye} after ${JSON.stringify(outcomes.errorUris)}, unanswered ${outcomes.unanswered}`
  );
}

function describeSessions(name: string, report: ShutdownSessionsReport): string {
  return [
    `  ${name} sessions (${report.sessions}): GOODBYE ${JSON.stringify(report.goodbyes)}, ABORT ${report.aborts},` +
      ` close codes ${JSON.stringify(report.closeCodes)}, not closed ${report.notClosed}`,
    `    ${describeOutcomes('near-completion calls', report.near)}`,
    `    ${describeOutcomes('long calls', report.long)}`,
  ].join('\n');
}

describe('graceful shutdown', () => {
  let generator: LoadGenerator;

  beforeAll(async () => {
    generator = await LoadGenerator.start();
  });

  afterAll(async () => {
    await generator?.stop();
  });

  it(`app.close() with ${SESSIONS} sessions and ${SESSIONS * 2} calls in flight: GOODBYE to all, every call answered, done within shutdownTimeout`, async () => {
    const running = await startApp({
      wamp: { shutdownTimeout: SHUTDOWN_TIMEOUT, goodbyeTimeout: GOODBYE_TIMEOUT },
      controllers: [ShutdownController],
      providers: [ShutdownLog],
    });
    const log = running.app.get(ShutdownLog);
    const router = running.app.get(WampRouter);
    const dealer = router.realms.get('realm1')!.dealer as LocalDealer;
    const endpoint = running.app.get(WampGateway).endpoint;
    let closed = false;
    try {
      generator.send({
        kind: 'shutdown',
        url: running.url,
        sessions: SESSIONS,
        promptSessions: PROMPT_SESSIONS,
        nearProcedure: 'shutdown.near',
        longProcedure: 'shutdown.long',
        concurrency: 100,
        maxWaitMs: 20_000,
      });
      const ready = await generator.next('ready', 60_000);
      expect(ready.joined).toBe(SESSIONS);
      // Every call has reached its procedure before the shutdown starts.
      const deadline = Date.now() + 10_000;
      while ((log.started.near < SESSIONS || log.started.long < SESSIONS) && Date.now() < deadline)
        await sleep(20);
      expect(log.started).toEqual({ near: SESSIONS, long: SESSIONS });
      expect(dealer.callsInFlight).toBe(SESSIONS * 2);

      const closeStarted = Date.now();
      const release = setTimeout(() => log.open(), NEAR_RELEASE_MS);
      await running.app.close();
      const closeMs = Date.now() - closeStarted;
      closed = true;
      clearTimeout(release);
      log.open();
      const after = {
        sessions: router.sessionCount,
        callsInFlight: dealer.callsInFlight,
        connections: endpoint.connectionCount,
      };
      // How long after app.close() resolved the router still held sessions.
      while (router.sessionCount > 0 && Date.now() - closeStarted < closeMs + 5000) await sleep(5);
      const sessionsGoneMs = Date.now() - closeStarted;
      const result: ShutdownResult = await generator.next('shutdownResult', 30_000);
      // Let procedures that were aborted or released late record it.
      await sleep(NEAR_SPREAD_MS + 100);

      const since = (time: number): string => (Number.isNaN(time) ? 'n/a' : `${time - closeStarted} ms`);
      console.log(
        [
          `shutdown: ${SESSIONS} sessions (${PROMPT_SESSIONS} answer GOODBYE at once, the rest never),` +
            ` shutdownTimeout ${SHUTDOWN_TIMEOUT} ms, goodbyeTimeout ${GOODBYE_TIMEOUT} ms;` +
            ` near-completion calls released ${NEAR_RELEASE_MS}-${NEAR_RELEASE_MS + NEAR_SPREAD_MS} ms into the shutdown`,
          `  app.close() took ${closeMs} ms; first GOODBYE at ${since(result.firstGoodbyeAt)}, last at` +
            ` ${since(result.lastGoodbyeAt)}; last call answer at ${since(result.lastAnswerAt)};` +
            ` last socket closed at ${since(result.lastCloseAt)}`,
          describeSessions('prompt', result.prompt),
          describeSessions('lingering', result.linger),
          `  procedures: started ${JSON.stringify(log.started)}, finished ${JSON.stringify(log.finished)},` +
            ` aborted ${JSON.stringify(log.aborted)}`,
          `  router when app.close() resolved: ${JSON.stringify(after)}; no session left at ${sessionsGoneMs} ms`,
        ].join('\n'),
      );

      for (const report of [result.prompt, result.linger]) {
        expect(report.goodbyes).toEqual({ 'wamp.close.system_shutdown': report.sessions });
        expect(report.notClosed).toBe(0);
      }
      expect(closeMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT + CLOSE_MARGIN_MS);
      expect(result.lastCloseAt - closeStarted).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT + CLOSE_MARGIN_MS);
      // No call silently cut: each one got its RESULT or ERROR, within the grace period.
      expect({
        promptNear: result.prompt.near.unanswered,
        promptLong: result.prompt.long.unanswered,
        lingeringNear: result.linger.near.unanswered,
        lingeringLong: result.linger.long.unanswered,
      }).toEqual({ promptNear: 0, promptLong: 0, lingeringNear: 0, lingeringLong: 0 });
      expect(result.lastAnswerAt - closeStarted).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT);
      // ...and before the GOODBYE, after which a client that answers it at once is gone.
      const afterGoodbye = (outcomes: CallOutcomes): number =>
        outcomes.resultsAfterGoodbye + outcomes.errorsAfterGoodbye;
      expect(
        [result.prompt.near, result.prompt.long, result.linger.near, result.linger.long].map(afterGoodbye),
      ).toEqual([0, 0, 0, 0]);
      // Every long call's procedure was told to stop (its abort signal fired).
      expect(log.aborted.long + log.finished.long).toBe(SESSIONS);
      // Once app.close() has resolved the router holds nothing: no session is disposed later (its signal,
      // broker and dealer clean-up and subscription teardowns would otherwise run after the app's shutdown hooks).
      expect({
        sessionsLeftWhenCloseResolved: after.sessions,
        callsInFlight: after.callsInFlight,
        connections: after.connections,
      }).toEqual({ sessionsLeftWhenCloseResolved: 0, callsInFlight: 0, connections: 0 });
    } finally {
      if (!closed) await running.app.close();
    }
  });
});

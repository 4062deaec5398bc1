import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import WebSocket from 'ws';
import { WampProcedure, type WampCallPayload } from '../../../lib/index.js';

/**
 * The canary of the hardening suite: while a test attacks the router, two well-behaved sessions keep
 * working and measure it. One calls `canary.echo` every ~5 ms and subscribes to `canary.tick`; the other
 * publishes `canary.tick` with a sequence number every ~10 ms. `stop()` says how many calls failed, the call
 * latency, and how many events went missing. Everything is bounded: each call has a 1 s deadline, the
 * canary runs at most `maxRunMs` (then stops itself and counts a failure if nobody stopped it), and `stop()`
 * waits at most 1 s for the last events.
 *
 * Register {@link CanaryController} in the app under test (`startApp({ controllers: [CanaryController] })`).
 */

/** Serves `canary.echo`: returns its first positional argument. */
@Controller()
export class CanaryController {
  @WampProcedure('canary.echo')
  echo(@Payload() payload: WampCallPayload): unknown {
    return payload.args[0];
  }
}

/** What the canary measured. Latencies in ms. */
export interface CanaryReport {
  /** Calls that got a RESULT. */
  readonly calls: number;
  /** Calls answered with ERROR or not within 1 s, publications answered with ERROR, unexpected closes. */
  readonly failures: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** EVENTs received on `canary.tick`. */
  readonly events: number;
  /** Published sequence numbers never received. */
  readonly eventGaps: number;
  /** Up to 20 descriptions of the failures, for the test's message. */
  readonly errors: readonly string[];
}

export interface Canary {
  /** Stops calling and publishing, waits (≤ 1 s) for the last events, closes both sessions, reports. */
  stop(): Promise<CanaryReport>;
  /** The figures so far, without stopping. */
  snapshot(): CanaryReport;
}

export interface CanaryOptions {
  readonly realm?: string;
  /** Interval between calls (default 5 ms); a call is only started when the previous one ended. */
  readonly callIntervalMs?: number;
  /** Interval between publications (default 10 ms). */
  readonly tickIntervalMs?: number;
  /** Deadline of one call (default 1000 ms). */
  readonly callTimeoutMs?: number;
  /** The canary stops itself after this long (default 170 s, under the suite's 180 s test timeout). */
  readonly maxRunMs?: number;
}

const HELLO_ROLES = { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } };

/** A minimal JSON WAMP session on `ws`, enough for the canary. */
class CanarySession {
  private readonly handlers: ((message: unknown[]) => void)[] = [];
  closedUnexpectedly?: string;
  private closing = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw: Buffer) => {
      let message: unknown;
      try {
        message = JSON.parse(raw.toString('utf8'));
      } catch {
        return;
      }
      if (Array.isArray(message)) for (const handler of this.handlers) handler(message);
    });
    socket.on('error', () => undefined);
  }

  static async open(url: string, realm: string, onClose: (reason: string) => void): Promise<CanarySession> {
    const socket = new WebSocket(url, 'wamp.2.json');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('canary: handshake not done within 5 s'));
      }, 5000);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const session = new CanarySession(socket);
    socket.on('close', (code: number, reason: Buffer) => {
      if (session.closing) return;
      session.closedUnexpectedly = `closed ${code} ${reason.toString()}`;
      onClose(session.closedUnexpectedly);
    });
    const welcome = session.expect((message) => message[0] === 2 || message[0] === 3, 5000);
    session.send([1, realm, HELLO_ROLES]);
    const answer = await welcome;
    if (answer[0] !== 2) {
      session.close();
      throw new Error(`canary: expected WELCOME, got ${JSON.stringify(answer)}`);
    }
    return session;
  }

  onMessage(handler: (message: unknown[]) => void): void {
    this.handlers.push(handler);
  }

  /** Resolves with the first message matching `match`, rejects after `timeout` ms. */
  expect(match: (message: unknown[]) => boolean, timeout: number): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const handler = (message: unknown[]): void => {
        if (!match(message)) return;
        clearTimeout(timer);
        this.handlers.splice(this.handlers.indexOf(handler), 1);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.handlers.splice(this.handlers.indexOf(handler), 1);
        reject(new Error(`canary: no expected message within ${timeout} ms`));
      }, timeout);
      this.handlers.push(handler);
    });
  }

  send(message: unknown[]): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes without counting it as a failure; a GOODBYE first, then the socket (bounded by ws's own close timer). */
  close(): void {
    this.closing = true;
    if (this.socket.readyState === WebSocket.OPEN) {
      this.send([6, {}, 'wamp.close.close_realm']);
      this.socket.close(1000);
      const socket = this.socket;
      setTimeout(() => socket.terminate(), 1000).unref();
    } else {
      this.socket.terminate();
    }
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * Starts the canary against `url` (the app must register {@link CanaryController}). Resolves once both
 * sessions joined and the subscription is in place.
 */
export async function startCanary(url: string, options: CanaryOptions = {}): Promise<Canary> {
  const realm = options.realm ?? 'realm1';
  const callInterval = options.callIntervalMs ?? 5;
  const tickInterval = options.tickIntervalMs ?? 10;
  const callTimeout = options.callTimeoutMs ?? 1000;
  const maxRun = options.maxRunMs ?? 170_000;

  const latencies: number[] = [];
  const errors: string[] = [];
  let failures = 0;
  const fail = (what: string): void => {
    failures++;
    if (errors.length < 20) errors.push(what);
  };

  const caller = await CanarySession.open(url, realm, (reason) => fail(`caller ${reason}`));
  let publisher: CanarySession;
  try {
    publisher = await CanarySession.open(url, realm, (reason) => fail(`publisher ${reason}`));
  } catch (error) {
    caller.close();
    throw error;
  }

  // Subscriber side (on the calling session).
  const received = new Set<number>();
  let events = 0;
  caller.onMessage((message) => {
    if (message[0] === 36 && Array.isArray(message[4]) && typeof message[4][0] === 'number') {
      events++;
      received.add(message[4][0]);
    }
  });
  try {
    caller.send([32, 1, {}, 'canary.tick']);
    const subscribed = await caller.expect(
      (message) => message[1] === 1 && (message[0] === 33 || message[0] === 8),
      5000,
    );
    if (subscribed[0] !== 33) throw new Error(`canary: SUBSCRIBE refused: ${JSON.stringify(subscribed)}`);
  } catch (error) {
    caller.close();
    publisher.close();
    throw error;
  }

  // Calls: one at a time, a new one at most every `callInterval` ms.
  let requestId = 1;
  let inFlight: { id: number; started: number; timer: NodeJS.Timeout } | undefined;
  caller.onMessage((message) => {
    if (!inFlight) return;
    if (message[0] === 50 && message[1] === inFlight.id) {
      latencies.push(performance.now() - inFlight.started);
      if (!Array.isArray(message[3]) || message[3][0] !== inFlight.id)
        fail(`wrong echo ${JSON.stringify(message)}`);
      clearTimeout(inFlight.timer);
      inFlight = undefined;
    } else if (message[0] === 8 && message[1] === 48 && message[2] === inFlight.id) {
      fail(`call ERROR ${JSON.stringify(message)}`);
      clearTimeout(inFlight.timer);
      inFlight = undefined;
    }
  });
  const callTimer = setInterval(() => {
    if (inFlight || caller.closedUnexpectedly) return;
    const id = ++requestId;
    const started = performance.now();
    const timer = setTimeout(() => {
      if (inFlight?.id !== id) return;
      fail(`call ${id} not answered within ${callTimeout} ms`);
      inFlight = undefined;
    }, callTimeout);
    inFlight = { id, started, timer };
    caller.send([48, id, {}, 'canary.echo', [id]]);
  }, callInterval);

  // Publications with a sequence number, acknowledged so a refusal is seen.
  let published = 0;
  let publishRequest = 0;
  publisher.onMessage((message) => {
    if (message[0] === 8 && message[1] === 16) fail(`publish ERROR ${JSON.stringify(message)}`);
  });
  const tickTimer = setInterval(() => {
    if (publisher.closedUnexpectedly) return;
    if (publisher.send([16, ++publishRequest, { acknowledge: true }, 'canary.tick', [published + 1]]))
      published++;
  }, tickInterval);

  let stopped: Promise<CanaryReport> | undefined;
  const report = (): CanaryReport => {
    const sorted = [...latencies].sort((a, b) => a - b);
    let gaps = 0;
    for (let seq = 1; seq <= published; seq++) if (!received.has(seq)) gaps++;
    const round = (value: number): number => Math.round(value * 100) / 100;
    return {
      calls: latencies.length,
      failures,
      p50: round(percentile(sorted, 0.5)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.length ? sorted[sorted.length - 1] : 0),
      events,
      eventGaps: gaps,
      errors: [...errors],
    };
  };
  const stop = (): Promise<CanaryReport> => {
    stopped ??= (async () => {
      clearTimeout(selfStop);
      clearInterval(callTimer);
      clearInterval(tickTimer);
      // Let the call in flight and the last events arrive (bounded).
      const deadline = performance.now() + callTimeout;
      while (
        performance.now() < deadline &&
        !caller.closedUnexpectedly &&
        (inFlight !== undefined || (published > 0 && !received.has(published)))
      ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (inFlight) {
        clearTimeout(inFlight.timer);
        fail(`call ${inFlight.id} still unanswered at stop`);
        inFlight = undefined;
      }
      const result = report();
      caller.close();
      publisher.close();
      return result;
    })();
    return stopped;
  };
  const selfStop = setTimeout(() => {
    fail(`canary not stopped within ${maxRun} ms`);
    void stop();
  }, maxRun);
  selfStop.unref();

  return { stop, snapshot: report };
}

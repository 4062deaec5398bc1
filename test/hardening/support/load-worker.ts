/**
 * The load generator's child process (started by load-generator.ts): thin WAMP peers over raw `ws` with
 * JSON, no client library, so the generator stays cheap next to the router it loads. EVENT frames are
 * counted from their first bytes without being parsed.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type {
  CallOutcomes,
  CycleRequest,
  ShutdownRequest,
  ShutdownSessionsReport,
  SoakRequest,
  StopCommand,
  WorkerCommand,
  WorkerReply,
} from './load-generator.js';

const HELLO = 1;
const WELCOME = 2;
const ABORT = 3;
const GOODBYE = 6;
const ERROR = 8;
const SUBSCRIBE = 32;
const SUBSCRIBED = 33;
const EVENT = 36;
const CALL = 48;
const RESULT = 50;

const ROLES = { roles: { caller: {}, subscriber: {}, publisher: {} } };
/** `[36,` : an EVENT, counted without parsing. */
const EVENT_PREFIX = Buffer.from(`[${EVENT},`);

type Message = unknown[];
type Answer = (message: Message) => void;

/** One thin WAMP peer: request/response bookkeeping, an EVENT counter, and what happened to the session. */
class Peer {
  events = 0;
  /** Messages received so far (EVENTs included): orders what arrived within one millisecond. */
  received = 0;
  goodbye?: { reason: string; at: number; order: number };
  aborted = false;
  closed?: { code: number; at: number };
  /** Set when this side started leaving (GOODBYE sent or socket cut): closes after that are expected. */
  leaving = false;
  readonly whenClosed: Promise<void>;
  /** Called when the router sends GOODBYE; the default answers it at once, as client libraries do. */
  onGoodbye: () => void = () => this.send([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
  private nextRequest = 1;
  private readonly answers = new Map<number, { final: Answer; progress?: Answer }>();
  private welcomed?: { resolve(): void; reject(error: Error): void };
  private goodbyeReplied?: () => void;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.onMessage(data));
    this.whenClosed = new Promise((resolve) =>
      socket.on('close', (code: number) => {
        this.closed = { code, at: Date.now() };
        this.welcomed?.reject(new Error(`closed ${code} before WELCOME`));
        resolve();
      }),
    );
  }

  static open(url: string, realm: string): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'wamp.2.json');
      socket.on('error', (error) => reject(error));
      socket.once('open', () => {
        const peer = new Peer(socket);
        peer.welcomed = {
          resolve: () => resolve(peer),
          reject: (error) => reject(error),
        };
        peer.send([HELLO, realm, ROLES]);
      });
    });
  }

  send(message: Message): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Sends a request built around a fresh request ID; `final` gets the RESULT / SUBSCRIBED / ERROR. */
  request(build: (request: number) => Message, final: Answer, progress?: Answer): number {
    const request = this.nextRequest++;
    this.answers.set(request, { final, progress });
    this.send(build(request));
    return request;
  }

  call(procedure: string, args: unknown[], options: Record<string, unknown> = {}): Promise<Message> {
    return new Promise((resolve) => this.request((r) => [CALL, r, options, procedure, args], resolve));
  }

  subscribe(topic: string): Promise<Message> {
    return new Promise((resolve) => this.request((r) => [SUBSCRIBE, r, {}, topic], resolve));
  }

  /** Sends GOODBYE and resolves when the router answered it and the socket closed (at most `timeoutMs`). */
  async leave(timeoutMs = 5000): Promise<boolean> {
    this.leaving = true;
    let replied = false;
    const reply = new Promise<void>((resolve) => {
      this.goodbyeReplied = () => {
        replied = true;
        resolve();
      };
    });
    this.send([GOODBYE, {}, 'wamp.close.close_realm']);
    await withTimeout(Promise.all([reply, this.whenClosed]), timeoutMs);
    if (!this.closed) this.socket.terminate();
    return replied;
  }

  /** Requests still waiting for their answer. */
  get outstanding(): number {
    return this.answers.size;
  }

  private onMessage(data: Buffer): void {
    this.received++;
    if (data.length > EVENT_PREFIX.length && data.subarray(0, EVENT_PREFIX.length).equals(EVENT_PREFIX)) {
      this.events++;
      return;
    }
    const message = JSON.parse(data.toString('utf8')) as Message;
    switch (message[0]) {
      case WELCOME: {
        const welcomed = this.welcomed;
        this.welcomed = undefined;
        welcomed?.resolve();
        return;
      }
      case ABORT:
        this.aborted = true;
        this.welcomed?.reject(new Error(`ABORT ${JSON.stringify(message)}`));
        this.welcomed = undefined;
        return;
      case GOODBYE:
        if (this.goodbyeReplied) {
          this.goodbyeReplied();
          return;
        }
        this.goodbye = { reason: String(message[2]), at: Date.now(), order: this.received };
        this.onGoodbye();
        return;
      case SUBSCRIBED:
      case RESULT: {
        const request = message[1] as number;
        const entry = this.answers.get(request);
        if (!entry) return;
        if (message[0] === RESULT && (message[2] as { progress?: boolean }).progress === true) {
          entry.progress?.(message);
          return;
        }
        this.answers.delete(request);
        entry.final(message);
        return;
      }
      case ERROR: {
        const request = message[2] as number;
        const entry = this.answers.get(request);
        if (!entry) return;
        this.answers.delete(request);
        entry.final(message);
        return;
      }
      default:
        return;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task(0..count-1)` with at most `concurrency` in progress; collects results and failures. */
async function pool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<{ results: (T | undefined)[]; failures: string[] }> {
  const results: (T | undefined)[] = new Array(count);
  const failures: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      try {
        results[index] = await task(index);
      } catch (error) {
        failures.push(`#${index}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { results, failures };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

function reply(message: WorkerReply): void {
  process.send?.(message);
}

/** Commands arriving while a scenario runs (`start`, `stop`). */
const signals = new Map<string, (command: WorkerCommand) => void>();
function waitFor<K extends 'start' | 'stop'>(kind: K): Promise<Extract<WorkerCommand, { kind: K }>> {
  return new Promise((resolve) =>
    signals.set(kind, (command) => resolve(command as Extract<WorkerCommand, { kind: K }>)),
  );
}

/** p50 / p99 / max of `values` (ms). */
function summary(values: Float64Array): { calls: number; p50: number; p99: number; max: number } {
  const sorted = values.slice().sort();
  return {
    calls: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.length > 0 ? sorted[sorted.length - 1] : NaN),
  };
}

async function soak(request: SoakRequest): Promise<void> {
  const joinStarted = performance.now();
  const { results, failures } = await pool(request.sessions, request.concurrency, async () => {
    const peer = await Peer.open(request.url, 'realm1');
    const subscribed = await peer.subscribe(request.topic);
    if (subscribed[0] !== SUBSCRIBED) throw new Error(`SUBSCRIBE failed: ${JSON.stringify(subscribed)}`);
    return peer;
  });
  const peers = results.filter((peer): peer is Peer => peer !== undefined);
  if (failures.length > 0) {
    for (const peer of peers) peer.socket.terminate();
    reply({ kind: 'failed', message: `${failures.length} sessions failed to join: ${failures.slice(0, 5)}` });
    return;
  }
  const joinMs = performance.now() - joinStarted;
  const started = waitFor('start');
  reply({ kind: 'ready', joined: peers.length, joinMs: round(joinMs) });
  await started;

  let latencies = new Float64Array(1 << 16);
  /** When each call was sent (epoch ms), to match calls against the server's pauses. */
  let sentAts = new Float64Array(1 << 16);
  let calls = 0;
  let errors = 0;
  let wrongResults = 0;
  const errorSamples: string[] = [];
  let stopped = false;
  const cpuBefore = process.cpuUsage();
  const runStarted = performance.now();
  const timers = new Set<NodeJS.Timeout>();

  const loop = (peer: Peer, index: number): void => {
    if (stopped || peer.closed) return;
    const sequence = calls + errors;
    const sentAt = performance.now();
    void peer.call(request.procedure, [index, sequence]).then((answer) => {
      const latency = performance.now() - sentAt;
      if (answer[0] === RESULT) {
        if (calls === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
          const grownSentAts = new Float64Array(sentAts.length * 2);
          grownSentAts.set(sentAts);
          sentAts = grownSentAts;
        }
        sentAts[calls] = performance.timeOrigin + sentAt;
        latencies[calls++] = latency;
        const echoed = answer[3] as unknown[] | undefined;
        if (!Array.isArray(echoed) || JSON.stringify(echoed[0]) !== JSON.stringify([index, sequence]))
          wrongResults++;
      } else {
        errors++;
        if (errorSamples.length < 10) errorSamples.push(JSON.stringify(answer));
      }
      if (stopped) return;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          loop(peer, index);
        },
        Math.max(0, request.callIntervalMs - latency),
      );
      timers.add(timer);
    });
  };
  peers.forEach((peer, index) => {
    // Spread the sessions' first calls over one interval, so the load is steady rather than in waves.
    const timer = setTimeout(() => {
      timers.delete(timer);
      loop(peer, index);
    }, Math.random() * request.callIntervalMs);
    timers.add(timer);
  });

  const stop: StopCommand = await waitFor('stop');
  stopped = true;
  for (const timer of timers) clearTimeout(timer);
  const runMs = performance.now() - runStarted;
  const drainDeadline = Date.now() + 5000;
  while (peers.some((peer) => peer.outstanding > 0) && Date.now() < drainDeadline) await sleep(20);
  const unanswered = peers.reduce((sum, peer) => sum + peer.outstanding, 0);
  const cpu = process.cpuUsage(cpuBefore);
  const unexpectedCloses = peers.filter((peer) => peer.closed || peer.aborted || peer.goodbye).length;

  const left = await Promise.all(peers.map((peer) => peer.leave()));
  const all = summary(latencies.subarray(0, calls));
  const pauses = stop.pauses ?? [];
  const quiet = latencies.subarray(0, calls).filter((latency, index) => {
    const sent = sentAts[index];
    return !pauses.some(([from, to]) => sent < to + 5 && sent + latency > from - 5);
  });
  const events = peers.map((peer) => peer.events);
  reply({
    kind: 'soakResult',
    sessions: peers.length,
    joinMs: round(joinMs),
    runMs: round(runMs),
    calls,
    errors: errors + unanswered,
    unanswered,
    wrongResults,
    p50: all.p50,
    p99: all.p99,
    max: all.max,
    quiet: summary(quiet),
    eventsMin: Math.min(...events),
    eventsMax: Math.max(...events),
    eventsTotal: events.reduce((sum, count) => sum + count, 0),
    unexpectedCloses,
    goodbyeReplies: left.filter(Boolean).length,
    cpuMs: round((cpu.user + cpu.system) / 1000),
    errorSamples,
  });
}

async function cycle(request: CycleRequest): Promise<void> {
  const started = performance.now();
  let joined = 0;
  let subscribed = 0;
  let called = 0;
  let goodbyeReplies = 0;
  let terminatedInCall = 0;
  const { failures } = await pool(request.sessions, request.concurrency, async (index) => {
    const peer = await Peer.open(request.url, 'realm1');
    joined++;
    try {
      const subscription = await peer.subscribe(`${request.topicPrefix}${index % request.topics}`);
      if (subscription[0] !== SUBSCRIBED)
        throw new Error(`SUBSCRIBE failed: ${JSON.stringify(subscription)}`);
      subscribed++;
      const answer = await peer.call(request.procedure, [index]);
      if (answer[0] !== RESULT) throw new Error(`CALL failed: ${JSON.stringify(answer)}`);
      called++;
      if (index % 2 === 0) {
        if (await peer.leave()) goodbyeReplies++;
        else throw new Error('GOODBYE not answered within 5 s');
        return;
      }
      // Leave abruptly with a call in flight: cut the socket once the procedure reported it is running.
      peer.leaving = true;
      const running = new Promise<void>((resolve) =>
        peer.request(
          (r) => [CALL, r, { receive_progress: true }, request.holdProcedure, []],
          () => resolve(),
          () => resolve(),
        ),
      );
      await withTimeout(running, 5000);
      peer.socket.terminate();
      terminatedInCall++;
      await peer.whenClosed;
    } catch (error) {
      peer.socket.terminate();
      throw error;
    }
  });
  reply({
    kind: 'cycleResult',
    ms: round(performance.now() - started),
    joined,
    subscribed,
    called,
    goodbyeReplies,
    terminatedInCall,
    failures: failures.length,
    errorSamples: failures.slice(0, 10),
  });
}

async function shutdown(request: ShutdownRequest): Promise<void> {
  interface Outcome {
    kind: 'result' | 'error';
    uri?: string;
    at: number;
    /** The peer's message count when the answer arrived (compared with GOODBYE's). */
    order: number;
  }
  interface Tracked {
    peer: Peer;
    prompt: boolean;
    near?: Outcome;
    long?: Outcome;
  }
  const joinStarted = performance.now();
  const { results, failures } = await pool(request.sessions, request.concurrency, async (index) => {
    const peer = await Peer.open(request.url, 'realm1');
    const prompt = index < request.promptSessions;
    // Lingering sessions never answer the router's GOODBYE (the router must not wait for them forever).
    if (!prompt) peer.onGoodbye = () => undefined;
    return { peer, prompt } as Tracked;
  });
  const tracked = results.filter((entry): entry is Tracked => entry !== undefined);
  if (failures.length > 0) {
    for (const entry of tracked) entry.peer.socket.terminate();
    reply({ kind: 'failed', message: `${failures.length} sessions failed to join: ${failures.slice(0, 5)}` });
    return;
  }
  const outcome = (peer: Peer, answer: Message): Outcome =>
    answer[0] === RESULT
      ? { kind: 'result', at: Date.now(), order: peer.received }
      : { kind: 'error', uri: String(answer[4]), at: Date.now(), order: peer.received };
  for (const entry of tracked) {
    const { peer } = entry;
    void peer.call(request.nearProcedure, []).then((answer) => (entry.near = outcome(peer, answer)));
    void peer.call(request.longProcedure, []).then((answer) => (entry.long = outcome(peer, answer)));
  }
  reply({ kind: 'ready', joined: tracked.length, joinMs: round(performance.now() - joinStarted) });

  await withTimeout(Promise.all(tracked.map((entry) => entry.peer.whenClosed)), request.maxWaitMs);

  const outcomes = (entries: Tracked[], which: 'near' | 'long'): CallOutcomes => {
    const errorUris: Record<string, number> = {};
    let resultsBeforeGoodbye = 0;
    let resultsAfterGoodbye = 0;
    let errorsBeforeGoodbye = 0;
    let errorsAfterGoodbye = 0;
    let unanswered = 0;
    for (const entry of entries) {
      const answer = entry[which];
      if (!answer) {
        unanswered++;
        continue;
      }
      const afterGoodbye = entry.peer.goodbye !== undefined && answer.order > entry.peer.goodbye.order;
      if (answer.kind === 'result') {
        if (afterGoodbye) resultsAfterGoodbye++;
        else resultsBeforeGoodbye++;
      } else {
        if (afterGoodbye) errorsAfterGoodbye++;
        else errorsBeforeGoodbye++;
        errorUris[answer.uri as string] = (errorUris[answer.uri as string] ?? 0) + 1;
      }
    }
    return {
      calls: entries.length,
      resultsBeforeGoodbye,
      resultsAfterGoodbye,
      errorsBeforeGoodbye,
      errorsAfterGoodbye,
      unanswered,
      errorUris,
    };
  };
  const report = (entries: Tracked[]): ShutdownSessionsReport => {
    const goodbyes: Record<string, number> = {};
    const closeCodes: Record<string, number> = {};
    for (const { peer } of entries) {
      if (peer.goodbye) goodbyes[peer.goodbye.reason] = (goodbyes[peer.goodbye.reason] ?? 0) + 1;
      if (peer.closed) closeCodes[peer.closed.code] = (closeCodes[peer.closed.code] ?? 0) + 1;
    }
    return {
      sessions: entries.length,
      goodbyes,
      aborts: entries.filter(({ peer }) => peer.aborted).length,
      closeCodes,
      notClosed: entries.filter(({ peer }) => !peer.closed).length,
      near: outcomes(entries, 'near'),
      long: outcomes(entries, 'long'),
    };
  };
  const times = (pick: (entry: Tracked) => number | undefined): number[] =>
    tracked.map(pick).filter((time): time is number => time !== undefined);
  const goodbyeTimes = times((entry) => entry.peer.goodbye?.at);
  const answerTimes = [...times((entry) => entry.near?.at), ...times((entry) => entry.long?.at)];
  const closeTimes = times((entry) => entry.peer.closed?.at);
  for (const entry of tracked) if (!entry.peer.closed) entry.peer.socket.terminate();
  reply({
    kind: 'shutdownResult',
    prompt: report(tracked.filter((entry) => entry.prompt)),
    linger: report(tracked.filter((entry) => !entry.prompt)),
    firstGoodbyeAt: goodbyeTimes.length > 0 ? Math.min(...goodbyeTimes) : NaN,
    lastGoodbyeAt: goodbyeTimes.length > 0 ? Math.max(...goodbyeTimes) : NaN,
    lastAnswerAt: answerTimes.length > 0 ? Math.max(...answerTimes) : NaN,
    lastCloseAt: closeTimes.length > 0 ? Math.max(...closeTimes) : NaN,
  });
}

function run(task: Promise<void>): void {
  task.catch((error: unknown) =>
    reply({
      kind: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
  );
}

process.on('message', (command: WorkerCommand) => {
  switch (command.kind) {
    case 'soak':
      run(soak(command));
      return;
    case 'cycle':
      run(cycle(command));
      return;
    case 'shutdown':
      run(shutdown(command));
      return;
    case 'start':
    case 'stop': {
      const signal = signals.get(command.kind);
      signals.delete(command.kind);
      signal?.(command);
      return;
    }
    case 'exit':
      process.exit(0);
  }
});
// The Jest process went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
// Hard bound on the worker's life, whatever happens to the Jest process.
setTimeout(() => process.exit(3), 175_000).unref();
reply({ kind: 'online' });

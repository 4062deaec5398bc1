/**
 * The fan-out scenario's load generator, run as its own process by bench/scenarios/fan-out.ts (pinned to
 * another core than the server):
 *   node --import @swc-node/register/esm-register bench/scenarios/fan-out-load.ts '<FanOutSpec as JSON>'
 * One process holds the publisher and every subscriber, so a publication's send time (carried in its
 * payload, `[seq, sentAt]`) and each subscriber's receive time come from the same `performance.now()` clock.
 *
 * Pacing: at most `window` publications are outstanding, where a publication is done once it is
 * acknowledged AND every live subscriber received it (or is known to have missed it). Pacing on the ack
 * alone would let the publisher outrun the subscribers whenever this process reads slower than the server
 * writes: queues would grow without bound, and the router's slow-consumer limit would drop EVENTs that
 * the benchmark, not the router, failed to read.
 *
 * After `warmupMs` it prints `MEASURE start`, counts for `measureMs`, prints `MEASURE end`, stops
 * publishing, lets outstanding publications drain, then prints one JSON line (FanOutResult) and exits.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { measureWindow, runGeneratorMain, type WindowState } from '../child-process.js';
import { percentile } from '../statistics.js';

/** Which wire the generator speaks: WAMP over JSON, or the same frames to the raw ws baseline. */
export type FanOutProtocol = 'raw-json' | 'wamp-json';

/** What one generator run does; passed as JSON on the command line. */
export interface FanOutSpec {
  readonly url: string;
  readonly protocol: FanOutProtocol;
  readonly subscribers: number;
  /** Publications outstanding at once (published but not yet acknowledged and delivered everywhere). */
  readonly window: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** One generator run's figures (the last line of its stdout). */
export interface FanOutResult {
  readonly ok: true;
  /** EVENTs received inside the measured window, summed over subscribers. */
  readonly events: number;
  readonly eventRate: number;
  /** Publications acknowledged inside the measured window. */
  readonly publications: number;
  readonly publicationRate: number;
  /** Delivery latency in ms (publish sent -> EVENT received) of publications sent inside the window. */
  readonly p50: number;
  readonly p99: number;
  /** Generator CPU use over the measured window, as a fraction of one core. */
  readonly cpu: number;
  /** Publications sent over the whole run, and EVENTs expected / received for them after the drain. */
  readonly published: number;
  readonly expected: number;
  readonly received: number;
  /** EVENTs expected but never received (expected - received). */
  readonly lost: number;
  /** EVENTs received after a later publication's EVENT on the same subscriber (or twice). */
  readonly outOfOrder: number;
  /** Publications given up on after STALL_MS without progress (some subscriber never got them). */
  readonly stalls: number;
  /** EVENTs whose publication ID differs from the one PUBLISHED reported. */
  readonly mismatched: number;
  /** Socket errors, unexpected closes, WAMP ERRORs. */
  readonly errors: number;
}

const TOPIC = 'bench.fanout';
const REALM = 'realm1';
/** A publication with no progress for this long is given up on, so one lost EVENT cannot stall the run. */
const STALL_MS = 1000;
/** How long, after the window, outstanding publications may take to arrive before losses are counted. */
const DRAIN_MS = 3000;

interface Subscriber {
  readonly socket: WebSocket;
  /** The next publication sequence number this subscriber expects (publications arrive in order). */
  next: number;
  /** EVENTs received over the run. */
  received: number;
  live: boolean;
}

interface Publication {
  readonly seq: number;
  acked: boolean;
  /** Live subscribers that have neither received it nor been seen to miss it. */
  remaining: number;
  /** Publication ID from PUBLISHED or from the first EVENT, whichever came first. */
  id?: number;
}

let spec: FanOutSpec;
let publisher: WebSocket;
const subscribers: Subscriber[] = [];
const pending = new Map<number, Publication>();
let liveSubscribers = 0;
let published = 0;
let lastProgress = 0;
/** The measured window: EVENTs and acks are counted while it is open. */
const measured: WindowState = { open: false, startedAt: 0 };
let stopped = false;
let events = 0;
let publications = 0;
let outOfOrder = 0;
let stalls = 0;
let mismatched = 0;
let errors = 0;
const latencies: number[] = [];

function publish(): void {
  const seq = ++published;
  pending.set(seq, { seq, acked: false, remaining: liveSubscribers });
  // The request ID is the sequence number, so PUBLISHED names the publication directly.
  publisher.send(JSON.stringify([16, seq, { acknowledge: true }, TOPIC, [seq, performance.now()]]));
}

function complete(publication: Publication): void {
  pending.delete(publication.seq);
  lastProgress = performance.now();
  if (!stopped) publish();
}

/** One subscriber is done with publication `seq` (received it, or is known to have missed it). */
function settle(seq: number): void {
  const publication = pending.get(seq);
  if (publication === undefined) return; // given up on (stall) already
  if (--publication.remaining <= 0 && publication.acked) complete(publication);
}

function checkId(publication: Publication | undefined, id: number): void {
  if (publication === undefined) return;
  if (publication.id === undefined) publication.id = id;
  else if (publication.id !== id) mismatched++;
}

function onAck(request: number, id: number | undefined): void {
  const publication = pending.get(request);
  if (publication === undefined || publication.acked) return;
  if (id !== undefined) checkId(publication, id);
  publication.acked = true;
  if (measured.open) publications++;
  if (publication.remaining <= 0) complete(publication);
}

function onEvent(subscriber: Subscriber, seq: number, sentAt: number, id: number): void {
  const now = performance.now();
  subscriber.received++;
  if (measured.open) {
    events++;
    if (sentAt >= measured.startedAt) latencies.push(now - sentAt);
  }
  if (seq < subscriber.next) {
    // Late or duplicate: its slot was settled when a later publication showed it missing.
    outOfOrder++;
    return;
  }
  // A gap: the publications skipped are missed by this subscriber (events of one publisher arrive in order).
  for (let missed = subscriber.next; missed < seq; missed++) settle(missed);
  subscriber.next = seq + 1;
  checkId(pending.get(seq), id);
  settle(seq);
}

/**
 * The hot path: one EVENT frame, `[36,<subscription>,<publication>,{},[<seq>,<sentAt>]]`, scanned without
 * JSON.parse (the generator is the tighter core in this scenario, every microsecond here is one of 1,000
 * per publication). Anything else goes through JSON.parse.
 */
function onSubscriberFrame(subscriber: Subscriber, data: Buffer): void {
  const text = data.toString('latin1');
  if (text.startsWith('[36,') && text.endsWith(']]')) {
    const afterSubscription = text.indexOf(',', 4);
    const afterPublication = text.indexOf(',', afterSubscription + 1);
    const args = text.lastIndexOf('[');
    const comma = text.indexOf(',', args);
    const id = Number(text.slice(afterSubscription + 1, afterPublication));
    const seq = Number(text.slice(args + 1, comma));
    const sentAt = Number(text.slice(comma + 1, text.length - 2));
    if (Number.isInteger(seq) && Number.isFinite(sentAt)) {
      onEvent(subscriber, seq, sentAt, id);
      return;
    }
  }
  const message = JSON.parse(text) as unknown[];
  if (message[0] === 36) {
    const [seq, sentAt] = message[4] as [number, number];
    onEvent(subscriber, seq, sentAt, message[2] as number);
  } else {
    errors++;
    process.stderr.write(`subscriber got ${text.slice(0, 200)}\n`);
  }
}

/** A subscriber went away: it will never settle what it has not received yet. */
function drop(subscriber: Subscriber): void {
  if (!subscriber.live) return;
  subscriber.live = false;
  liveSubscribers--;
  for (const seq of [...pending.keys()]) if (seq >= subscriber.next) settle(seq);
}

/**
 * Opens one WebSocket and, for WAMP, completes HELLO/WELCOME (and SUBSCRIBE/SUBSCRIBED when `subscribe`).
 * Resolves with the open socket; the caller then installs its own message handler.
 */
function connect(subscribe: boolean): Promise<WebSocket> {
  const wamp = spec.protocol === 'wamp-json';
  return new Promise((resolve, reject) => {
    // skipUTF8Validation: frames are scanned as latin1 (ASCII JSON); validating each one costs the generator.
    const socket = new WebSocket(spec.url, wamp ? ['wamp.2.json'] : [], {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const fail = (error: Error): void => {
      socket.terminate();
      reject(error);
    };
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('closed during the handshake')));
    const ready = (): void => {
      socket.off('error', fail);
      socket.removeAllListeners('close');
      socket.removeAllListeners('message');
      // From here on an error is counted, never thrown (an 'error' event without a listener would be).
      socket.on('error', () => errors++);
      resolve(socket);
    };
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[0] === 2 && subscribe) socket.send(JSON.stringify([32, 1, {}, TOPIC])); // WELCOME -> SUBSCRIBE
      else if (message[0] === 2 || message[0] === 33) ready(); // WELCOME (publisher) or SUBSCRIBED
      else fail(new Error(`unexpected ${data.toString().slice(0, 200)}`));
    });
    socket.once('open', () => {
      if (!wamp) ready();
      else socket.send(JSON.stringify([1, REALM, { roles: subscribe ? { subscriber: {} } : { publisher: {} } }]));
    });
  });
}

function onPublisherFrame(data: Buffer): void {
  const message = JSON.parse(data.toString()) as unknown[];
  if (message[0] === 17) {
    onAck(message[1] as number, message[2] as number);
  } else if (message[0] === 8) {
    // ERROR for the PUBLISH: count it and move on, or the window would wait for nothing.
    errors++;
    process.stderr.write(`publisher got ${data.toString().slice(0, 200)}\n`);
    onAck(message[2] as number, undefined);
  } else {
    errors++;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  spec = JSON.parse(process.argv[2] ?? '') as FanOutSpec;
  if (typeof spec.url !== 'string') throw new Error(`usage: bench/scenarios/fan-out-load.ts '<FanOutSpec as JSON>'`);
  // Batches of 50 handshakes: a burst of 1,000 would overflow the listen backlog for no benefit.
  for (let offset = 0; offset < spec.subscribers; offset += 50) {
    const batch = Math.min(50, spec.subscribers - offset);
    const sockets = await Promise.all(Array.from({ length: batch }, () => connect(true)));
    for (const socket of sockets) {
      const subscriber: Subscriber = { socket, next: 1, received: 0, live: true };
      subscribers.push(subscriber);
      liveSubscribers++;
      socket.on('message', (data: Buffer) => onSubscriberFrame(subscriber, data));
      socket.on('close', () => {
        if (!stopped) errors++;
        drop(subscriber);
      });
    }
  }
  // The publisher joins last: every subscriber holds its subscription before the first publication, so
  // each one must receive every publication.
  publisher = await connect(false);
  publisher.on('message', onPublisherFrame);
  publisher.on('close', () => {
    if (!stopped) errors++;
  });

  lastProgress = performance.now();
  const stallCheck = setInterval(() => {
    if (pending.size === 0 || performance.now() - lastProgress < STALL_MS) return;
    stalls++;
    complete(pending.values().next().value as Publication);
  }, 100);
  for (let i = 0; i < spec.window; i++) publish();

  const { elapsedMs: elapsed, cpu } = await measureWindow(spec.warmupMs, spec.measureMs, measured);
  stopped = true;

  // Let outstanding publications arrive before counting what is missing.
  const drainUntil = performance.now() + DRAIN_MS;
  while (pending.size > 0 && performance.now() < drainUntil) await sleep(10);
  clearInterval(stallCheck);
  const expected = published * subscribers.length;
  const received = subscribers.reduce((sum, subscriber) => sum + subscriber.received, 0);
  latencies.sort((a, b) => a - b);
  const result: FanOutResult = {
    ok: true,
    events,
    eventRate: (events / elapsed) * 1000,
    publications,
    publicationRate: (publications / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpu,
    published,
    expected,
    received,
    lost: Math.max(0, expected - received),
    outOfOrder,
    stalls,
    mismatched,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  publisher.terminate();
  for (const subscriber of subscribers) subscriber.socket.terminate();
  process.exit(0);
}

// Hard bound, whatever happens (the orchestrator allows warm-up + measure + 60 s).
runGeneratorMain(main, 150_000);

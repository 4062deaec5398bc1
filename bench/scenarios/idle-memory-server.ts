/**
 * The server of the idle-memory scenario, run as its own process (with `--expose-gc`) by
 * bench/scenarios/idle-memory.ts:
 *   node --expose-gc --import @swc-node/register/esm-register bench/scenarios/idle-memory-server.ts <variant>
 * Listens on 127.0.0.1 (free port), prints `READY <port>` on stdout, and exits when its stdin closes (the
 * orchestrator went away) or after a watchdog. Commands, one a line on stdin:
 * - `measure`: collects garbage a few times, then prints `MEMORY <MemorySnapshot as JSON>`.
 * Variants:
 * - `raw-ws`: a raw `ws` WebSocketServer (perMessageDeflate off, client tracking on as `ws` defaults to)
 *   echoing each message, the baseline of what one open WebSocket costs;
 * - `wamp`: a Nest app with `WampModule` sharing the app's HTTP server, the WAMP endpoint at `/ws`.
 */
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { announceReady, exitWithOrchestrator, runServerMain } from '../child-process.js';

/** The server variants this process can run (import only the type elsewhere: this module starts a server). */
export const IDLE_SERVER_VARIANTS = ['raw-ws', 'wamp'] as const;
/** One of {@link IDLE_SERVER_VARIANTS}. */
export type IdleServerVariant = (typeof IDLE_SERVER_VARIANTS)[number];

/** What `measure` prints: `process.memoryUsage()` after GC, and what the server holds at that moment. */
export interface MemorySnapshot {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** Memory of C++ objects bound to JS objects, ArrayBuffers included. */
  readonly external: number;
  readonly arrayBuffers: number;
  /** Open WebSocket connections the server tracks. */
  readonly connections: number;
  /** WAMP sessions the router holds (joined or joining); equal to `connections` for raw ws. */
  readonly sessions: number;
  /** Subscriptions (distinct topics subscribed) in the realm's broker; 0 for raw ws. */
  readonly subscriptions: number;
}

/** Counts the server reports with each snapshot. */
interface Counts {
  connections(): number;
  sessions(): number;
  subscriptions(): number;
}

/**
 * The WAMP router as an application would run it: the transport connected as a microservice (no handlers:
 * only idle sessions) and the endpoint on the app's HTTP server. maxConnections is raised above the
 * default 10,000 so that a full run's 10,000 sessions plus stragglers are never refused.
 */
async function startWamp(): Promise<{ port: number; counts: Counts }> {
  // Loaded here, not at the top: the raw ws baseline process then holds no Nest at all (and starts faster).
  const [{ portOf, startWampApp }, { WampGateway }, { LocalBroker, WampRouter }] = await Promise.all([
    import('../nest-apps.js'),
    import('../../lib/index.js'),
    import('../../lib/core/index.js'),
  ]);
  const app = await startWampApp({ realms: ['realm1'], maxConnections: 20_000 });
  const gateway = app.get(WampGateway);
  const router = app.get(WampRouter);
  const broker = router.realms.get('realm1')?.broker;
  return {
    port: portOf(app),
    counts: {
      connections: () => gateway.endpoint.connectionCount,
      sessions: () => router.sessionCount,
      // The broker interface has no count; the router's own LocalBroker has one.
      subscriptions: () => (broker instanceof LocalBroker ? broker.subscriptionCount : NaN),
    },
  };
}

/** The baseline: raw `ws`, echoing every message as it came. */
function startRawWs(): Promise<{ port: number; counts: Counts }> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
    });
    const connections = (): number => server.clients.size;
    server.on('listening', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        counts: { connections, sessions: connections, subscriptions: () => 0 },
      }),
    );
  });
}

/**
 * Full collections with pauses between them: the pauses let finalizers and weak callbacks run (sockets'
 * native handles, Buffers' backing stores), which frees `external` memory only on a later collection.
 */
async function measure(counts: Counts): Promise<MemorySnapshot> {
  const collect = globalThis.gc;
  if (!collect) throw new Error('run the server with --expose-gc');
  for (let pass = 0; pass < 4; pass++) {
    collect();
    await sleep(30);
  }
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    connections: counts.connections(),
    sessions: counts.sessions(),
    subscriptions: counts.subscriptions(),
  };
}

async function main(): Promise<void> {
  const variant = process.argv[2] as IdleServerVariant;
  let started: { port: number; counts: Counts };
  switch (variant) {
    case 'raw-ws':
      started = await startRawWs();
      break;
    case 'wamp':
      started = await startWamp();
      break;
    default:
      throw new Error(`unknown server variant ${String(variant)}; one of ${IDLE_SERVER_VARIANTS.join(', ')}`);
  }
  // Commands are answered one at a time, in order: a snapshot must not overlap the previous one's GCs.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'measure') return;
    queue = queue.then(async () => {
      process.stdout.write(`MEMORY ${JSON.stringify(await measure(started.counts))}\n`);
    });
  });
  announceReady(started.port);
}

// Exits when the orchestrator goes away (stdin closed), and after 5 min at most (BENCH_SERVER_MAX_MS overrides it).
exitWithOrchestrator(5 * 60_000);
runServerMain(main);

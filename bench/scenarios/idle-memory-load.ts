/**
 * The load generator of the idle-memory scenario, run as its own process (pinned to another core than the
 * server) by bench/scenarios/idle-memory.ts:
 *   node --import @swc-node/register/esm-register bench/scenarios/idle-memory-load.ts '<IdleSpec as JSON>'
 * Thin peers over raw `ws` (no client library). It can start before its server is up: it obeys commands,
 * one a line on stdin, each answered with one line:
 * - `target <url>`: the server to talk to; opens and closes `warmup` sessions (so that what the server builds
 *   lazily on its first connections is not counted per session): `WARMED <IdleReport>`;
 * - `open`: opens `sessions` sessions, `concurrency` at a time, and holds them: `OPENED <IdleReport>`;
 * - `subscribe` (wamp): each held session subscribes to a topic of its own: `SUBSCRIBED <IdleReport>`;
 * - `close`: closes every held session (WebSocket close, no GOODBYE: the client that goes away), waits for
 *   the closes, prints `CLOSED <IdleReport>` and exits.
 * It exits too when its stdin closes (the orchestrator went away), and after a watchdog.
 *
 * One session, by protocol: `raw-ws` = connect + one small echo round trip (so both ends have passed a
 * message, as the WAMP sessions have); `wamp` = connect with `wamp.2.json` + HELLO -> WELCOME.
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { exitAfter, exitOnStdinEnd, runServerMain } from '../child-process.js';

/** How a session speaks. */
export type IdleProtocol = 'raw-ws' | 'wamp';

/** What the generator runs (its one argument, as JSON); the server's URL comes later, with `target`. */
export interface IdleSpec {
  readonly protocol: IdleProtocol;
  /** Sessions held open. */
  readonly sessions: number;
  /** Sessions being opened (or subscribing) at any time. */
  readonly concurrency: number;
  /** Sessions opened and closed before the first measurement. */
  readonly warmup: number;
  /** An open or subscribe not answered after this many ms counts as a failure. */
  readonly timeoutMs: number;
}

/** The JSON part of every line the generator prints after a step. */
export interface IdleReport {
  /** Sessions held open now. */
  readonly open: number;
  /** Sessions that completed the step (opened, subscribed, closed). */
  readonly done: number;
  /** Sessions for which the step failed. */
  readonly failures: number;
  /** Held sessions that the server closed unexpectedly so far (none should be, while idle). */
  readonly lost: number;
  readonly elapsedMs: number;
  /** Failure reasons and how often each occurred (the first few distinct ones). */
  readonly errors: Record<string, number>;
}

/** One held session. */
interface Peer {
  readonly socket: WebSocket;
  /** Settles the step in progress on this peer (subscribe) with the message that answers it. */
  onReply?: (message: unknown[]) => void;
  /** Set once the generator itself closes the socket: a close before that is a loss. */
  closing: boolean;
}

const HELLO = JSON.stringify([1, 'realm1', { roles: { caller: {}, subscriber: {} } }]);
const ECHO = '{"n":1}';

let lost = 0;
const errors: Record<string, number> = {};

function recordError(reason: string): void {
  // A handful of distinct reasons is enough to diagnose; keep the line short.
  if (reason in errors || Object.keys(errors).length < 5) errors[reason] = (errors[reason] ?? 0) + 1;
}

/** Opens one session and resolves once it is ready (echo answered, WELCOME received). */
function openPeer(spec: IdleSpec, url: string): Promise<Peer> {
  const socket = new WebSocket(url, spec.protocol === 'wamp' ? ['wamp.2.json'] : [], { perMessageDeflate: false });
  const peer: Peer = { socket, closing: false };
  return new Promise((resolve, reject) => {
    // Settled once the handshake succeeded or failed; opened only if it succeeded.
    let settled = false;
    let opened = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail('timeout (handshake)'), spec.timeoutMs);
    socket.once('error', (error) => fail(error.message));
    socket.once('close', (code) => {
      if (!settled) fail(`closed (${code}) during the handshake`);
      else if (opened && !peer.closing) lost++;
    });
    socket.once('open', () => socket.send(spec.protocol === 'wamp' ? HELLO : ECHO));
    socket.on('message', (data: Buffer) => {
      if (settled && !opened) return;
      if (!opened) {
        if (spec.protocol === 'wamp' && !data.toString().startsWith('[2,')) {
          fail(`unexpected ${data.toString().slice(0, 80)}`);
          return;
        }
        settled = true;
        opened = true;
        clearTimeout(timer);
        resolve(peer);
        return;
      }
      if (!peer.onReply) return;
      try {
        peer.onReply(JSON.parse(data.toString()) as unknown[]);
      } catch {
        recordError(`not JSON: ${data.toString().slice(0, 80)}`);
      }
    });
  });
}

/** Runs `task` for `count` items, `concurrency` at a time; returns how many succeeded. */
async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  let succeeded = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
        succeeded++;
      } catch (error) {
        recordError((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return succeeded;
}

/** Subscribes one session to its own topic; resolves on SUBSCRIBED. */
function subscribe(spec: IdleSpec, peer: Peer, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      peer.onReply = undefined;
      reject(new Error('timeout (subscribe)'));
    }, spec.timeoutMs);
    peer.onReply = (message) => {
      peer.onReply = undefined;
      clearTimeout(timer);
      if (message[0] === 33 && message[1] === 1) resolve();
      else reject(new Error(`unexpected ${JSON.stringify(message).slice(0, 80)}`));
    };
    // Request ID 1: the session's first request. Distinct topics: each subscription is its own broker entry.
    peer.socket.send(JSON.stringify([32, 1, {}, `bench.idle.topic${index}`]));
  });
}

/** Closes every peer's socket and resolves when all have closed (or after `timeoutMs`, cutting the rest). */
async function closeAll(spec: IdleSpec, peers: Peer[]): Promise<number> {
  let closed = 0;
  await Promise.all(
    peers.map(
      (peer) =>
        new Promise<void>((resolve) => {
          peer.closing = true;
          if (peer.socket.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          const timer = setTimeout(() => {
            peer.socket.terminate();
            resolve();
          }, spec.timeoutMs);
          peer.socket.once('close', () => {
            clearTimeout(timer);
            closed++;
            resolve();
          });
          peer.socket.close(1000);
        }),
    ),
  );
  return closed;
}

function report(kind: string, peers: Peer[], done: number, attempted: number, startedAt: number): void {
  const open = peers.filter((peer) => peer.socket.readyState === WebSocket.OPEN).length;
  const line: IdleReport = {
    open,
    done,
    failures: attempted - done,
    lost,
    elapsedMs: performance.now() - startedAt,
    errors,
  };
  process.stdout.write(`${kind} ${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as IdleSpec;
  const held: Peer[] = [];
  let url = '';

  // Commands run one after the other, in the order they came.
  let queue = Promise.resolve();
  const run = async (line: string): Promise<void> => {
    const startedAt = performance.now();
    const [command, argument] = line.split(' ');
    switch (command) {
      case 'target': {
        url = argument ?? '';
        const warm: Peer[] = [];
        const warmed = await pool(spec.warmup, spec.concurrency, async () => void warm.push(await openPeer(spec, url)));
        await closeAll(spec, warm);
        report('WARMED', [], warmed, spec.warmup, startedAt);
        return;
      }
      case 'open': {
        const opened = await pool(spec.sessions, spec.concurrency, async () => void held.push(await openPeer(spec, url)));
        report('OPENED', held, opened, spec.sessions, startedAt);
        return;
      }
      case 'subscribe': {
        const live = held.filter((peer) => peer.socket.readyState === WebSocket.OPEN);
        const subscribed = await pool(live.length, spec.concurrency, (index) => subscribe(spec, live[index]!, index));
        report('SUBSCRIBED', held, subscribed, live.length, startedAt);
        return;
      }
      case 'close': {
        const closed = await closeAll(spec, held);
        report('CLOSED', held, closed, held.length, startedAt);
        process.exit(0);
        return;
      }
      default:
        process.stderr.write(`unknown command ${command}\n`);
    }
  };
  createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(() => run(line.trim()));
  });
}

// The orchestrator went away (its end of our stdin closed): drop everything. main's readline reads stdin.
exitOnStdinEnd();
// Hard bound, whatever happens (a full run holds its sessions for well under a minute).
exitAfter(150_000);
// Failures go to stderr: stdout carries the replies to the orchestrator's commands.
runServerMain(main);

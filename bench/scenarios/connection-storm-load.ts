/**
 * The load generator of the connection-storm scenario, run as its own process (pinned to another core than
 * the server) by bench/scenarios/connection-storm.ts:
 *   node --import @swc-node/register/esm-register bench/scenarios/connection-storm-load.ts '<StormSpec as JSON>'
 * Thin peers speaking WebSocket by hand over `net` sockets (fixed upgrade request and key, frames built
 * once): a `ws` client costs more CPU per connection than the server side does (its HTTP client, key draw
 * and SHA-1), which made a first version of this generator the bottleneck (94% of its core against raw ws,
 * ~0.7 ms per session, against ~0.3 ms now). It runs `concurrency` sessions at a time, each a whole
 * life: WebSocket connect, the protocol's handshake, a clean close, then the next one. First `warmup`
 * sessions (not counted), then it prints `MEASURE start`, runs `sessions` sessions, prints `MEASURE end`,
 * one JSON line (StormResult) and exits.
 *
 * One session, by protocol:
 * - `raw-ws`: connect, one small message echoed back (ready), close;
 * - `wamp`: connect with `wamp.2.json`, HELLO -> WELCOME (ready), GOODBYE -> GOODBYE reply, close;
 * - `sio`: engine.io v4 over websocket: open packet `0{...}`, `40` -> `40{sid}` (ready), close.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { measureDuring, runGeneratorMain, type GeneratorFailure } from '../child-process.js';
import { percentile } from '../statistics.js';

/** How a session speaks. */
export type StormProtocol = 'raw-ws' | 'wamp' | 'sio';

/** What the generator runs (its one argument, as JSON). */
export interface StormSpec {
  /** Server base URL, e.g. `ws://127.0.0.1:1234/ws` (for Socket.IO, the server root). */
  readonly url: string;
  readonly protocol: StormProtocol;
  /** Sessions opened and closed inside the measured window. */
  readonly sessions: number;
  /** Sessions in progress at any time. */
  readonly concurrency: number;
  /** Sessions run before the measured window (JIT, lazily built state on both ends). */
  readonly warmup: number;
  /** A session not finished after this many ms is cut and counted as a failure. */
  readonly sessionTimeoutMs: number;
}

/** The generator's last line: what the measured window saw. */
export interface StormResult {
  readonly ok: true;
  /** Sessions that completed the whole life (handshake and clean close) inside the window. */
  readonly sessions: number;
  /** Sessions that failed (error, unexpected message or close, timeout). */
  readonly failures: number;
  /** Completed sessions per second over the window. */
  readonly rate: number;
  /** Time from the TCP connect call to ready (WELCOME, the echo, Socket.IO connect), in ms: p50 and p99. */
  readonly p50: number;
  readonly p99: number;
  /** Time of the whole session (until the socket's close event), median, in ms. */
  readonly p50Total: number;
  /** Generator CPU use over the window, as a fraction of one core. */
  readonly cpu: number;
  readonly elapsedMs: number;
  /** Failure reasons and how often each occurred (the first few distinct ones). */
  readonly errors: Record<string, number>;
}

/** The generator's last line when it could not run at all. */
export type StormFailure = GeneratorFailure;

/** The RFC 6455 sample key and its accept value: a fixed key spares the generator a random draw and a SHA-1. */
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

/**
 * A client frame (FIN set), masked with an all-zero key: RFC 6455 makes the mask mandatory, servers only
 * unmask with it, and a zero key leaves the payload as is, so frames can be built once.
 */
function clientFrame(opcode: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header =
    data.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | data.length, 0, 0, 0, 0])
      : Buffer.from([0x80 | opcode, 0x80 | 126, data.length >> 8, data.length & 0xff, 0, 0, 0, 0]);
  return Buffer.concat([header, data]);
}

const HELLO = clientFrame(OPCODE_TEXT, JSON.stringify([1, 'realm1', { roles: { caller: {} } }]));
const GOODBYE = clientFrame(OPCODE_TEXT, JSON.stringify([6, {}, 'wamp.close.normal']));
const ECHO = clientFrame(OPCODE_TEXT, '{"n":1}');
const SIO_CONNECT = clientFrame(OPCODE_TEXT, '40');
const SIO_PONG = clientFrame(OPCODE_TEXT, '3');
const CLOSE_NORMAL = clientFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])); // 1000

/** Where the sessions go, and the upgrade request, built once. */
interface Target {
  readonly host: string;
  readonly port: number;
  readonly request: Buffer;
}

function target(spec: StormSpec): Target {
  const url = new URL(spec.protocol === 'sio' ? `${spec.url}/socket.io/?EIO=4&transport=websocket` : spec.url);
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${KEY}`,
    'Sec-WebSocket-Version: 13',
    ...(spec.protocol === 'wamp' ? ['Sec-WebSocket-Protocol: wamp.2.json'] : []),
  ];
  return { host: url.hostname, port: Number(url.port), request: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1') };
}

/** How long one session took to become ready, and to close. */
interface SessionTiming {
  readonly ready: number;
  readonly total: number;
}

/**
 * Runs one whole session over a bare TCP socket speaking just enough WebSocket: the upgrade request, the
 * frames below 64 KiB (server frames are never masked nor, this small, fragmented), ping -> pong, and the
 * close handshake, after which the server ends the TCP connection. Resolves once the socket is closed after
 * a complete exchange; rejects with a short reason otherwise (the socket is then cut).
 */
function runSession(spec: StormSpec, to: Target): Promise<SessionTiming> {
  const startedAt = performance.now();
  const socket = connect({ host: to.host, port: to.port });
  socket.setNoDelay(true);
  return new Promise((resolve, reject) => {
    let pending: Buffer | undefined; // received bytes not yet parsed
    let upgraded = false;
    let readyAt = 0;
    let closeSent = false;
    // Set when the exchange is complete, so that the close that follows is a success, not a failure.
    let done = false;
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail(`timeout (${readyAt ? 'closing' : 'handshake'})`), spec.sessionTimeoutMs);
    const finish = (): void => {
      done = true;
      if (!closeSent) socket.write(CLOSE_NORMAL);
      closeSent = true;
    };
    const onOpen = (): void => {
      if (spec.protocol === 'raw-ws') socket.write(ECHO);
      else if (spec.protocol === 'wamp') socket.write(HELLO);
      // Socket.IO: the server speaks first (engine.io open packet).
    };
    const onMessage = (text: string): void => {
      switch (spec.protocol) {
        case 'raw-ws':
          readyAt = performance.now();
          finish();
          return;
        case 'sio':
          if (text.startsWith('40')) {
            readyAt = performance.now();
            finish();
          } else if (text.startsWith('0')) {
            socket.write(SIO_CONNECT); // connect the default namespace
          } else if (text === '2') {
            socket.write(SIO_PONG); // engine.io ping -> pong
          } else {
            fail(`unexpected ${text.slice(0, 80)}`);
          }
          return;
        case 'wamp':
          // WELCOME starts `[2,`, GOODBYE `[6,` (the router's JSON has no spaces).
          if (text.startsWith('[2,') && !readyAt) {
            readyAt = performance.now();
            socket.write(GOODBYE);
          } else if (text.startsWith('[6,') && readyAt) {
            // The router closes too after its GOODBYE reply: both close frames cross, as with any client.
            finish();
          } else {
            fail(`unexpected ${text.slice(0, 80)}`);
          }
          return;
      }
    };
    socket.once('connect', () => socket.write(to.request));
    socket.once('error', (error) => fail(error.message));
    socket.once('close', () => {
      if (!done) {
        fail(`closed ${readyAt ? 'before the end of the exchange' : 'during the handshake'}`);
        return;
      }
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ready: readyAt - startedAt, total: performance.now() - startedAt });
    });
    socket.on('data', (chunk: Buffer) => {
      let buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          pending = buffer;
          return;
        }
        const head = buffer.toString('latin1', 0, end);
        if (!head.startsWith('HTTP/1.1 101') || !head.includes(ACCEPT)) {
          fail(`upgrade refused: ${head.split('\r\n')[0]}`);
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        onOpen();
      }
      while (buffer.length >= 2 && !settled) {
        const opcode = buffer[0]! & 0x0f;
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) break;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          fail('frame of 64 KiB or more');
          return;
        }
        if (buffer.length < offset + length) break;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) onMessage(payload.toString());
        else if (opcode === OPCODE_PING) socket.write(clientFrame(OPCODE_PONG, payload));
        else if (opcode === OPCODE_CLOSE) {
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          if (!done) fail(`closed by the server (${code}) ${readyAt ? 'before the end of the exchange' : 'during the handshake'}`);
          else if (!closeSent) finish(); // answer the server's close
        } else if (opcode !== OPCODE_PONG) {
          fail(`unexpected frame opcode ${opcode}`);
        }
      }
      if (buffer.length > 0) pending = buffer;
    });
  });
}

/** What a run of sessions gathered. */
interface Tally {
  completed: number;
  failures: number;
  readonly ready: number[];
  readonly total: number[];
  readonly errors: Record<string, number>;
}

/** Runs `count` sessions, `spec.concurrency` at a time (each worker starts its next session when one ends). */
async function storm(spec: StormSpec, to: Target, count: number): Promise<Tally> {
  const tally: Tally = { completed: 0, failures: 0, ready: [], total: [], errors: {} };
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      try {
        const timing = await runSession(spec, to);
        tally.completed++;
        tally.ready.push(timing.ready);
        tally.total.push(timing.total);
      } catch (error) {
        tally.failures++;
        const reason = (error as Error).message;
        // A handful of distinct reasons is enough to diagnose; keep the line short.
        if (reason in tally.errors || Object.keys(tally.errors).length < 5) {
          tally.errors[reason] = (tally.errors[reason] ?? 0) + 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, count) }, worker));
  return tally;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as StormSpec;
  const to = target(spec);
  await storm(spec, to, spec.warmup);
  const { value: tally, elapsedMs, cpu } = await measureDuring(() => storm(spec, to, spec.sessions));
  tally.ready.sort((a, b) => a - b);
  tally.total.sort((a, b) => a - b);
  const result: StormResult = {
    ok: true,
    sessions: tally.completed,
    failures: tally.failures,
    rate: (tally.completed / elapsedMs) * 1000,
    p50: percentile(tally.ready, 0.5),
    p99: percentile(tally.ready, 0.99),
    p50Total: percentile(tally.total, 0.5),
    cpu,
    elapsedMs,
    errors: tally.errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// Hard bound, whatever happens (a full run's window takes a few seconds).
runGeneratorMain(main, 120_000);

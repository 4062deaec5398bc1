/**
 * The load generator, run as its own process by bench/run.ts (pinned to another core than the server):
 *   node --import @swc-node/register/esm-register bench/load.ts '<LoadSpec as JSON>'
 * Thin peers over raw `ws` (no client library): WAMP with JSON or msgpack (msgpackr, `useRecords: false`),
 * the same CALL-shaped JSON frames for the raw ws echo, and the Socket.IO wire protocol (engine.io v4
 * packets) for Socket.IO acks. `clients` connections keep `inflight` calls each in flight; after `warmupMs`
 * it prints `MEASURE start`, counts answers for `measureMs`, prints `MEASURE end`, then one JSON line
 * (LoadResult) and exits.
 */
import { Packr, unpack } from 'msgpackr';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export type Protocol = 'raw-json' | 'wamp-json' | 'wamp-msgpack' | 'sio';

export interface LoadSpec {
  readonly url: string;
  readonly protocol: Protocol;
  readonly clients: number;
  readonly inflight: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

export interface LoadResult {
  readonly ok: true;
  /** Answers received inside the measured window. */
  readonly calls: number;
  readonly rate: number;
  /** Latencies in ms of the calls sent and answered inside the measured window. */
  readonly p50: number;
  readonly p99: number;
  /** Generator CPU use over the measured window, as a fraction of one core. */
  readonly cpu: number;
  readonly errors: number;
}

const PROCEDURE = 'bench.echo';
const REALM = 'realm1';
const packr = new Packr({ useRecords: false });

interface Peer {
  socket: WebSocket;
  next: number;
  readonly sent: Map<number, number>;
}

let measuring = false;
let stopped = false;
let measureStart = 0;
let calls = 0;
let errors = 0;
const latencies: number[] = [];

function encode(protocol: Protocol, message: unknown[]): string | Buffer {
  return protocol === 'wamp-msgpack' ? packr.pack(message) : JSON.stringify(message);
}

function decode(protocol: Protocol, data: Buffer): unknown[] {
  return (protocol === 'wamp-msgpack' ? unpack(data) : JSON.parse(data.toString())) as unknown[];
}

function send(spec: LoadSpec, peer: Peer): void {
  const request = peer.next++;
  peer.sent.set(request, performance.now());
  if (spec.protocol === 'sio') {
    peer.socket.send(`42${request}["echo",{"name":"bench","n":${request}}]`);
  } else {
    peer.socket.send(encode(spec.protocol, [48, request, {}, PROCEDURE, [], { name: 'bench', n: request }]));
  }
}

function answered(spec: LoadSpec, peer: Peer, request: number, ok: boolean): void {
  const sentAt = peer.sent.get(request);
  if (sentAt === undefined) return;
  peer.sent.delete(request);
  if (!ok) errors++;
  if (measuring) {
    calls++;
    if (sentAt >= measureStart) latencies.push(performance.now() - sentAt);
  }
  if (!stopped) send(spec, peer);
}

/** Opens one connection and completes the handshake (WAMP HELLO/WELCOME, or the Socket.IO connect). */
function open(spec: LoadSpec): Promise<Peer> {
  const subprotocol = spec.protocol === 'wamp-json' ? 'wamp.2.json' : spec.protocol === 'wamp-msgpack' ? 'wamp.2.msgpack' : undefined;
  const url = spec.protocol === 'sio' ? `${spec.url}/socket.io/?EIO=4&transport=websocket` : spec.url;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, subprotocol ? [subprotocol] : [], { perMessageDeflate: false });
    const peer: Peer = { socket, next: 1, sent: new Map() };
    let ready = false;
    const becomeReady = (): void => {
      ready = true;
      resolve(peer);
    };
    socket.once('error', (error) => (ready ? errors++ : reject(error)));
    socket.once('close', () => {
      if (!stopped) errors++;
      if (!ready) reject(new Error('closed during the handshake'));
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (spec.protocol === 'sio') {
        const text = data.toString();
        if (text.startsWith('43')) {
          const bracket = text.indexOf('[', 2);
          answered(spec, peer, Number(text.slice(2, bracket)), true);
        } else if (text === '2') {
          socket.send('3'); // engine.io ping -> pong
        } else if (text.startsWith('0')) {
          socket.send('40'); // connect the default namespace
        } else if (text.startsWith('40')) {
          becomeReady();
        }
        return;
      }
      if (spec.protocol === 'raw-json') {
        answered(spec, peer, (JSON.parse(data.toString()) as unknown[])[1] as number, true);
        return;
      }
      void isBinary;
      const message = decode(spec.protocol, data);
      switch (message[0]) {
        case 50: // RESULT
          answered(spec, peer, message[1] as number, true);
          return;
        case 8: // ERROR
          answered(spec, peer, message[2] as number, false);
          return;
        case 2: // WELCOME
          becomeReady();
          return;
        default:
          reject(new Error(`unexpected ${JSON.stringify(message)}`));
      }
    });
    socket.once('open', () => {
      if (spec.protocol === 'raw-json') becomeReady();
      else if (spec.protocol !== 'sio') socket.send(encode(spec.protocol, [1, REALM, { roles: { caller: {} } }]));
    });
  });
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const peers: Peer[] = [];
  for (let offset = 0; offset < spec.clients; offset += 50) {
    const batch = Math.min(50, spec.clients - offset);
    peers.push(...(await Promise.all(Array.from({ length: batch }, () => open(spec)))));
  }
  for (const peer of peers) for (let i = 0; i < spec.inflight; i++) send(spec, peer);
  await new Promise((resolve) => setTimeout(resolve, spec.warmupMs));
  process.stdout.write('MEASURE start\n');
  const cpuBefore = process.cpuUsage();
  measureStart = performance.now();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, spec.measureMs));
  measuring = false;
  const elapsed = performance.now() - measureStart;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write('MEASURE end\n');
  stopped = true;
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    ok: true,
    calls,
    rate: (calls / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpu: (cpu.user + cpu.system) / 1000 / elapsed,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const peer of peers) peer.socket.terminate();
  process.exit(0);
}

// Hard bound, whatever happens.
setTimeout(() => process.exit(3), 120_000).unref();
main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(1);
});

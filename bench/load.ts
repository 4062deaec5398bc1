/**
 * The load generator, run as its own process by bench/run.ts (pinned to another core than the server):
 *   node --import @swc-node/register/esm-register bench/load.ts '<LoadSpec as JSON>'
 * Thin peers over raw `ws` (no client library): WAMP with JSON or msgpack (msgpackr, `useRecords: false`),
 * the same CALL-shaped JSON frames for the raw ws echo, and the Socket.IO wire protocol (engine.io v4
 * packets) for Socket.IO acks. `clients` connections keep `inflight` calls each in flight; after `warmupMs`
 * it prints `MEASURE start`, counts answers for `measureMs`, prints `MEASURE end`, then one JSON line
 * (LoadResult) and exits.
 */
import { decode as decodeCbor, encode as encodeCbor } from 'cbor-x';
import { Packr, unpack } from 'msgpackr';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { measureWindow, runGeneratorMain, type WindowState } from './child-process.js';
import { percentile } from './statistics.js';

export type Protocol = 'raw-json' | 'wamp-json' | 'wamp-msgpack' | 'wamp-cbor' | 'sio';

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
const SUBPROTOCOLS: Partial<Record<Protocol, string>> = {
  'wamp-json': 'wamp.2.json',
  'wamp-msgpack': 'wamp.2.msgpack',
  'wamp-cbor': 'wamp.2.cbor',
};
const REALM = 'realm1';
const packr = new Packr({ useRecords: false });

interface Peer {
  socket: WebSocket;
  next: number;
  readonly sent: Map<number, number>;
}

/** The measured window: answers are counted while it is open. */
const measured: WindowState = { open: false, startedAt: 0 };
let stopped = false;
let calls = 0;
let errors = 0;
const latencies: number[] = [];

function encode(protocol: Protocol, message: unknown[]): string | Buffer {
  if (protocol === 'wamp-msgpack') return packr.pack(message);
  if (protocol === 'wamp-cbor') return encodeCbor(message);
  return JSON.stringify(message);
}

function decode(protocol: Protocol, data: Buffer): unknown[] {
  if (protocol === 'wamp-msgpack') return unpack(data) as unknown[];
  if (protocol === 'wamp-cbor') return decodeCbor(data) as unknown[];
  return JSON.parse(data.toString()) as unknown[];
}

/*
 * The generator must cost less per call than the servers it measures, or every fast server looks alike.
 * So the CALL frames are built from templates (the request ID patched in) and only the request ID is read
 * out of a RESULT or ERROR, instead of a full encode and decode per call: the same for every variant.
 */

/** `[48, request, {}, "bench.echo", [], {"name": "bench", "n": request}]` in msgpack, IDs as uint32. */
const MSGPACK_CALL = Buffer.from([
  0x96, 0x30, 0xce, 0, 0, 0, 0, 0x80, 0xaa, ...Buffer.from(PROCEDURE), 0x90, 0x82,
  0xa4, ...Buffer.from('name'), 0xa5, ...Buffer.from('bench'), 0xa1, 0x6e, 0xce, 0, 0, 0, 0,
]);
/** The same CALL in CBOR, IDs as uint32. */
const CBOR_CALL = Buffer.from([
  0x86, 0x18, 0x30, 0x1a, 0, 0, 0, 0, 0xa0, 0x6a, ...Buffer.from(PROCEDURE), 0x80, 0xa2,
  0x64, ...Buffer.from('name'), 0x65, ...Buffer.from('bench'), 0x61, 0x6e, 0x1a, 0, 0, 0, 0,
]);

function callFrame(protocol: Protocol, request: number): string | Buffer {
  switch (protocol) {
    case 'wamp-msgpack':
    case 'wamp-cbor': {
      const frame = Buffer.from(protocol === 'wamp-msgpack' ? MSGPACK_CALL : CBOR_CALL);
      frame.writeUInt32BE(request, protocol === 'wamp-msgpack' ? 3 : 4); // after the array head, type and uint32 head
      frame.writeUInt32BE(request, frame.length - 4);
      return frame;
    }
    case 'sio':
      return `42${request}["echo",{"name":"bench","n":${request}}]`;
    default:
      return `[48,${request},{},"${PROCEDURE}",[],{"name":"bench","n":${request}}]`;
  }
}

/** An unsigned integer at `offset` in msgpack or CBOR (the forms a router uses for IDs below 2^32). */
function readUint(protocol: Protocol, data: Buffer, offset: number): number {
  const head = data[offset]!;
  if (protocol === 'wamp-msgpack') {
    if (head < 0x80) return head;
    if (head === 0xcc) return data[offset + 1]!;
    if (head === 0xcd) return data.readUInt16BE(offset + 1);
    if (head === 0xce) return data.readUInt32BE(offset + 1);
    return Number(data.readBigUInt64BE(offset + 1));
  }
  if (head < 0x18) return head;
  if (head === 0x18) return data[offset + 1]!;
  if (head === 0x19) return data.readUInt16BE(offset + 1);
  if (head === 0x1a) return data.readUInt32BE(offset + 1);
  return Number(data.readBigUInt64BE(offset + 1));
}

/** Width of the unsigned integer at `offset` (head byte included). */
function uintWidth(protocol: Protocol, head: number): number {
  if (protocol === 'wamp-msgpack') return head < 0x80 ? 1 : head === 0xcc ? 2 : head === 0xcd ? 3 : head === 0xce ? 5 : 9;
  return head < 0x18 ? 1 : head === 0x18 ? 2 : head === 0x19 ? 3 : head === 0x1a ? 5 : 9;
}

/** Digits of a non-negative integer at `offset` of JSON text bytes, up to the next non-digit. */
function readJsonUint(data: Buffer, offset: number): number {
  let value = 0;
  for (let index = offset; index < data.length; index++) {
    const byte = data[index]!;
    if (byte < 0x30 || byte > 0x39) break;
    value = value * 10 + (byte - 0x30);
  }
  return value;
}

/**
 * The request ID of a RESULT (positive) or ERROR (negative) frame, or 0 for anything else (IDs start at 1).
 * JSON: `[50,<id>,...` or `[8,48,<id>,...`; msgpack/CBOR: array head, type, (CALL type,) ID.
 */
function answerOf(protocol: Protocol, data: Buffer): number {
  if (protocol === 'wamp-json' || protocol === 'raw-json') {
    if (data[1] === 0x35 && data[2] === 0x30 && data[3] === 0x2c) return readJsonUint(data, 4); // '[50,'
    if (data[1] === 0x38 && data[2] === 0x2c) return -readJsonUint(data, 6); // '[8,48,'
    return 0;
  }
  // data[0] is the array head (one byte: fewer than 16 / 24 elements).
  const type = readUint(protocol, data, 1);
  const afterType = 1 + uintWidth(protocol, data[1]!);
  if (type === 50) return readUint(protocol, data, afterType);
  if (type === 8) return -readUint(protocol, data, afterType + uintWidth(protocol, data[afterType]!));
  return 0;
}

function send(spec: LoadSpec, peer: Peer): void {
  const request = peer.next++;
  peer.sent.set(request, performance.now());
  peer.socket.send(callFrame(spec.protocol, request));
}

function answered(spec: LoadSpec, peer: Peer, request: number, ok: boolean): void {
  const sentAt = peer.sent.get(request);
  if (sentAt === undefined) return;
  peer.sent.delete(request);
  if (!ok) errors++;
  if (measured.open) {
    calls++;
    if (sentAt >= measured.startedAt) latencies.push(performance.now() - sentAt);
  }
  if (!stopped) send(spec, peer);
}

/** Opens one connection and completes the handshake (WAMP HELLO/WELCOME, or the Socket.IO connect). */
function open(spec: LoadSpec): Promise<Peer> {
  const subprotocol = SUBPROTOCOLS[spec.protocol];
  const url = spec.protocol === 'sio' ? `${spec.url}/socket.io/?EIO=4&transport=websocket` : spec.url;
  return new Promise((resolve, reject) => {
    // An all-zero masking key makes ws skip masking on the generator's side (the server unmasks as usual).
    const socket = new WebSocket(url, subprotocol ? [subprotocol] : [], {
      perMessageDeflate: false,
      generateMask: () => undefined,
    });
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
    socket.on('message', (data: Buffer) => {
      if (spec.protocol === 'sio') {
        if (data[0] === 0x34 && data[1] === 0x33) {
          answered(spec, peer, readJsonUint(data, 2), true); // 43<id>[n]
          return;
        }
        const text = data.toString();
        if (text === '2') socket.send('3'); // engine.io ping -> pong
        else if (text.startsWith('40')) becomeReady();
        else if (text.startsWith('0')) socket.send('40'); // connect the default namespace
        return;
      }
      if (ready) {
        const answer = answerOf(spec.protocol, data);
        if (answer !== 0) {
          answered(spec, peer, Math.abs(answer), answer > 0);
          return;
        }
      }
      const message = decode(spec.protocol, data);
      if (!ready && message[0] === 2) becomeReady(); // WELCOME
      else if (!ready) reject(new Error(`unexpected ${JSON.stringify(message)}`));
      else errors++;
    });
    socket.once('open', () => {
      if (spec.protocol === 'raw-json') becomeReady();
      else if (spec.protocol !== 'sio') socket.send(encode(spec.protocol, [1, REALM, { roles: { caller: {} } }]));
    });
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const peers: Peer[] = [];
  for (let offset = 0; offset < spec.clients; offset += 50) {
    const batch = Math.min(50, spec.clients - offset);
    peers.push(...(await Promise.all(Array.from({ length: batch }, () => open(spec)))));
  }
  for (const peer of peers) for (let i = 0; i < spec.inflight; i++) send(spec, peer);
  const { elapsedMs: elapsed, cpu } = await measureWindow(spec.warmupMs, spec.measureMs, measured);
  stopped = true;
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    ok: true,
    calls,
    rate: (calls / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpu,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Let the answers still in flight arrive, then close cleanly: fox-wamp 0.7.28 crashes when a client
  // disconnects while it still has sends for it, which would kill the baseline for the following runs.
  const drainUntil = performance.now() + 2000;
  while (peers.some((peer) => peer.sent.size > 0) && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const peer of peers) peer.socket.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  process.exit(0);
}

// Hard bound, whatever happens.
runGeneratorMain(main, 120_000);

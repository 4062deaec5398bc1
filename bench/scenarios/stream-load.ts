/**
 * The progressive-results scenario's load generator, run as its own process by bench/scenarios/stream.ts
 * (pinned to another core than the server):
 *   node --import @swc-node/register/esm-register bench/scenarios/stream-load.ts '<StreamSpec as JSON>'
 * `clients` raw `ws` peers each keep one CALL `bench.stream` with `{receive_progress: true}` and kwargs
 * `{count}` in flight: they count the progressive RESULTs, check every value arrives once and in order,
 * and call again on the final RESULT. After `warmupMs` it prints `MEASURE start`, counts for `measureMs`,
 * prints `MEASURE end`, then one JSON line (StreamResult) and exits.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { measureWindow, runGeneratorMain, type WindowState } from '../child-process.js';
import { percentile } from '../statistics.js';

/** Which wire the generator speaks: WAMP over JSON, or the same CALL frame to the raw ws baseline. */
export type StreamProtocol = 'raw-json' | 'wamp-json';

/** What one generator run does; passed as JSON on the command line. */
export interface StreamSpec {
  readonly url: string;
  readonly protocol: StreamProtocol;
  readonly clients: number;
  /** Values per call: count - 1 progressive RESULTs, then the final RESULT. */
  readonly count: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** One generator run's figures (the last line of its stdout). */
export interface StreamResult {
  readonly ok: true;
  /** RESULT frames (progressive and final) received inside the measured window. */
  readonly frames: number;
  readonly frameRate: number;
  /** Calls whose final RESULT arrived inside the window. */
  readonly calls: number;
  readonly callRate: number;
  /** Call durations in ms (CALL sent -> final RESULT) of calls sent and finished inside the window. */
  readonly p50: number;
  readonly p99: number;
  /** Generator CPU use over the measured window, as a fraction of one core. */
  readonly cpu: number;
  /** Frames out of order, for another request, or calls whose final value is not `count`. */
  readonly invalid: number;
  /** Socket errors, unexpected closes, WAMP ERRORs. */
  readonly errors: number;
}

const PROCEDURE = 'bench.stream';
const REALM = 'realm1';

interface Client {
  readonly socket: WebSocket;
  request: number;
  /** The value the next RESULT of the current call must carry. */
  expected: number;
  sentAt: number;
}

let spec: StreamSpec;
let callFrame = '';
/** The measured window: RESULT frames and finished calls are counted while it is open. */
const measured: WindowState = { open: false, startedAt: 0 };
let stopped = false;
let frames = 0;
let calls = 0;
let invalid = 0;
let errors = 0;
const latencies: number[] = [];

function call(client: Client): void {
  client.request++;
  client.expected = 1;
  client.sentAt = performance.now();
  // Only the request ID changes between calls: splice it into the pre-built frame.
  client.socket.send(`[48,${client.request}${callFrame}`);
}

function onResult(client: Client, request: number, progress: boolean, value: number): void {
  if (request !== client.request) {
    invalid++;
    return;
  }
  if (value !== client.expected) invalid++;
  client.expected = value + 1;
  if (measured.open) frames++;
  if (progress) return;
  if (value !== spec.count) invalid++;
  if (measured.open) {
    calls++;
    if (client.sentAt >= measured.startedAt) latencies.push(performance.now() - client.sentAt);
  }
  if (!stopped) call(client);
}

/**
 * The hot path: `[50,<request>,{"progress":true},[<v>]]` or `[50,<request>,{},[<v>]]`, scanned without
 * JSON.parse so that the generator, which reads as many frames as the server writes, stays the cheaper side.
 * Anything else (another details dict, an ERROR) goes through JSON.parse.
 */
function onFrame(client: Client, data: Buffer): void {
  const text = data.toString('latin1');
  if (text.startsWith('[50,') && text.endsWith(']]')) {
    const afterRequest = text.indexOf(',', 4);
    const progress = text.startsWith('{"progress":true},[', afterRequest + 1);
    if (progress || text.startsWith('{},[', afterRequest + 1)) {
      const value = Number(text.slice(text.lastIndexOf('[') + 1, text.length - 2));
      onResult(client, Number(text.slice(4, afterRequest)), progress, value);
      return;
    }
  }
  const message = JSON.parse(text) as unknown[];
  if (message[0] === 50) {
    const details = message[2] as { progress?: boolean };
    onResult(client, message[1] as number, details.progress === true, (message[3] as number[])[0]!);
    return;
  }
  errors++;
  process.stderr.write(`client got ${text.slice(0, 200)}\n`);
  // An ERROR for the current call ends it: call again rather than wait for nothing.
  if (message[0] === 8 && message[2] === client.request && !stopped) call(client);
}

/** Opens one connection and, for WAMP, completes HELLO/WELCOME. */
function open(): Promise<Client> {
  const wamp = spec.protocol === 'wamp-json';
  return new Promise((resolve, reject) => {
    // skipUTF8Validation: frames are scanned as latin1 (ASCII JSON); validating each one costs the generator.
    const socket = new WebSocket(spec.url, wamp ? ['wamp.2.json'] : [], {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const client: Client = { socket, request: 0, expected: 1, sentAt: 0 };
    let ready = false;
    const becomeReady = (): void => {
      ready = true;
      resolve(client);
    };
    socket.on('error', (error) => (ready ? errors++ : reject(error)));
    socket.once('close', () => {
      if (!stopped) errors++;
      if (!ready) reject(new Error('closed during the handshake'));
    });
    socket.on('message', (data: Buffer) => {
      if (ready) {
        onFrame(client, data);
        return;
      }
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[0] === 2) becomeReady(); // WELCOME
      else reject(new Error(`unexpected ${data.toString().slice(0, 200)}`));
    });
    socket.once('open', () => {
      if (!wamp) becomeReady();
      else socket.send(JSON.stringify([1, REALM, { roles: { caller: {} } }]));
    });
  });
}

async function main(): Promise<void> {
  spec = JSON.parse(process.argv[2] ?? '') as StreamSpec;
  if (typeof spec.url !== 'string') throw new Error(`usage: bench/scenarios/stream-load.ts '<StreamSpec as JSON>'`);
  // The CALL after its request ID: `[48,<request>` + this.
  callFrame = JSON.stringify([48, 0, { receive_progress: true }, PROCEDURE, [], { count: spec.count }]).slice('[48,0'.length);
  const clients = await Promise.all(Array.from({ length: spec.clients }, () => open()));
  for (const client of clients) call(client);
  const { elapsedMs: elapsed, cpu } = await measureWindow(spec.warmupMs, spec.measureMs, measured);
  stopped = true;
  latencies.sort((a, b) => a - b);
  const result: StreamResult = {
    ok: true,
    frames,
    frameRate: (frames / elapsed) * 1000,
    calls,
    callRate: (calls / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpu,
    invalid,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const client of clients) client.socket.terminate();
  process.exit(0);
}

// Hard bound, whatever happens (the orchestrator allows warm-up + measure + 60 s).
runGeneratorMain(main, 150_000);

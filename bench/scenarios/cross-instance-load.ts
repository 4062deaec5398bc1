/**
 * The cross-instance scenario's generator (bench/scenarios/cross-instance.ts runs it pinned to core 1). Mode
 * `event`: one subscriber on `subscribeUrl`, one publisher on `publishUrl`, one publication in flight (the next
 * is sent when the subscriber got the previous EVENT). Mode `call`: a client callee registered on `subscribeUrl`
 * answers every INVOCATION at once, a caller on `publishUrl` makes one call at a time. Prints one JSON line:
 * events (or calls) per second and publish -> EVENT (or CALL -> RESULT) latencies, same clock, over the
 * measured window.
 */
import WebSocket from 'ws';
import { measureWindow, runGeneratorMain, type WindowState } from '../child-process.js';

/** What the orchestrator asks for. */
export interface CrossInstanceSpec {
  readonly mode: 'event' | 'call';
  /** Where the subscriber (mode `event`) or the callee (mode `call`) connects. */
  readonly subscribeUrl: string;
  /** Where the publisher or the caller connects. */
  readonly publishUrl: string;
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** What the generator measured. */
export interface CrossInstanceResult {
  readonly ok: true;
  readonly events: number;
  readonly eventRate: number;
  /** Latency percentiles in µs. */
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpu: number;
}

function join(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'wamp.2.json');
    socket.once('error', reject);
    socket.once('open', () => {
      socket.send(
        JSON.stringify([1, 'realm1', { roles: { publisher: {}, subscriber: {}, caller: {}, callee: {} } }]),
      );
      socket.once('message', (data: Buffer) => {
        const welcome = JSON.parse(data.toString()) as unknown[];
        if (welcome[0] !== 2) reject(new Error(`no WELCOME: ${data.toString()}`));
        else resolve(socket);
      });
    });
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as CrossInstanceSpec;
  const subscriber = await join(spec.subscribeUrl);
  const publisher = await join(spec.publishUrl);
  const calls = spec.mode === 'call';
  subscriber.send(JSON.stringify(calls ? [64, 1, {}, 'bench.cross.echo'] : [32, 1, {}, 'bench.cross']));
  await new Promise<void>((resolve) => subscriber.once('message', () => resolve()));
  // Give a new subscription or registration time to reach every instance.
  await new Promise((resolve) => setTimeout(resolve, 1200));

  const state: WindowState = { open: false, startedAt: 0 };
  const latencies: number[] = [];
  let events = 0;
  let sentAt = 0;
  let sequence = 0;
  let running = true;
  const publish = (): void => {
    sentAt = performance.now();
    publisher.send(
      JSON.stringify(
        calls
          ? [48, ++sequence, {}, 'bench.cross.echo', [sequence]]
          : [16, ++sequence, {}, 'bench.cross', [sequence]],
      ),
    );
  };
  const arrived = (): void => {
    if (state.open) {
      events++;
      latencies.push((performance.now() - sentAt) * 1000);
    }
    if (running) publish();
  };
  if (calls) {
    subscriber.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as [number, number, number, object, unknown[]];
      if (message[0] === 68) subscriber.send(JSON.stringify([70, message[1], {}, message[4]]));
    });
    publisher.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as [number, number];
      if (message[0] !== 50 || message[1] !== sequence) {
        throw new Error(`unexpected answer: ${data.toString().slice(0, 200)}`);
      }
      arrived();
    });
  } else {
    subscriber.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as [number, number, number, object, [number]];
      if (message[0] === 36 && message[4][0] === sequence) arrived();
    });
  }
  publish();
  const window = await measureWindow(spec.warmupMs, spec.measureMs, state);
  running = false;
  latencies.sort((x, y) => x - y);
  const at = (fraction: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? NaN;
  const result: CrossInstanceResult = {
    ok: true,
    events,
    eventRate: (events * 1000) / window.elapsedMs,
    p50Us: at(0.5),
    p99Us: at(0.99),
    cpu: window.cpu,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  subscriber.terminate();
  publisher.terminate();
  process.exit(0);
}

runGeneratorMain(main, 120_000);

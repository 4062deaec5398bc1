/**
 * The cross-instance scenario's generator (bench/scenarios/cross-instance.ts runs it pinned to core 1): one
 * subscriber on `subscribeUrl`, one publisher on `publishUrl`, one publication in flight (the next is sent when
 * the subscriber got the previous EVENT). Prints one JSON line: events/s and publish -> EVENT latencies (same
 * clock) over the measured window.
 */
import WebSocket from 'ws';
import { measureWindow, runGeneratorMain, type WindowState } from '../child-process.js';

/** What the orchestrator asks for. */
export interface CrossInstanceSpec {
  readonly subscribeUrl: string;
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
      socket.send(JSON.stringify([1, 'realm1', { roles: { publisher: {}, subscriber: {} } }]));
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
  subscriber.send(JSON.stringify([32, 1, {}, 'bench.cross']));
  await new Promise<void>((resolve) => subscriber.once('message', () => resolve()));
  // Give a new subscription time to reach every instance's reader.
  await new Promise((resolve) => setTimeout(resolve, 1200));

  const state: WindowState = { open: false, startedAt: 0 };
  const latencies: number[] = [];
  let events = 0;
  let sentAt = 0;
  let sequence = 0;
  let running = true;
  const publish = (): void => {
    sentAt = performance.now();
    publisher.send(JSON.stringify([16, ++sequence, {}, 'bench.cross', [sequence]]));
  };
  subscriber.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as [number, number, number, object, [number]];
    if (message[0] !== 36 || message[4][0] !== sequence) return;
    if (state.open) {
      events++;
      latencies.push((performance.now() - sentAt) * 1000);
    }
    if (running) publish();
  });
  publish();
  const window = await measureWindow(spec.warmupMs, spec.measureMs, state);
  running = false;
  latencies.sort((x, y) => x - y);
  const at = (fraction: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? NaN;
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

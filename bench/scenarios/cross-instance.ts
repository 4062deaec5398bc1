/**
 * Cross-instance scenario: what the Redis and NATS backplanes cost an event and a call. One subscriber and one
 * publisher (one publication in flight), then one client callee and one caller (one call in flight), in five
 * set-ups measured in the same run: one instance alone; per engine, one instance on the backplane (both clients
 * on it: an event makes the hop through the server and back, a call stays local) and two instances (one client
 * on each: an event crosses once, a call twice). Servers and backplane servers on core 0, the generator on core 1.
 *
 * Imported by `npm run bench` (`runCrossInstance`), or standalone, printing its Markdown section:
 *   node --import @swc-node/register/esm-register bench/scenarios/cross-instance.ts [--smoke] [--rounds N]
 * Needs Debian's redis-server and nats-server (an engine's rows are skipped, with the reason, without its server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  pinnable,
  runGenerator,
  runIfMain,
  standaloneOptions,
  startServer,
  type RunningServer,
} from '../processes.js';
import { format, median } from '../statistics.js';
import type { CrossInstanceResult, CrossInstanceSpec } from './cross-instance-load.js';
import type { Scenario, ScenarioOptions } from './scenario.interface.js';

const SERVER_SCRIPT = 'bench/scenarios/cross-instance-server.ts';
const LOAD_SCRIPT = 'bench/scenarios/cross-instance-load.ts';
const REDIS_SERVER = '/usr/bin/redis-server';
const NATS_SERVER = '/usr/sbin/nats-server';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A backplane server of the run, pinned to core 0 with the servers. */
interface BackplaneServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Its store on disk, removed at the end (NATS). */
  readonly directory?: string;
}

/** Starts `command` (pinned when possible) and resolves once it printed `ready`. */
async function startPinned(command: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = pinnable ? spawn('taskset', ['-c', '0', command, ...args]) : spawn(command, args);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}`)), 5000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
  });
  return child;
}

/** redis-server on a free loopback port, without persistence. */
async function startRedis(): Promise<BackplaneServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  return {
    url: `redis://127.0.0.1:${port}`,
    child: await startPinned(REDIS_SERVER, args, 'Ready to accept connections'),
  };
}

/** nats-server with JetStream on a free loopback port, its store in a temporary folder. */
async function startNats(): Promise<BackplaneServer> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', directory];
  return {
    url: `nats://127.0.0.1:${port}`,
    child: await startPinned(NATS_SERVER, args, 'Server is ready'),
    directory,
  };
}

/** The engines measured, each skipped (with the reason) when its server is not installed. */
const ENGINES = [
  { name: 'Redis', variant: 'redis', server: REDIS_SERVER, start: startRedis },
  { name: 'NATS', variant: 'nats', server: NATS_SERVER, start: startNats },
];

interface Row {
  readonly name: string;
  readonly subscribe: RunningServer;
  readonly publish: RunningServer;
}

const MODES = ['event', 'call'] as const;

async function crossInstance(options: ScenarioOptions): Promise<string> {
  const warmupMs = options.smoke ? 200 : 1000;
  const measureMs = options.smoke ? 500 : 3000;
  const servers: RunningServer[] = [];
  const samples = new Map<string, CrossInstanceResult[]>();
  const skipped: string[] = [];
  const backplanes: BackplaneServer[] = [];
  try {
    const alone = await startServer(SERVER_SCRIPT, 'alone');
    servers.push(alone);
    const rows: Row[] = [{ name: 'one instance, no backplane', subscribe: alone, publish: alone }];
    for (const engine of ENGINES) {
      if (!existsSync(engine.server)) {
        skipped.push(`${engine.name} (${engine.server} not installed)`);
        continue;
      }
      const backplane = await engine.start();
      backplanes.push(backplane);
      const first = await startServer(SERVER_SCRIPT, `${engine.variant}@${backplane.url}`);
      const second = await startServer(SERVER_SCRIPT, `${engine.variant}@${backplane.url}`);
      servers.push(first, second);
      rows.push(
        { name: `one instance on the ${engine.name} backplane`, subscribe: first, publish: first },
        { name: `two instances on ${engine.name} (one client on each)`, subscribe: first, publish: second },
      );
    }
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? rows : [...rows].reverse();
      for (const mode of MODES) {
        for (const row of order) {
          const spec: CrossInstanceSpec = {
            mode,
            subscribeUrl: `ws://127.0.0.1:${row.subscribe.port}/ws`,
            publishUrl: `ws://127.0.0.1:${row.publish.port}/ws`,
            warmupMs,
            measureMs,
          };
          const { result } = await runGenerator<CrossInstanceResult>(
            LOAD_SCRIPT,
            spec,
            row.subscribe.child.pid,
            warmupMs + measureMs + 30_000,
            'cross-instance generator',
          );
          const key = `${mode}\u0000${row.name}`;
          samples.set(key, [...(samples.get(key) ?? []), result]);
          log(
            `cross-instance round ${round} ${mode} ${row.name}: ${format(result.eventRate)}/s, p50 ${format(result.p50Us)} µs, p99 ${format(result.p99Us)} µs`,
          );
        }
      }
    }
  } finally {
    for (const server of servers) server.child.kill('SIGKILL');
    for (const backplane of backplanes) {
      backplane.child.kill('SIGKILL');
      if (backplane.directory) rmSync(backplane.directory, { recursive: true, force: true });
    }
  }
  const lines = [
    '### Across instances: the Redis and NATS backplanes',
    '',
    `Events: one subscriber and one publisher (JSON), one publication in flight (the next is published when the previous EVENT arrived). ` +
      `Calls: one client callee answering at once and one caller, one call in flight. ` +
      `${options.rounds} round(s) of ${warmupMs} ms warm-up + ${measureMs} ms measured, rows interleaved; ` +
      `${pinnable ? 'servers and backplane servers on core 0, generator on core 1' : 'NOT pinned'}. Latency: PUBLISH sent -> EVENT received, CALL sent -> RESULT received, same clock.`,
    '',
    '| what | set-up | per second (median) | p50 µs | p99 µs |',
    '|---|---|---|---|---|',
  ];
  for (const [key, list] of samples) {
    const [mode, name] = key.split('\u0000');
    lines.push(
      `| ${mode === 'call' ? 'call (client callee)' : 'event'} | ${name} | ${format(median(list.map((sample) => sample.eventRate)))} | ${format(median(list.map((sample) => sample.p50Us)))} | ${format(median(list.map((sample) => sample.p99Us)))} |`,
    );
  }
  if (skipped.length > 0) lines.push('', `Rows skipped: ${skipped.join(', ')}.`);
  return lines.join('\n');
}

/** Runs the cross-instance scenario (see the file comment); returns its Markdown section. */
export const runCrossInstance: Scenario = crossInstance;

runIfMain(import.meta.url, () => crossInstance(standaloneOptions()), 10 * 60_000);

/**
 * `npm run bench` (`npm run bench -- --smoke` for one short round): starts every benchmark server
 * (bench/server.ts) as its own process pinned to core 0, then for each round, load shape and variant
 * (interleaved) a fresh load generator process (bench/load.ts) pinned to core 1, all on 127.0.0.1. Prints
 * versions, then a Markdown table: median round trips/s, spread, ratio to the raw ws JSON echo of the same
 * round and shape, p50/p99 latency, and server CPU per call. Every child is killed at the end, even on error.
 *
 * Then the scenarios of bench/scenarios/ (fan-out, progressive results stream, connection storm, idle memory,
 * events across instances on the Redis backplane),
 * each printing its own Markdown section.
 *
 * Options: --smoke, --rounds N, --warmup MS, --measure MS, --only a,b (server variants), --shapes 10x1,1x10,
 * --scenarios fan-out,stream,connection-storm,idle-memory,cross-instance (or none), --rpc false (skip the round-trip table).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import {
  killAll,
  microsecondsPer,
  pinnable,
  root,
  runGenerator,
  startServer,
  stringOption,
  type RunningServer,
} from './processes.js';
import { format, median } from './statistics.js';
import type { LoadResult, LoadSpec, Protocol } from './load.js';
import type { ServerVariant } from './server.js';
import { runConnectionStorm } from './scenarios/connection-storm.js';
import { runCrossInstance } from './scenarios/cross-instance.js';
import { runFanOut } from './scenarios/fan-out.js';
import { runIdleMemory } from './scenarios/idle-memory.js';
import type { Scenario } from './scenarios/scenario.interface.js';
import { runStream } from './scenarios/stream.js';

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'fan-out': runFanOut,
  stream: runStream,
  'connection-storm': runConnectionStorm,
  'idle-memory': runIdleMemory,
  'cross-instance': runCrossInstance,
};

interface Variant {
  readonly name: string;
  readonly server: ServerVariant;
  readonly protocol: Protocol;
  readonly path: string;
  /** Measured at every shape; the others (splits and extra baselines) only at the shapes with `allVariants`. */
  readonly core?: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'raw ws JSON echo', server: 'raw-ws', protocol: 'raw-json', path: '', core: true },
  {
    name: 'raw ws JSON echo, writes coalesced per tick',
    server: 'raw-ws-corked',
    protocol: 'raw-json',
    path: '',
  },
  { name: 'nestjs-wamp bare, json', server: 'wamp-bare', protocol: 'wamp-json', path: '/ws', core: true },
  {
    name: 'nestjs-wamp bare, msgpack',
    server: 'wamp-bare',
    protocol: 'wamp-msgpack',
    path: '/ws',
    core: true,
  },
  { name: 'nestjs-wamp bare, cbor', server: 'wamp-bare', protocol: 'wamp-cbor', path: '/ws', core: true },
  {
    name: 'nestjs-wamp bare, metrics on (prom-client), json',
    server: 'wamp-metrics',
    protocol: 'wamp-json',
    path: '/ws',
  },
  {
    name: 'nestjs-wamp pipeline, json',
    server: 'wamp-pipeline',
    protocol: 'wamp-json',
    path: '/ws',
    core: true,
  },
  { name: 'nestjs-wamp pipeline, msgpack', server: 'wamp-pipeline', protocol: 'wamp-msgpack', path: '/ws' },
  { name: 'nestjs-wamp guard only, json', server: 'wamp-guard', protocol: 'wamp-json', path: '/ws' },
  { name: 'nestjs-wamp ValidationPipe only, json', server: 'wamp-pipe', protocol: 'wamp-json', path: '/ws' },
  {
    name: 'nestjs-wamp validated by a compiled schema (JSON Schema, ajv), json',
    server: 'wamp-schema',
    protocol: 'wamp-json',
    path: '/ws',
  },
  {
    name: 'nestjs-wamp validated by zod (Standard Schema), json',
    server: 'wamp-zod',
    protocol: 'wamp-json',
    path: '/ws',
  },
  {
    name: 'nestjs-wamp interceptor only, json',
    server: 'wamp-interceptor',
    protocol: 'wamp-json',
    path: '/ws',
  },
  { name: 'Socket.IO acks in Nest', server: 'sio-nest', protocol: 'sio', path: '', core: true },
  { name: 'Socket.IO in Nest, same pipeline', server: 'sio-pipeline', protocol: 'sio', path: '' },
  { name: 'fox-wamp, routed callee', server: 'fox-routed', protocol: 'wamp-json', path: '', core: true },
  {
    name: 'nestjs-wamp, routed callee, json',
    server: 'wamp-routed',
    protocol: 'wamp-json',
    path: '/ws',
    core: true,
  },
];

/** Clients x calls in flight each. The first three carry every variant; the rest the core ones. */
const SHAPES: readonly { clients: number; inflight: number; allVariants: boolean }[] = [
  { clients: 10, inflight: 1, allVariants: true },
  { clients: 1, inflight: 10, allVariants: true },
  { clients: 100, inflight: 10, allVariants: true },
  { clients: 1, inflight: 1, allVariants: false },
  { clients: 10, inflight: 10, allVariants: false },
  { clients: 100, inflight: 1, allVariants: false },
];

const smoke = process.argv.includes('--smoke');
const rounds = Number(stringOption('rounds') ?? (smoke ? 1 : 3));
const warmupMs = Number(stringOption('warmup') ?? (smoke ? 200 : 1000));
const measureMs = Number(stringOption('measure') ?? (smoke ? 300 : 3000));
const only = stringOption('only')?.split(',');
// The smoke run keeps one shape so that it finishes in well under 30 s (process start-up dominates).
const shapeFilter = (stringOption('shapes') ?? (smoke ? '10x1' : undefined))?.split(',');
const scenarioNames = (stringOption('scenarios') ?? Object.keys(SCENARIOS).join(','))
  .split(',')
  .filter((name) => name !== 'none');
const runRpc = stringOption('rpc') !== 'false';

interface Sample extends LoadResult {
  /** Server CPU time per call, in µs. */
  readonly serverUsPerCall?: number;
}

/** Runs one load generator against `serverPid`'s server; server CPU is taken over the generator's window. */
async function runLoad(spec: LoadSpec, serverPid: number | undefined): Promise<Sample> {
  const timeoutMs = spec.warmupMs + spec.measureMs + 30_000;
  const { result, serverCpuMs } = await runGenerator<LoadResult>(
    'bench/load.ts',
    spec,
    serverPid,
    timeoutMs,
    'load generator',
  );
  return { ...result, serverUsPerCall: microsecondsPer(serverCpuMs, result.calls) };
}

function versions(): string {
  // Read package.json files directly: some packages' `exports` do not expose `<name>/package.json`.
  const version = (name: string, modules = `${root}node_modules`): string => {
    try {
      return (JSON.parse(readFileSync(`${modules}/${name}/package.json`, 'utf8')) as { version: string })
        .version;
    } catch {
      return 'not installed';
    }
  };
  return [
    `node ${process.version}`,
    `nestjs-wamp ${version('.', root)} (lib/ sources)`,
    `ws ${version('ws')}`,
    `@nestjs/core ${version('@nestjs/core')}`,
    `@nestjs/microservices ${version('@nestjs/microservices')}`,
    `@nestjs/websockets ${version('@nestjs/websockets')}`,
    `socket.io ${version('socket.io')}`,
    `@nestjs/platform-socket.io ${version('@nestjs/platform-socket.io')}`,
    `msgpackr ${version('msgpackr')}`,
    `class-validator ${version('class-validator')}`,
    `ajv ${version('ajv')}`,
    `zod ${version('zod')}`,
    `prom-client ${version('prom-client')}`,
    `fox-wamp ${version('fox-wamp', `${root}bench/fox-wamp/node_modules`)}`,
  ].join(', ');
}

async function runRoundTrips(): Promise<void> {
  const variants = VARIANTS.filter(
    (variant) => !only || only.includes(variant.server) || variant === VARIANTS[0],
  );
  const shapes = SHAPES.filter(
    (shape) => !shapeFilter || shapeFilter.includes(`${shape.clients}x${shape.inflight}`),
  );
  console.log(`versions: ${versions()}`);
  console.log(
    `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}); ${pinnable ? 'servers pinned to core 0, load generator to core 1' : 'NOT pinned (taskset unavailable or 1 CPU)'}`,
  );
  console.log(
    `method: ${rounds} round(s), ${warmupMs} ms warm-up + ${measureMs} ms measured per run, variants interleaved\n`,
  );

  const servers = new Map<ServerVariant, RunningServer>();
  for (const variant of new Set(variants.map((entry) => entry.server))) {
    servers.set(variant, await startServer('bench/server.ts', variant));
  }

  const restarts = new Map<ServerVariant, number>();
  const samples = new Map<string, Sample[]>();
  const ratios = new Map<string, number[]>();
  const key = (variant: Variant, shape: (typeof SHAPES)[number]): string =>
    `${variant.name}|${shape.clients}x${shape.inflight}`;
  for (let round = 1; round <= rounds; round++) {
    for (const shape of shapes) {
      const baseline: Record<string, number> = {};
      for (const variant of variants) {
        if (!shape.allVariants && !variant.core) continue;
        let server = servers.get(variant.server)!;
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          // fox-wamp 0.7.28 can crash when a client disconnects with sends pending (`this.close is not a
          // function`): a dead baseline is restarted rather than failing every later run.
          console.log(
            `server ${variant.server} had exited (${server.child.exitCode ?? server.child.signalCode}); restarting it`,
          );
          restarts.set(variant.server, (restarts.get(variant.server) ?? 0) + 1);
          server = await startServer('bench/server.ts', variant.server);
          servers.set(variant.server, server);
        }
        const spec: LoadSpec = {
          url: `ws://127.0.0.1:${server.port}${variant.path}`,
          protocol: variant.protocol,
          clients: shape.clients,
          inflight: shape.inflight,
          warmupMs,
          measureMs,
        };
        let sample: Sample;
        try {
          sample = await runLoad(spec, server.child.pid);
        } catch (error) {
          console.log(`round ${round} ${key(variant, shape)}: FAILED ${(error as Error).message}`);
          process.exitCode = 1;
          continue;
        }
        if (variant === VARIANTS[0]) baseline.rate = sample.rate;
        const k = key(variant, shape);
        samples.set(k, [...(samples.get(k) ?? []), sample]);
        if (baseline.rate) ratios.set(k, [...(ratios.get(k) ?? []), sample.rate / baseline.rate]);
        console.log(
          `round ${round} ${shape.clients}x${shape.inflight} ${variant.name}: ${format(sample.rate)}/s p50 ${format(sample.p50, 2)} ms p99 ${format(sample.p99, 2)} ms server ${format(sample.serverUsPerCall ?? NaN, 1)} µs/call, generator ${format(sample.cpu * 100)}% CPU${sample.errors ? `, ${sample.errors} errors` : ''}`,
        );
      }
    }
  }

  console.log(
    '\n| clients x in flight | server | round trips/s (median) | spread (min-max) | ratio to raw ws (median) | p50 ms | p99 ms | server µs/call | generator CPU |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const shape of shapes) {
    for (const variant of variants) {
      const list = samples.get(key(variant, shape)) ?? [];
      if (list.length === 0) continue;
      const rates = list.map((sample) => sample.rate);
      console.log(
        `| ${shape.clients} x ${shape.inflight} | ${variant.name} | ${format(median(rates))} | ${format(Math.min(...rates))}-${format(Math.max(...rates))} | ${format(median(ratios.get(key(variant, shape)) ?? []), 2)} | ${format(median(list.map((sample) => sample.p50)), 2)} | ${format(median(list.map((sample) => sample.p99)), 2)} | ${format(median(list.map((sample) => sample.serverUsPerCall ?? NaN)), 1)} | ${format(median(list.map((sample) => sample.cpu * 100)))}% |`,
      );
    }
  }
  for (const [variant, count] of restarts)
    console.log(`\nnote: server ${variant} crashed and was restarted ${count} time(s)`);
  for (const [variant, server] of servers) {
    if (server.child.exitCode !== null)
      console.log(`\nwarning: server ${variant} exited early (${server.child.exitCode})`);
    // Idle servers would still hold memory and wake up for timers during the scenarios.
    server.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (runRpc) await runRoundTrips();
  for (const name of scenarioNames) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}`);
    console.error(`\nscenario ${name}...`);
    try {
      console.log(`\n${await scenario({ smoke, rounds })}`);
    } catch (error) {
      console.log(`\n### ${name}\n\nFAILED: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  })
  .finally(killAll);

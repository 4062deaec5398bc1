/**
 * Connection storm: sessions opened (and closed) per second. Starts each server variant
 * (bench/scenarios/connection-storm-server.ts) as its own process pinned to core 0, then for each round and
 * variant (interleaved) a fresh generator (bench/scenarios/connection-storm-load.ts) pinned to core 1 that
 * runs whole sessions with a fixed concurrency. Reports sessions/s (median of rounds, spread), the ratio to
 * raw ws of the same round, p50/p99 time to ready (WELCOME), server CPU per session and failures.
 *
 * Each session is closed cleanly rather than kept open: kept-open sessions would make every round measure a
 * larger server than the last (and run into the connection limit and the ephemeral port range), while a
 * closed one measures the whole churn a reconnect storm costs the router, open and close, in a steady
 * state. What held sessions cost is the idle-memory scenario's subject.
 *
 * Standalone: node --import @swc-node/register/esm-register bench/scenarios/connection-storm.ts [--smoke] [--rounds N]
 */
import { microsecondsPer, pinnable, runGenerator, runIfMain, standaloneOptions, startServer, type RunningServer } from '../processes.js';
import { format, median } from '../statistics.js';
import type { StormProtocol, StormResult, StormSpec } from './connection-storm-load.js';
import type { StormServerVariant } from './connection-storm-server.js';
import type { Scenario, ScenarioOptions } from './scenario.interface.js';

const SERVER_SCRIPT = 'bench/scenarios/connection-storm-server.ts';
const LOAD_SCRIPT = 'bench/scenarios/connection-storm-load.ts';

interface StormVariant {
  readonly name: string;
  readonly server: StormServerVariant;
  readonly protocol: StormProtocol;
  readonly path: string;
}

/** The first one is the baseline of the ratios. */
const VARIANTS: readonly StormVariant[] = [
  { name: 'raw ws (connect, 1 echo, close)', server: 'raw-ws', protocol: 'raw-ws', path: '' },
  { name: 'nestjs-wamp (HELLO/WELCOME, GOODBYE, close)', server: 'wamp', protocol: 'wamp', path: '/ws' },
  { name: 'Socket.IO in Nest (connect `40`, close)', server: 'sio-nest', protocol: 'sio', path: '' },
];

/** A generator's result with the server's CPU time over the same window. */
interface Sample extends StormResult {
  /** Server CPU time per completed session, in µs. */
  readonly serverUsPerSession: number;
}

/** Runs one generator against `serverPid`'s server and reads the server's CPU time around its window. */
async function runStormGenerator(spec: StormSpec, serverPid: number | undefined): Promise<Sample> {
  // Generous timeout: a run is a few seconds; a broken server makes every session wait for its timeout.
  const { result, serverCpuMs } = await runGenerator<StormResult>(LOAD_SCRIPT, spec, serverPid, 90_000, 'generator');
  return { ...result, serverUsPerSession: microsecondsPer(serverCpuMs, result.sessions) ?? NaN };
}

/** Runs the connection storm and returns its Markdown section. */
export const runConnectionStorm: Scenario = async ({ smoke, rounds }: ScenarioOptions): Promise<string> => {
  const sessions = smoke ? 200 : 2000;
  const concurrency = 50;
  const warmup = smoke ? 50 : 200;
  const log = (line: string): void => void process.stderr.write(`connection storm: ${line}\n`);

  const notes: string[] = [];
  const servers = new Map<StormServerVariant, RunningServer>();
  const samples = new Map<StormVariant, Sample[]>();
  const ratios = new Map<StormVariant, number[]>();
  const errors = new Map<StormVariant, Map<string, number>>();
  try {
    // Started together: start-up is mostly module loading, and three in a row would take most of a smoke run.
    const started = await Promise.allSettled(VARIANTS.map((variant) => startServer(SERVER_SCRIPT, variant.server)));
    started.forEach((outcome, index) => {
      const variant = VARIANTS[index]!;
      if (outcome.status === 'fulfilled') servers.set(variant.server, outcome.value);
      else notes.push(`${variant.name}: server did not start: ${(outcome.reason as Error).message.split('\n')[0]}`);
    });
    for (let round = 1; round <= rounds; round++) {
      let baseline = NaN;
      for (const variant of VARIANTS) {
        const server = servers.get(variant.server);
        if (!server) continue;
        const spec: StormSpec = {
          url: `ws://127.0.0.1:${server.port}${variant.path}`,
          protocol: variant.protocol,
          sessions,
          concurrency,
          warmup,
          sessionTimeoutMs: 10_000,
        };
        let sample: Sample;
        try {
          sample = await runStormGenerator(spec, server.child.pid);
        } catch (error) {
          notes.push(`round ${round} ${variant.name}: FAILED ${(error as Error).message}`);
          continue;
        }
        if (variant === VARIANTS[0]) baseline = sample.rate;
        samples.set(variant, [...(samples.get(variant) ?? []), sample]);
        ratios.set(variant, [...(ratios.get(variant) ?? []), sample.rate / baseline]);
        const reasons = errors.get(variant) ?? new Map<string, number>();
        for (const [reason, count] of Object.entries(sample.errors)) reasons.set(reason, (reasons.get(reason) ?? 0) + count);
        errors.set(variant, reasons);
        log(
          `round ${round} ${variant.name}: ${format(sample.rate)} sessions/s, ready p50 ${format(sample.p50, 2)} ms p99 ${format(sample.p99, 2)} ms, server ${format(sample.serverUsPerSession)} µs/session, generator ${format(sample.cpu * 100)}% CPU, ${sample.failures} failures`,
        );
      }
    }
    for (const [variant, server] of servers) {
      if (server.child.exitCode !== null) notes.push(`server ${variant} exited early (${server.child.exitCode})`);
    }
  } finally {
    for (const server of servers.values()) server.child.kill('SIGKILL');
  }

  const lines = [
    '### Connection storm: sessions opened per second',
    '',
    `${sessions} sessions per run, ${concurrency} at a time, after ${warmup} warm-up sessions; ${rounds} round(s), variants interleaved; ` +
      `${pinnable ? 'server pinned to core 0, generator to core 1' : 'NOT pinned (taskset unavailable or 1 CPU)'}. ` +
      'A session is a whole life: connect, handshake, clean close; it counts once its socket has closed. ' +
      'The generator speaks WebSocket by hand over `net` sockets (fixed upgrade request, prebuilt frames), the same client for all three: a `ws` client costs more CPU per connection than the server does. ' +
      '"ready" is the time from the TCP connect call to WELCOME (raw ws: the echo; Socket.IO: the `40` connect ack). ' +
      'Server CPU is read from /proc over the measured window (10 ms ticks), close handling included.',
    '',
    '| server | sessions/s (median) | spread (min-max) | ratio to raw ws (median) | p50 ms to ready | p99 ms to ready | p50 ms whole session | server µs/session | generator CPU | failures |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const variant of VARIANTS) {
    const list = samples.get(variant) ?? [];
    if (list.length === 0) continue;
    const rates = list.map((sample) => sample.rate);
    const failures = list.reduce((sum, sample) => sum + sample.failures, 0);
    lines.push(
      `| ${variant.name} | ${format(median(rates))} | ${format(Math.min(...rates))}-${format(Math.max(...rates))} | ${format(median(ratios.get(variant) ?? []), 2)} | ${format(median(list.map((sample) => sample.p50)), 2)} | ${format(median(list.map((sample) => sample.p99)), 2)} | ${format(median(list.map((sample) => sample.p50Total)), 2)} | ${format(median(list.map((sample) => sample.serverUsPerSession)))} | ${format(median(list.map((sample) => sample.cpu * 100)))}% | ${failures} of ${list.length * sessions} |`,
    );
  }
  const busiest = Math.max(...[...samples.values()].map((list) => median(list.map((sample) => sample.cpu))));
  if (busiest >= 0.85) {
    notes.push(
      `the generator used up to ${format(busiest * 100)}% of its core: those rates are partly generator-bound; server µs/session is the better comparison`,
    );
  }
  for (const [variant, reasons] of errors) {
    if (reasons.size === 0) continue;
    const text = [...reasons].map(([reason, count]) => `${reason} (${count})`).join('; ');
    notes.push(`${variant.name} failures: ${text}`);
  }
  lines.push(
    '',
    'The WAMP session makes two application round trips (HELLO/WELCOME, GOODBYE/GOODBYE) where raw ws makes one ' +
      'echo and Socket.IO one connect exchange (plus its open packet); the close is a WebSocket close handshake in all three.',
  );
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return lines.join('\n');
};

// Standalone run; importing this module (bench/run.ts) must not start anything.
runIfMain(import.meta.url, () => runConnectionStorm(standaloneOptions()));

/**
 * Progressive-results scenario: the rate of progressive RESULT frames from a Nest `@MessagePattern` handler
 * returning an Observable of 1,000 values, called with `receive_progress`, against raw `ws` streaming
 * servers sending the same frames (one JSON.stringify each): a naive one (one write per frame) and a corked
 * one (a call's frames in one write, as the router coalesces them). 1 client and 10 clients, each with one
 * call in flight. Both servers (bench/scenarios/stream-server.ts) run for the whole scenario pinned to
 * core 0; every measurement is a fresh generator process (bench/scenarios/stream-load.ts) pinned to core 1.
 * Rounds interleave the variants (the order alternates), and the ratio is taken within each round.
 *
 * Imported by `npm run bench` (`runStream`), or standalone, printing its Markdown section:
 *   node --import @swc-node/register/esm-register bench/scenarios/stream.ts [--smoke] [--rounds N]
 *     [--count N] [--warmup MS] [--measure MS]
 */
import { microsecondsPer, numberOverrides, pinnable, runGenerator, runIfMain, standaloneOptions, startServer, type RunningServer } from '../processes.js';
import { format, median } from '../statistics.js';
import type { StreamProtocol, StreamResult, StreamSpec } from './stream-load.js';
import type { StreamVariant } from './stream-server.js';
import type { Scenario, ScenarioOptions } from './scenario.interface.js';

const SERVER_SCRIPT = 'bench/scenarios/stream-server.ts';
const LOAD_SCRIPT = 'bench/scenarios/stream-load.ts';

interface Variant {
  readonly name: string;
  readonly server: StreamVariant;
  readonly protocol: StreamProtocol;
  readonly path: string;
}

/**
 * The naive baseline first (ratios are taken against it and against the corked one): one `send` and one
 * write per frame. The corked baseline writes a call's frames at once, as the router's write coalescing does.
 */
const VARIANTS: readonly Variant[] = [
  { name: 'raw ws, naive (one JSON.stringify + one write per frame)', server: 'raw-ws', protocol: 'raw-json', path: '' },
  { name: 'raw ws, corked (one JSON.stringify per frame, one write per call)', server: 'raw-ws-corked', protocol: 'raw-json', path: '' },
  { name: 'nestjs-wamp, Observable (range), json', server: 'wamp', protocol: 'wamp-json', path: '/ws' },
];
const [NAIVE, CORKED] = [VARIANTS[0]!, VARIANTS[1]!];

/** Concurrent callers, each with one call in flight. */
const CLIENTS: readonly number[] = [1, 10];

/** Knobs of one scenario run; the standalone command line can override them (for tuning). */
interface StreamSettings {
  readonly count: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

interface Sample extends StreamResult {
  /** Server CPU time per RESULT frame received over the window, in µs. */
  readonly serverUsPerFrame?: number;
}

/** Runs one generator against `serverPid`'s server; server CPU is taken over the generator's window. */
async function runStreamGenerator(spec: StreamSpec, serverPid: number | undefined): Promise<Sample> {
  const timeoutMs = spec.warmupMs + spec.measureMs + 60_000;
  const { result, serverCpuMs } = await runGenerator<StreamResult>(LOAD_SCRIPT, spec, serverPid, timeoutMs, 'stream generator');
  return { ...result, serverUsPerFrame: microsecondsPer(serverCpuMs, result.frames) };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const spread = (values: number[], digits = 0): string =>
  values.length === 0 ? '–' : `${format(Math.min(...values), digits)}-${format(Math.max(...values), digits)}`;

async function stream(options: ScenarioOptions, overrides: Partial<StreamSettings>): Promise<string> {
  const settings: StreamSettings = {
    count: 1000,
    // Shorter than the RPC table's 1 s + 3 s: 18 runs must fit in about 90 s, and a stream reaches its
    // steady state within a few calls (no connection storm to wait out).
    warmupMs: options.smoke ? 200 : 500,
    measureMs: options.smoke ? 500 : 2000,
    ...overrides,
  };
  const servers = new Map<StreamVariant, RunningServer>();
  const samples = new Map<string, Sample[]>();
  // Per variant and client count: the per-round ratios to the naive and to the corked baseline.
  const toNaive = new Map<string, number[]>();
  const toCorked = new Map<string, number[]>();
  const failures: string[] = [];
  const key = (variant: Variant, clients: number): string => `${variant.server}|${clients}`;
  // The smoke run keeps the 10-client shape only, to stay within about 20 s (process start-up dominates).
  const clientCounts = options.smoke ? CLIENTS.filter((clients) => clients === 10) : CLIENTS;
  try {
    const started = await Promise.all(VARIANTS.map((variant) => startServer(SERVER_SCRIPT, variant.server)));
    VARIANTS.forEach((variant, index) => servers.set(variant.server, started[index]!));

    for (let round = 1; round <= options.rounds; round++) {
      for (const clients of clientCounts) {
        // The order alternates so that neither variant always runs first (warmer caches, drifting load).
        const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
        const rates = new Map<Variant, number>();
        for (const variant of order) {
          const server = servers.get(variant.server)!;
          const spec: StreamSpec = {
            url: `ws://127.0.0.1:${server.port}${variant.path}`,
            protocol: variant.protocol,
            clients,
            ...settings,
          };
          let sample: Sample;
          try {
            sample = await runStreamGenerator(spec, server.child.pid);
          } catch (error) {
            failures.push(`round ${round} ${clients} client(s) ${variant.name}: FAILED ${(error as Error).message}`);
            log(failures.at(-1)!);
            continue;
          }
          const k = key(variant, clients);
          samples.set(k, [...(samples.get(k) ?? []), sample]);
          rates.set(variant, sample.frameRate);
          log(
            `stream round ${round} ${clients} client(s) ${variant.name}: ${format(sample.frameRate)} frames/s, ${format(sample.callRate, 1)} calls/s, call p50 ${format(sample.p50, 2)} ms p99 ${format(sample.p99, 2)} ms, server ${format(sample.serverUsPerFrame ?? NaN, 2)} µs/frame, generator ${format(sample.cpu * 100)}% CPU, invalid ${sample.invalid}, errors ${sample.errors}`,
          );
        }
        for (const [variant, rate] of rates) {
          const k = key(variant, clients);
          const naive = rates.get(NAIVE);
          const corked = rates.get(CORKED);
          if (naive) toNaive.set(k, [...(toNaive.get(k) ?? []), rate / naive]);
          if (corked) toCorked.set(k, [...(toCorked.get(k) ?? []), rate / corked]);
        }
      }
    }
    for (const [variant, server] of servers) {
      if (server.child.exitCode !== null) failures.push(`server ${variant} exited early (${server.child.exitCode}): ${server.stderr.slice(0, 500)}`);
    }
  } finally {
    for (const server of servers.values()) server.child.kill('SIGKILL');
  }

  const lines: string[] = [
    '### Progressive results: stream rate',
    '',
    `\`bench.stream\` returns \`range(1, ${settings.count})\`, called with \`{receive_progress: true}\`: ` +
      `${settings.count - 1} progressive RESULTs + 1 final RESULT per call, each client with 1 call in flight ` +
      '(raw `ws` peers, JSON; every value checked in order). ' +
      `${options.rounds} round(s) of ${settings.warmupMs} ms warm-up + ${settings.measureMs} ms measured, ` +
      `variants interleaved (order alternating); ${pinnable ? 'server on core 0, generator on core 1' : 'NOT pinned'}.`,
    '',
    '| clients x in flight | server | frames/s (median) | spread (min-max) | ratio to naive raw ws (median, min-max) | ratio to corked raw ws (median, min-max) | calls/s | call p50 ms | call p99 ms | server µs/frame | generator CPU | invalid / errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const clients of clientCounts) {
    for (const variant of VARIANTS) {
      const list = samples.get(key(variant, clients)) ?? [];
      if (list.length === 0) continue;
      const frameRates = list.map((sample) => sample.frameRate);
      const ratio = (values: number[] = []): string => `${format(median(values), 2)} (${spread(values, 2)})`;
      const sum = (pick: (sample: Sample) => number): number => list.reduce((total, sample) => total + pick(sample), 0);
      lines.push(
        `| ${clients} x 1 | ${variant.name} | ${format(median(frameRates))} | ${spread(frameRates)} | ${ratio(toNaive.get(key(variant, clients)))} | ${ratio(toCorked.get(key(variant, clients)))} | ${format(median(list.map((sample) => sample.callRate)), 1)} | ${format(median(list.map((sample) => sample.p50)), 2)} | ${format(median(list.map((sample) => sample.p99)), 2)} | ${format(median(list.map((sample) => sample.serverUsPerFrame ?? NaN)), 2)} | ${format(median(list.map((sample) => sample.cpu * 100)))}% | ${sum((sample) => sample.invalid)} / ${sum((sample) => sample.errors)} |`,
      );
    }
  }
  if (failures.length > 0) lines.push('', ...failures.map((failure) => `- ${failure}`));
  return lines.join('\n');
}

/** The progressive-results scenario for `npm run bench`: RESULT progress frames/s, nestjs-wamp vs raw ws. */
export const runStream: Scenario = (options) => stream(options, {});

// Standalone: run and print the section; imported (by bench/run.ts), only export the scenario.
// Hard bound on the whole standalone run: 5 min (a full run takes about a minute).
runIfMain(import.meta.url, () => stream(standaloneOptions(), numberOverrides(['count'])), 5 * 60_000);

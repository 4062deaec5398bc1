/**
 * Fan-out scenario: 1 publisher -> 1,000 subscribers (100 in a smoke run), nestjs-wamp's broker against a
 * raw `ws` broadcast of one pre-serialized frame. Both servers (bench/scenarios/fan-out-server.ts) run for
 * the whole scenario pinned to core 0; every measurement is a fresh generator process
 * (bench/scenarios/fan-out-load.ts) pinned to core 1 holding the publisher and all subscribers. Rounds
 * interleave the variants (the order alternates), and the ratio is taken within each round.
 *
 * Imported by `npm run bench` (`runFanOut`), or standalone, printing its Markdown section:
 *   node --import @swc-node/register/esm-register bench/scenarios/fan-out.ts [--smoke] [--rounds N]
 *     [--subscribers N] [--window N] [--warmup MS] [--measure MS]
 */
import { microsecondsPer, numberOverrides, pinnable, runGenerator, runIfMain, standaloneOptions, startServer, type RunningServer } from '../processes.js';
import { format, median } from '../statistics.js';
import type { FanOutProtocol, FanOutResult, FanOutSpec } from './fan-out-load.js';
import type { FanOutVariant } from './fan-out-server.js';
import type { Scenario, ScenarioOptions } from './scenario.interface.js';

const SERVER_SCRIPT = 'bench/scenarios/fan-out-server.ts';
const LOAD_SCRIPT = 'bench/scenarios/fan-out-load.ts';

interface Variant {
  readonly name: string;
  readonly server: FanOutVariant;
  readonly protocol: FanOutProtocol;
  readonly path: string;
}

/** The baseline first: ratios are taken against it. */
const VARIANTS: readonly Variant[] = [
  { name: 'raw ws broadcast (one pre-serialized frame)', server: 'raw-ws', protocol: 'raw-json', path: '' },
  { name: 'nestjs-wamp broker, json', server: 'wamp', protocol: 'wamp-json', path: '/ws' },
];

/** Knobs of one scenario run; the standalone command line can override them (for tuning). */
interface FanOutSettings {
  readonly subscribers: number;
  readonly window: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

/**
 * Two publications outstanding: while the generator reads one publication's 1,000 EVENTs the server
 * already fans out the next, so neither core waits for the other (with 1 they take turns). The pipeline
 * has two stages, so a third publication would only wait in a queue: latency without throughput.
 * `--window N` overrides it in a standalone run.
 */
const DEFAULT_WINDOW = 2;

interface Sample extends FanOutResult {
  /** Server CPU time per acknowledged publication / per delivered EVENT over the window, in µs. */
  readonly serverUsPerPublication?: number;
  readonly serverUsPerEvent?: number;
}

/** Runs one generator against `serverPid`'s server; server CPU is taken over the generator's window. */
async function runFanOutGenerator(spec: FanOutSpec, serverPid: number | undefined): Promise<Sample> {
  const timeoutMs = spec.warmupMs + spec.measureMs + 60_000;
  const { result, serverCpuMs } = await runGenerator<FanOutResult>(LOAD_SCRIPT, spec, serverPid, timeoutMs, 'fan-out generator');
  return {
    ...result,
    serverUsPerPublication: microsecondsPer(serverCpuMs, result.publications),
    serverUsPerEvent: microsecondsPer(serverCpuMs, result.events),
  };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const spread = (values: number[], digits = 0): string =>
  values.length === 0 ? '–' : `${format(Math.min(...values), digits)}-${format(Math.max(...values), digits)}`;

async function fanOut(options: ScenarioOptions, overrides: Partial<FanOutSettings>): Promise<string> {
  const settings: FanOutSettings = {
    subscribers: options.smoke ? 100 : 1000,
    window: DEFAULT_WINDOW,
    warmupMs: options.smoke ? 300 : 1000,
    measureMs: options.smoke ? 700 : 3000,
    ...overrides,
  };
  const servers = new Map<FanOutVariant, RunningServer>();
  const samples = new Map<Variant, Sample[]>();
  const ratios: number[] = [];
  const failures: string[] = [];
  try {
    const started = await Promise.all(VARIANTS.map((variant) => startServer(SERVER_SCRIPT, variant.server)));
    VARIANTS.forEach((variant, index) => servers.set(variant.server, started[index]!));

    for (let round = 1; round <= options.rounds; round++) {
      // The order alternates so that neither variant always runs first (warmer caches, drifting load).
      const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
      const rates = new Map<Variant, number>();
      for (const variant of order) {
        const server = servers.get(variant.server)!;
        const spec: FanOutSpec = {
          url: `ws://127.0.0.1:${server.port}${variant.path}`,
          protocol: variant.protocol,
          ...settings,
        };
        let sample: Sample;
        try {
          sample = await runFanOutGenerator(spec, server.child.pid);
        } catch (error) {
          failures.push(`round ${round} ${variant.name}: FAILED ${(error as Error).message}`);
          log(failures.at(-1)!);
          continue;
        }
        samples.set(variant, [...(samples.get(variant) ?? []), sample]);
        rates.set(variant, sample.eventRate);
        log(
          `fan-out round ${round} ${variant.name}: ${format(sample.eventRate)} events/s, ${format(sample.publicationRate)} publications/s, p50 ${format(sample.p50, 2)} ms p99 ${format(sample.p99, 2)} ms, server ${format(sample.serverUsPerEvent ?? NaN, 2)} µs/event, generator ${format(sample.cpu * 100)}% CPU, lost ${sample.lost}/${sample.expected}, out of order ${sample.outOfOrder}, stalls ${sample.stalls}, errors ${sample.errors}`,
        );
      }
      const baseline = rates.get(VARIANTS[0]!);
      const wamp = rates.get(VARIANTS[1]!);
      if (baseline && wamp !== undefined) ratios.push(wamp / baseline);
    }
    for (const [variant, server] of servers) {
      if (server.child.exitCode !== null) failures.push(`server ${variant} exited early (${server.child.exitCode}): ${server.stderr.slice(0, 500)}`);
    }
  } finally {
    for (const server of servers.values()) server.child.kill('SIGKILL');
  }

  const lines: string[] = [
    `### Fan-out: 1 publisher -> ${settings.subscribers.toLocaleString('en-US')} subscribers`,
    '',
    `${settings.subscribers} subscribers and 1 publisher in one generator process (raw \`ws\` peers, JSON), ` +
      `${settings.window} publications outstanding (acknowledged and delivered to every subscriber before the next), ` +
      `payload \`[seq, sentAt]\`; ${options.rounds} round(s) of ${settings.warmupMs} ms warm-up + ${settings.measureMs} ms measured, ` +
      `variants interleaved (order alternating); ${pinnable ? 'server on core 0, generator on core 1' : 'NOT pinned'}. ` +
      'Latency: publish sent -> EVENT received, same clock.',
    '',
    '| server | events delivered/s (median) | spread (min-max) | ratio to raw ws (median, min-max) | publications/s | p50 ms | p99 ms | server µs/publication | server µs/event | generator CPU | lost / out of order / stalls |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const variant of VARIANTS) {
    const list = samples.get(variant) ?? [];
    if (list.length === 0) continue;
    const eventRates = list.map((sample) => sample.eventRate);
    const ratio = variant === VARIANTS[0] ? '1.00' : `${format(median(ratios), 2)} (${spread(ratios, 2)})`;
    const sum = (pick: (sample: Sample) => number): number => list.reduce((total, sample) => total + pick(sample), 0);
    lines.push(
      `| ${variant.name} | ${format(median(eventRates))} | ${spread(eventRates)} | ${ratio} | ${format(median(list.map((sample) => sample.publicationRate)))} | ${format(median(list.map((sample) => sample.p50)), 2)} | ${format(median(list.map((sample) => sample.p99)), 2)} | ${format(median(list.map((sample) => sample.serverUsPerPublication ?? NaN)))} | ${format(median(list.map((sample) => sample.serverUsPerEvent ?? NaN)), 2)} | ${format(median(list.map((sample) => sample.cpu * 100)))}% | ${sum((sample) => sample.lost)} of ${sum((sample) => sample.expected)} / ${sum((sample) => sample.outOfOrder)} / ${sum((sample) => sample.stalls)} |`,
    );
  }
  const notes: string[] = [];
  for (const variant of VARIANTS) {
    const list = samples.get(variant) ?? [];
    const errors = list.reduce((total, sample) => total + sample.errors, 0);
    const mismatched = list.reduce((total, sample) => total + sample.mismatched, 0);
    if (errors || mismatched) notes.push(`- ${variant.name}: ${errors} errors, ${mismatched} EVENTs whose publication ID differs from PUBLISHED's.`);
  }
  notes.push(...failures.map((failure) => `- ${failure}`));
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

/** The fan-out scenario for `npm run bench`: 1 publisher -> 1,000 subscribers, nestjs-wamp vs raw ws. */
export const runFanOut: Scenario = (options) => fanOut(options, {});

// Standalone: run and print the section; imported (by bench/run.ts), only export the scenario.
// Hard bound on the whole standalone run: 5 min (a full run takes about a minute).
runIfMain(import.meta.url, () => fanOut(standaloneOptions(), numberOverrides(['subscribers', 'window'])), 5 * 60_000);

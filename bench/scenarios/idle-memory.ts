/**
 * Idle memory per session: what one held, idle session costs the server. For each round and server variant
 * (interleaved), starts a fresh server (bench/scenarios/idle-memory-server.ts, `--expose-gc`, core 0) and a
 * generator (bench/scenarios/idle-memory-load.ts, core 1) that warms the server up with a few sessions
 * opened and closed, then, on command, opens the sessions and holds them. The server is asked for a
 * snapshot after GC (`measure` on its stdin) before the sessions are opened, after they are all open and
 * idle, for WAMP again after each session subscribed to a topic of its own, and after they are all closed
 * (what stays is a leak, or memory the allocator kept). Reports bytes per session of heapUsed + external and
 * of RSS, a rough kernel figure (the slab delta from /proc/meminfo), and the ratio wamp / raw ws.
 *
 * Standalone: node --import @swc-node/register/esm-register bench/scenarios/idle-memory.ts [--smoke] [--rounds N]
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_ARGS, pinnable, runIfMain, standaloneOptions, start, startServer, type RunningServer } from '../processes.js';
import { format, median } from '../statistics.js';
import type { IdleProtocol, IdleReport, IdleSpec } from './idle-memory-load.js';
import type { IdleServerVariant, MemorySnapshot } from './idle-memory-server.js';
import type { Scenario, ScenarioOptions } from './scenario.interface.js';

const SERVER_SCRIPT = 'bench/scenarios/idle-memory-server.ts';
const LOAD_SCRIPT = 'bench/scenarios/idle-memory-load.ts';

interface IdleVariant {
  readonly name: string;
  readonly server: IdleServerVariant;
  readonly protocol: IdleProtocol;
  readonly path: string;
  /** Whether the held sessions then subscribe (a second measurement). */
  readonly subscribe: boolean;
}

/** The first one is the baseline of the ratios. */
const VARIANTS: readonly IdleVariant[] = [
  { name: 'raw ws connection', server: 'raw-ws', protocol: 'raw-ws', path: '', subscribe: false },
  { name: 'nestjs-wamp session (JSON, after WELCOME)', server: 'wamp', protocol: 'wamp', path: '/ws', subscribe: true },
];

/** The lines a child prints on stdout, to be awaited by prefix. */
class Lines {
  private readonly lines: string[] = [];
  private wake?: () => void;
  private exited = false;

  constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.wake?.();
    });
    child.once('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  /** The rest of the first line starting with `prefix` (earlier other lines are dropped). */
  async next(prefix: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => line.startsWith(prefix));
      if (index >= 0) return this.lines.splice(0, index + 1)[index]!.slice(prefix.length);
      if (this.exited) throw new Error(`exited (${this.child.exitCode}) before printing ${prefix.trim()}`);
      const wait = deadline - Date.now();
      if (wait <= 0) throw new Error(`no ${prefix.trim()} line within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/** A server snapshot with the machine's kernel slab size at the same moment. */
interface Snapshot extends MemorySnapshot {
  /** /proc/meminfo `Slab`, in bytes (system-wide), NaN when unreadable. */
  readonly slab: number;
}

/** Kernel slab memory (socket structures live there, not in any process's RSS), in bytes. */
function slabBytes(): number {
  try {
    const match = /^Slab:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function snapshot(server: ChildProcess, lines: Lines): Promise<Snapshot> {
  server.stdin!.write('measure\n');
  const memory = JSON.parse(await lines.next('MEMORY ', 30_000)) as MemorySnapshot;
  return { ...memory, slab: slabBytes() };
}

/** What one round of one variant measured, per session (bytes). */
interface Sample {
  /** Sessions the server held at the "open" snapshot (its own count, less the baseline's). */
  readonly held: number;
  readonly heapExternal: number;
  readonly rss: number;
  readonly slab: number;
  /** heapUsed + external still above the baseline after every session closed, per session once held. */
  readonly residual: number;
  /** With one subscription per session, measured from the same baseline (wamp only). */
  readonly subscribed?: { readonly held: number; readonly heapExternal: number; readonly rss: number; readonly slab: number };
  /** Connections, sessions and subscriptions the server still counted after the close. */
  readonly leftover: string;
  readonly failures: number;
  readonly lost: number;
  readonly errors: Record<string, number>;
  readonly openSeconds: number;
}

const heapExternal = (memory: Snapshot): number => memory.heapUsed + memory.external;

/** A generator process, started ahead of its turn (it waits for `target <url>`). */
interface Generator {
  readonly child: ChildProcess;
  readonly lines: Lines;
  stderr: string;
}

function startGenerator(spec: IdleSpec): Generator {
  const child = start(1, [...NODE_ARGS, LOAD_SCRIPT, JSON.stringify(spec)]);
  const generator: Generator = { child, lines: new Lines(child), stderr: '' };
  child.stderr!.setEncoding('utf8').on('data', (data: string) => {
    if (generator.stderr.length < 10_000) generator.stderr += data;
  });
  return generator;
}

/** Runs one variant once, with a fresh server and generator (both killed at the end): four snapshots. */
async function measureVariant(variant: IdleVariant, server: RunningServer, generator: Generator, idleMs: number): Promise<Sample> {
  const serverLines = new Lines(server.child);
  const step = async (command: string, reply: string): Promise<IdleReport> => {
    generator.child.stdin!.write(`${command}\n`);
    try {
      return JSON.parse(await generator.lines.next(`${reply} `, 90_000)) as IdleReport;
    } catch (error) {
      throw new Error(`generator: ${(error as Error).message} ${generator.stderr.slice(0, 2000)}`, { cause: error });
    }
  };
  try {
    await step(`target ws://127.0.0.1:${server.port}${variant.path}`, 'WARMED');
    // The warm-up sockets' close handling on the server runs a little after the generator saw them close.
    await sleep(Math.min(500, idleMs));
    const base = await snapshot(server.child, serverLines);
    const opened = await step('open', 'OPENED');
    await sleep(idleMs);
    const open = await snapshot(server.child, serverLines);
    const held = open.connections - base.connections;
    let subscribed: Sample['subscribed'];
    let failures = opened.failures;
    if (variant.subscribe) {
      const report = await step('subscribe', 'SUBSCRIBED');
      failures += report.failures;
      await sleep(idleMs);
      const after = await snapshot(server.child, serverLines);
      subscribed = {
        held: after.subscriptions - base.subscriptions,
        heapExternal: (heapExternal(after) - heapExternal(base)) / held,
        rss: (after.rss - base.rss) / held,
        slab: (after.slab - base.slab) / held,
      };
    }
    const closed = await step('close', 'CLOSED');
    failures += closed.failures;
    await sleep(idleMs);
    const end = await snapshot(server.child, serverLines);
    return {
      held,
      heapExternal: (heapExternal(open) - heapExternal(base)) / held,
      rss: (open.rss - base.rss) / held,
      slab: (open.slab - base.slab) / held,
      residual: (heapExternal(end) - heapExternal(base)) / held,
      subscribed,
      leftover: `${end.connections}/${end.sessions}/${end.subscriptions}`,
      failures,
      lost: closed.lost, // cumulative in the generator
      errors: closed.errors,
      openSeconds: opened.elapsedMs / 1000,
    };
  } finally {
    generator.child.kill('SIGKILL');
    server.child.kill('SIGKILL');
  }
}

/** Runs the idle-memory measurement and returns its Markdown section. */
export const runIdleMemory: Scenario = async ({ smoke, rounds }: ScenarioOptions): Promise<string> => {
  const sessions = smoke ? 1000 : 10_000;
  const warmup = smoke ? 100 : 200;
  // Long enough for the last handshakes' garbage and timers to settle; short in a smoke run to stay under 20 s.
  const idleMs = smoke ? 500 : 1000;
  const log = (line: string): void => void process.stderr.write(`idle memory: ${line}\n`);
  const samples = new Map<IdleVariant, Sample[]>();
  const ratios = { heapExternal: [] as number[], rss: [] as number[], subHeapExternal: [] as number[], subRss: [] as number[] };
  const notes: string[] = [];

  for (let round = 1; round <= rounds; round++) {
    let baseline: Sample | undefined;
    // The round's servers (core 0) and generators (core 1) all start together: start-up is mostly module
    // loading. A process waiting for its turn holds no sockets, so it does not disturb the figures of the
    // variant being measured, not even the machine-wide slab.
    const starting = VARIANTS.map((variant) => startServer(SERVER_SCRIPT, variant.server, ['--expose-gc']));
    for (const promise of starting) promise.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
    const generators = VARIANTS.map((variant) =>
      startGenerator({ protocol: variant.protocol, sessions, concurrency: 200, warmup, timeoutMs: 10_000 }),
    );
    for (const [index, variant] of VARIANTS.entries()) {
      let sample: Sample;
      try {
        sample = await measureVariant(variant, await starting[index]!, generators[index]!, idleMs);
      } catch (error) {
        generators[index]!.child.kill('SIGKILL');
        notes.push(`round ${round} ${variant.name}: FAILED ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
      samples.set(variant, [...(samples.get(variant) ?? []), sample]);
      if (variant === VARIANTS[0]) baseline = sample;
      else if (baseline) {
        ratios.heapExternal.push(sample.heapExternal / baseline.heapExternal);
        ratios.rss.push(sample.rss / baseline.rss);
        if (sample.subscribed) {
          ratios.subHeapExternal.push(sample.subscribed.heapExternal / baseline.heapExternal);
          ratios.subRss.push(sample.subscribed.rss / baseline.rss);
        }
      }
      log(
        `round ${round} ${variant.name}: ${sample.held} held (opened in ${format(sample.openSeconds, 1)} s), heap+external ${format(sample.heapExternal)} B/session, RSS ${format(sample.rss)} B/session, slab ${format(sample.slab)} B/session` +
          (sample.subscribed ? `; with a subscription each (${sample.subscribed.held} subscriptions): heap+external ${format(sample.subscribed.heapExternal)} B/session` : '') +
          `; after close: residual ${format(sample.residual)} B/session, left connections/sessions/subscriptions ${sample.leftover}; ${sample.failures} failures, ${sample.lost} lost`,
      );
    }
  }

  const range = (values: number[]): string => `${format(Math.min(...values))}-${format(Math.max(...values))}`;
  const lines = [
    '### Idle memory per session',
    '',
    `${sessions} sessions held idle (opened 200 at a time, after ${warmup} warm-up sessions opened and closed); ${rounds} round(s), a fresh server per round and variant, variants interleaved; ` +
      `${pinnable ? 'server pinned to core 0, generator to core 1' : 'NOT pinned (taskset unavailable or 1 CPU)'}. ` +
      `Snapshots after 4 forced GCs: before opening, after all were open and idle ${idleMs} ms, and after all were closed and ${idleMs} ms passed. ` +
      'raw ws: connect + one small echo; nestjs-wamp: `wamp.2.json`, HELLO -> WELCOME, default keepalive (20 s, so no ping in the window). ' +
      'Per-session figures divide the delta by the number of connections the server itself counted.',
    '',
    '| server | sessions held | heap+external B/session (median) | spread (min-max) | ratio to raw ws (heap+external) | RSS B/session | ratio to raw ws (RSS) | kernel slab B/session (both ends, system-wide) | residual after close, heap+external B/session | left after close (conn/sessions/subs) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const variant of VARIANTS) {
    const list = samples.get(variant) ?? [];
    if (list.length === 0) continue;
    const isBaseline = variant === VARIANTS[0];
    const heap = list.map((sample) => sample.heapExternal);
    lines.push(
      `| ${variant.name} | ${format(median(list.map((sample) => sample.held)))} | ${format(median(heap))} | ${range(heap)} | ${isBaseline ? '1.00' : format(median(ratios.heapExternal), 2)} | ${format(median(list.map((sample) => sample.rss)))} | ${isBaseline ? '1.00' : format(median(ratios.rss), 2)} | ${format(median(list.map((sample) => sample.slab)))} | ${format(median(list.map((sample) => sample.residual)))} | ${list.map((sample) => sample.leftover).join(', ')} |`,
    );
    const withSubscription = list.flatMap((sample) => (sample.subscribed ? [sample.subscribed] : []));
    if (withSubscription.length > 0) {
      const subHeap = withSubscription.map((entry) => entry.heapExternal);
      lines.push(
        `| ${variant.name} + 1 subscription (own topic) | ${format(median(withSubscription.map((entry) => entry.held)))} subscriptions | ${format(median(subHeap))} | ${range(subHeap)} | ${format(median(ratios.subHeapExternal), 2)} | ${format(median(withSubscription.map((entry) => entry.rss)))} | ${format(median(ratios.subRss), 2)} | ${format(median(withSubscription.map((entry) => entry.slab)))} | (same close) | |`,
      );
    }
  }
  for (const [variant, list] of samples) {
    const failures = list.reduce((sum, sample) => sum + sample.failures, 0);
    const lost = list.reduce((sum, sample) => sum + sample.lost, 0);
    if (failures > 0 || lost > 0) {
      const reasons = Object.entries(list.at(-1)!.errors).map(([reason, count]) => `${reason} (${count})`).join('; ');
      notes.push(`${variant.name}: ${failures} failed opens/subscribes/closes, ${lost} sessions closed by the server while idle${reasons ? `; ${reasons}` : ''}`);
    }
  }
  lines.push(
    '',
    'heapUsed + external is what the JS side holds per session; RSS also counts V8 heap pages kept after GC and ' +
      "the allocator's slack, so it is coarser. Kernel socket memory (struct sock, socket inode, TCP state; buffers are " +
      'empty when idle) is not in any RSS: the slab column is the delta of /proc/meminfo `Slab` over the whole machine, ' +
      "covering both ends of each loopback connection (the generator's socket too, so roughly half is the server's) " +
      'plus whatever else ran meanwhile: an order of magnitude, not a measurement. ' +
      '"residual" is what stays above the baseline once every session closed, divided by the sessions once held: ' +
      'a fixed amount (grown hash tables, compiled code) shrinks per session as the count grows, a leak does not; ' +
      '"left after close" is the server\'s own count of connections, sessions and broker subscriptions (all 0 when clean).',
  );
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return lines.join('\n');
};

// Standalone run; importing this module (bench/run.ts) must not start anything.
runIfMain(import.meta.url, () => runIdleMemory(standaloneOptions()));

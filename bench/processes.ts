/**
 * Process plumbing shared by the benchmark orchestrators (bench/run.ts and bench/scenarios/*): spawning
 * servers and load generators pinned to a core, reading a process's CPU time, and killing every child on
 * exit, so that no benchmark process outlives the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The project root: @swc-node reads tsconfig.json (decorators) from the working directory. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** Node arguments that run a TypeScript file of this project. */
export const NODE_ARGS = ['--import', '@swc-node/register/esm-register'];

/** Whether servers and generators can be pinned to separate cores (taskset works and there are 2+ CPUs). */
export const pinnable =
  availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true'], { timeout: 5000 }).status === 0;

const children = new Set<ChildProcess>();

/**
 * Spawns `node <args>` pinned to `core` (when pinning works), with piped stdio; the child is killed when
 * this process exits.
 */
export function start(core: number, args: string[], extraNodeArgs: string[] = []): ChildProcess {
  const nodeArgs = [...extraNodeArgs, ...args];
  const command = pinnable ? 'taskset' : process.execPath;
  const argv = pinnable ? ['-c', String(core), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, argv, {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running. */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** User + system CPU time of a process, in ms (from /proc; undefined when unavailable). */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return undefined;
  }
}

/** A server process started from bench/: its port once it printed `READY <port>`. */
export interface RunningServer {
  readonly child: ChildProcess;
  readonly port: number;
  stderr: string;
}

/**
 * Starts `node <script> <variant>` on core 0 and waits for its `READY <port>` line (30 s at most).
 * `extraNodeArgs` go before the script (e.g. `--expose-gc`, `--cpu-prof`).
 */
export function startServer(script: string, variant: string, extraNodeArgs: string[] = []): Promise<RunningServer> {
  const child = start(0, [...NODE_ARGS, script, variant], extraNodeArgs);
  const server = { child, port: 0, stderr: '' };
  child.stderr!.setEncoding('utf8').on('data', (data: string) => {
    if (server.stderr.length < 10_000) server.stderr += data;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} did not start in 30 s\n${server.stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${variant} exited (${code})\n${server.stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve({ ...server, port: Number(match[1]) });
    });
  });
}

/** The median of the finite values (NaN when there are none). */
export function median(values: number[]): number {
  const sorted = [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at `fraction` (0..1) of an ascending sorted list (NaN when empty). */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** A number for a table cell: fixed digits, or an en dash when not finite. */
export const format = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

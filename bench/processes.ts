/**
 * Process plumbing shared by the benchmark orchestrators (bench/run.ts and bench/scenarios/*): spawning
 * servers and load generators pinned to a core, reading a process's CPU time, and killing every child on
 * exit, so that no benchmark process outlives the run. Children import bench/child-process.ts instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GeneratorFailure } from './child-process.js';
import type { ScenarioOptions } from './scenarios/scenario.interface.js';

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

/** A generator's result with the server's CPU time over the generator's measured window. */
export interface GeneratorRun<Result> {
  /** The generator's last JSON line (with `ok: true`). */
  readonly result: Result;
  /** Server CPU time between `MEASURE start` and `MEASURE end`, in ms (undefined when unreadable). */
  readonly serverCpuMs: number | undefined;
}

/**
 * Runs `node <script> '<spec as JSON>'` pinned to core 1 (the server being on core 0) and resolves with its
 * last JSON line, reading `serverPid`'s CPU time when the generator prints `MEASURE start` / `MEASURE end`
 * so that the server's cost covers exactly the generator's window. Rejects (`<label> failed: ...`) when the
 * generator reports `ok: false` or prints no result, and kills it (`<label> timed out`) after `timeoutMs`.
 */
export function runGenerator<Result extends { readonly ok: true }>(
  script: string,
  spec: object,
  serverPid: number | undefined,
  timeoutMs: number,
  label: string,
): Promise<GeneratorRun<Result>> {
  const child = start(1, [...NODE_ARGS, script, JSON.stringify(spec)]);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (data: string) => {
    if (stderr.length < 10_000) stderr += data;
  });
  let cpuStart: number | undefined;
  let cpuEnd: number | undefined;
  let result: Result | GeneratorFailure | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'MEASURE start') cpuStart = cpuMs(serverPid);
    else if (line === 'MEASURE end') cpuEnd = cpuMs(serverPid);
    else if (line.startsWith('{')) result = JSON.parse(line) as Result | GeneratorFailure;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} timed out`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      if (result?.ok !== true) {
        reject(new Error(`${label} failed: ${result?.error ?? stderr.slice(0, 2000)}`));
        return;
      }
      resolve({ result, serverCpuMs: cpuStart !== undefined && cpuEnd !== undefined ? cpuEnd - cpuStart : undefined });
    });
  });
}

/** Server CPU per unit of work (call, event, session...), in µs; undefined without a CPU figure or units. */
export function microsecondsPer(serverCpuMs: number | undefined, units: number): number | undefined {
  return serverCpuMs !== undefined && units > 0 ? (serverCpuMs * 1000) / units : undefined;
}

/** The value after `--<name>` on the command line, if given. */
export function stringOption(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The number after `--<name>` on the command line, if given (NaN when it is not one). */
export function numberOption(name: string): number | undefined {
  return process.argv.includes(`--${name}`) ? Number(stringOption(name)) : undefined;
}

/** The options of a standalone scenario run: `--smoke`, and `--rounds N` (default 1 in a smoke run, else 3). */
export function standaloneOptions(): ScenarioOptions {
  const smoke = process.argv.includes('--smoke');
  return { smoke, rounds: numberOption('rounds') ?? (smoke ? 1 : 3) };
}

/**
 * A standalone scenario's setting overrides (for tuning): `--<name> N` for each of `names`, plus
 * `--warmup MS` and `--measure MS` as `warmupMs` and `measureMs`; options not given are left out.
 */
export function numberOverrides<Name extends string>(names: readonly Name[]): Partial<Record<Name | 'warmupMs' | 'measureMs', number>> {
  const options: [Name | 'warmupMs' | 'measureMs', string][] = [
    ...names.map((name): [Name, string] => [name, name]),
    ['warmupMs', 'warmup'],
    ['measureMs', 'measure'],
  ];
  return Object.fromEntries(
    options
      .map(([key, option]) => [key, numberOption(option)] as const)
      .filter(([, value]) => value !== undefined),
  ) as Partial<Record<Name | 'warmupMs' | 'measureMs', number>>;
}

/**
 * Runs a scenario standalone when `moduleUrl` (its `import.meta.url`) is the script node was started with,
 * printing the section it returns; imported (by bench/run.ts) it does nothing. Every child is killed at the
 * end, and after `watchdogMs` when given (a hard bound on the whole run, exit code 3).
 */
export function runIfMain(moduleUrl: string, run: () => Promise<string>, watchdogMs?: number): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  if (watchdogMs !== undefined) {
    setTimeout(() => {
      killAll();
      process.exit(3);
    }, watchdogMs).unref();
  }
  run()
    .then((section) => console.log(section))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    })
    .finally(killAll);
}

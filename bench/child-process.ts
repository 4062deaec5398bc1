/**
 * Life-cycle plumbing shared by the benchmark child processes (the servers and load generators that the
 * orchestrators start through bench/processes.ts). Importing this module does nothing by itself: every
 * handler is installed by the function a child calls. It must not import bench/processes.ts, whose
 * top-level side effects (a `taskset` probe, exit and signal handlers) belong to orchestrators only.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Ends this process with code 3 after `ms`, whatever happens to its parent; the timer keeps nothing alive. */
export function exitAfter(ms: number): void {
  setTimeout(() => process.exit(3), ms).unref();
}

/**
 * Exits (code 0) when stdin ends or fails: the orchestrator holds the other end of that pipe, so its going
 * away means nothing is left to do. Does not start reading: the caller does (`resume`, or a readline).
 */
export function exitOnStdinEnd(): void {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
}

/**
 * A server's life bound to its orchestrator: exits when the orchestrator's end of stdin closes, and after
 * `BENCH_SERVER_MAX_MS` ms (default `defaultMaxMs`), so that no server outlives a crashed or killed run.
 */
export function exitWithOrchestrator(defaultMaxMs: number): void {
  exitOnStdinEnd();
  // Reading is what makes 'end' fire; the data itself is ignored unless the server reads commands too.
  process.stdin.resume();
  exitAfter(Number(process.env.BENCH_SERVER_MAX_MS ?? defaultMaxMs));
}

/** Tells the orchestrator (bench/processes.ts `startServer`) that the server listens on `port`. */
export function announceReady(port: number): void {
  process.stdout.write(`READY ${port}\n`);
}

/** The text of an error for a report line or stderr: its stack when there is one. */
function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Runs a server's (or an interactive child's) `main`; a failure goes to stderr, which the orchestrator
 * shows, and ends the process with code 1 (stdout is kept for protocol lines such as `READY`).
 */
export function runServerMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${describe(error)}\n`);
    process.exit(1);
  });
}

/** A generator's last stdout line when it could not run: the orchestrator reports `error`. */
export interface GeneratorFailure {
  readonly ok: false;
  readonly error: string;
}

/**
 * Runs a load generator's `main` under a hard bound of `maxMs` (exit code 3); a failure is printed as its
 * one JSON result line ({@link GeneratorFailure}) and ends the process with code 1.
 */
export function runGeneratorMain(main: () => Promise<void>, maxMs: number): void {
  exitAfter(maxMs);
  main().catch((error: unknown) => {
    const failure: GeneratorFailure = { ok: false, error: error instanceof Error ? error.message : String(error) };
    process.stdout.write(`${JSON.stringify(failure)}\n`);
    process.exit(1);
  });
}

/** What a measured window took, from the generator's side. */
export interface WindowMeasurement {
  readonly elapsedMs: number;
  /** Generator CPU use (user + system) over the window, as a fraction of one core. */
  readonly cpu: number;
}

/**
 * Runs `during` as the measured window: prints `MEASURE start` and `MEASURE end` around it (the
 * orchestrator reads the server's CPU time on those lines) and measures the window's duration and this
 * process's CPU use. `during` gets the window's start (`performance.now()`), to tell latencies of work
 * begun inside the window from earlier ones.
 */
export async function measureDuring<T>(during: (startedAt: number) => Promise<T>): Promise<WindowMeasurement & { value: T }> {
  process.stdout.write('MEASURE start\n');
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const value = await during(startedAt);
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write('MEASURE end\n');
  return { value, elapsedMs, cpu: (cpu.user + cpu.system) / 1000 / elapsedMs };
}

/** Whether a generator's measured window is open, and since when: what it checks as it counts. */
export interface WindowState {
  /** True from the window's start to its end (cleared before its duration is taken). */
  open: boolean;
  /** When the window opened (`performance.now()`): work begun earlier is counted but gives no latency. */
  startedAt: number;
}

/**
 * Waits `warmupMs` (the load already running), then holds a measured window of `measureMs` (see
 * {@link measureDuring}), keeping `state` up to date as it opens and closes.
 */
export async function measureWindow(warmupMs: number, measureMs: number, state: WindowState): Promise<WindowMeasurement> {
  await sleep(warmupMs);
  const { elapsedMs, cpu } = await measureDuring(async (startedAt) => {
    state.startedAt = startedAt;
    state.open = true;
    await sleep(measureMs);
    state.open = false;
  });
  return { elapsedMs, cpu };
}

import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * A thin WAMP load generator (raw `ws` + JSON, see load-worker.ts) running in a child process, so the router
 * under test keeps the Jest process (and its heap) to itself. With two or more CPUs the generator is pinned
 * to the last one and the Jest process's main thread to the first (`taskset`), as performance.md
 * recommends; the Jest process's affinity is restored by {@link LoadGenerator.stop}.
 *
 * Every request is bounded in time; the worker exits when told to, when the Jest process goes away, or
 * after its own watchdog (175 s).
 */

/** Steady load: `sessions` sessions subscribed to `topic`, each calling `procedure` every `callIntervalMs`. */
export interface SoakRequest {
  readonly kind: 'soak';
  readonly url: string;
  readonly sessions: number;
  readonly topic: string;
  readonly procedure: string;
  readonly callIntervalMs: number;
  /** Handshakes in progress at once while connecting. */
  readonly concurrency: number;
}

/** Figures of a soak, measured on the client side. Latencies in ms. */
export interface SoakResult {
  readonly kind: 'soakResult';
  readonly sessions: number;
  readonly joinMs: number;
  readonly runMs: number;
  readonly calls: number;
  readonly errors: number;
  /** Calls still unanswered 5 s after the generator stopped calling (counted in `errors` too). */
  readonly unanswered: number;
  readonly wrongResults: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The same over the calls that overlapped none of the stop command's `pauses`. */
  readonly quiet: {
    readonly calls: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly eventsMin: number;
  readonly eventsMax: number;
  readonly eventsTotal: number;
  /** Sockets that closed or got ABORT / GOODBYE before the generator's own GOODBYE. */
  readonly unexpectedCloses: number;
  /** Sessions whose GOODBYE the router answered at the end. */
  readonly goodbyeReplies: number;
  /** CPU time the generator used during the run, in ms (user + system). */
  readonly cpuMs: number;
  readonly errorSamples: readonly string[];
}

/**
 * One connect/disconnect cycle: each session joins, subscribes (one of `topics` topics), calls `procedure`
 * once, then leaves: even sessions with GOODBYE, odd ones by cutting the socket while a call to
 * `holdProcedure` (which sends one progressive result, then waits for its abort signal) is in flight.
 */
export interface CycleRequest {
  readonly kind: 'cycle';
  readonly url: string;
  readonly sessions: number;
  readonly topicPrefix: string;
  readonly topics: number;
  readonly procedure: string;
  readonly holdProcedure: string;
  readonly concurrency: number;
}

export interface CycleResult {
  readonly kind: 'cycleResult';
  readonly ms: number;
  readonly joined: number;
  readonly subscribed: number;
  readonly called: number;
  readonly goodbyeReplies: number;
  readonly terminatedInCall: number;
  readonly failures: number;
  readonly errorSamples: readonly string[];
}

/**
 * Graceful-shutdown scenario: `sessions` sessions each put one call to `nearProcedure` and one to
 * `longProcedure` in flight. The first `promptSessions` answer a router GOODBYE at once (as Autobahn and
 * wampy do), the others never answer it. The result comes once every socket closed (or after `maxWaitMs`).
 */
export interface ShutdownRequest {
  readonly kind: 'shutdown';
  readonly url: string;
  readonly sessions: number;
  readonly promptSessions: number;
  readonly nearProcedure: string;
  readonly longProcedure: string;
  readonly concurrency: number;
  readonly maxWaitMs: number;
}

/** How the calls of one kind of session ended. */
export interface CallOutcomes {
  readonly calls: number;
  readonly resultsBeforeGoodbye: number;
  readonly resultsAfterGoodbye: number;
  readonly errorsBeforeGoodbye: number;
  readonly errorsAfterGoodbye: number;
  /** No RESULT nor ERROR before the socket closed. */
  readonly unanswered: number;
  readonly errorUris: Readonly<Record<string, number>>;
}

export interface ShutdownSessionsReport {
  readonly sessions: number;
  /** GOODBYE reasons received, by reason URI. */
  readonly goodbyes: Readonly<Record<string, number>>;
  readonly aborts: number;
  /** Close codes seen, by code. */
  readonly closeCodes: Readonly<Record<string, number>>;
  readonly notClosed: number;
  readonly near: CallOutcomes;
  readonly long: CallOutcomes;
}

export interface ShutdownResult {
  readonly kind: 'shutdownResult';
  readonly prompt: ShutdownSessionsReport;
  readonly linger: ShutdownSessionsReport;
  /** Wall-clock times (Date.now()) for comparison with the Jest process's clock. */
  readonly firstGoodbyeAt: number;
  readonly lastGoodbyeAt: number;
  readonly lastAnswerAt: number;
  readonly lastCloseAt: number;
}

/** Sent by the worker when it has joined everyone and is waiting (soak) or has sent its calls (shutdown). */
export interface ReadyReply {
  readonly kind: 'ready';
  readonly joined: number;
  readonly joinMs: number;
}

/**
 * Ends a soak. Calls in flight during one of the `pauses` (epoch ms intervals, e.g. the server's forced GCs)
 * are left out of the `quiet` latency figures.
 */
export interface StopCommand {
  readonly kind: 'stop';
  readonly pauses?: readonly (readonly [number, number])[];
}

export type WorkerCommand =
  | SoakRequest
  | CycleRequest
  | ShutdownRequest
  | { readonly kind: 'start' }
  | StopCommand
  | { readonly kind: 'exit' };

export type WorkerReply =
  | { readonly kind: 'online' }
  | { readonly kind: 'failed'; readonly message: string }
  | ReadyReply
  | SoakResult
  | CycleResult
  | ShutdownResult;

const WORKER_SCRIPT = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/** Runs `taskset` (when present); returns its stdout or undefined when it failed or is missing. */
function taskset(args: string[]): string | undefined {
  const run = spawnSync('taskset', args, { encoding: 'utf8', timeout: 5000 });
  return run.status === 0 ? run.stdout : undefined;
}

/** The CPU list of a process's main thread, e.g. `0,1` or `0-3`. */
function affinityOf(pid: number): string | undefined {
  const out = taskset(['-c', '-p', String(pid)]);
  return out?.split(':').pop()?.trim();
}

export class LoadGenerator {
  private readonly replies: WorkerReply[] = [];
  private waiter?: () => void;
  private stderr = '';
  private exited = false;
  private restoreAffinity?: string;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: WorkerReply) => {
      this.replies.push(message);
      this.waiter?.();
    });
    child.stderr?.setEncoding('utf8').on('data', (data: string) => {
      if (this.stderr.length < 20_000) this.stderr += data;
    });
    child.stdout?.resume();
    child.on('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  /** Whether the generator and the server were pinned to separate CPUs. */
  pinned = false;

  /** Forks the worker (TypeScript, through @swc-node) and waits until it is ready for commands. */
  static async start(): Promise<LoadGenerator> {
    const child = fork(WORKER_SCRIPT, [], {
      execArgv: ['--import', '@swc-node/register/esm-register'],
      // Not Jest's NODE_OPTIONS (--experimental-vm-modules, --expose-gc): the worker is a plain script.
      env: { ...process.env, NODE_OPTIONS: '' },
      silent: true,
    });
    const generator = new LoadGenerator(child);
    try {
      await generator.next('online', 30_000);
    } catch (error) {
      await generator.stop();
      throw error;
    }
    generator.pin();
    return generator;
  }

  /** Server (main thread of this process) on the first CPU, the worker (all its threads) on the last. */
  private pin(): void {
    const cpus = availableParallelism();
    if (cpus < 2 || this.child.pid === undefined) return;
    const original = affinityOf(process.pid);
    if (!original) return;
    if (taskset(['-a', '-c', '-p', String(cpus - 1), String(this.child.pid)]) === undefined) return;
    if (taskset(['-c', '-p', '0', String(process.pid)]) === undefined) return;
    this.restoreAffinity = original;
    this.pinned = true;
  }

  /** Sends a command. */
  send(command: WorkerCommand): void {
    if (this.exited) throw new Error(`Load generator exited.${this.diagnostics()}`);
    this.child.send(command);
  }

  /** The next reply of `kind` (other replies before it are discarded); rejects on `failed` or timeout. */
  async next<K extends WorkerReply['kind']>(
    kind: K,
    timeoutMs: number,
  ): Promise<Extract<WorkerReply, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.replies.shift();
      if (reply?.kind === kind) return reply as Extract<WorkerReply, { kind: K }>;
      if (reply?.kind === 'failed') throw new Error(`Load generator failed: ${reply.message}`);
      if (reply) continue;
      if (this.exited) throw new Error(`Load generator exited before "${kind}".${this.diagnostics()}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`No "${kind}" from the load generator within ${timeoutMs} ms.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  /** Tells the worker to exit (SIGKILL after 3 s) and restores this process's CPU affinity. */
  async stop(): Promise<void> {
    if (this.restoreAffinity) {
      taskset(['-c', '-p', this.restoreAffinity, String(process.pid)]);
      this.restoreAffinity = undefined;
    }
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ kind: 'exit' } satisfies WorkerCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private diagnostics(): string {
    return this.stderr ? `\nworker stderr:\n${this.stderr}` : '';
  }
}

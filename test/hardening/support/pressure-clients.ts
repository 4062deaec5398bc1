import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the pressure worker does: one burst from one publisher, to readers and stalled subscribers. */
export interface PressureRequest {
  readonly url: string;
  readonly protocol: 'wamp.2.json' | 'wamp.2.msgpack';
  readonly topic: string;
  /** Subscribers that read everything (and record the order). */
  readonly readers: number;
  /** Subscribers that stop reading once subscribed. */
  readonly stalled: number;
  /** PUBLISHes in the burst, each `[sequence, 'x' * eventBytes]`. */
  readonly events: number;
  readonly eventBytes: number;
  /** How long the readers may take to get every event. */
  readonly timeoutMs: number;
  /** How long to wait after that before looking at the stalled subscribers' sockets. */
  readonly settleMs: number;
}

/** What the worker saw. */
export interface PressureReport {
  readonly kind: 'report';
  /** From the first PUBLISH sent to the last EVENT received by every reader (or the timeout). */
  readonly elapsedMs: number;
  readonly readers: readonly { readonly received: number; readonly inOrder: boolean }[];
  readonly stalledClosed: number;
  /** Distinct close codes of the stalled subscribers (0: still open). */
  readonly stalledCloseCodes: readonly number[];
}

const WORKER = fileURLToPath(new URL('./pressure-worker.ts', import.meta.url));

/**
 * Runs one burst in a child process (TypeScript through @swc-node, as the load generator does), bounded by
 * the request's own timeouts plus a margin; the child is killed if it does not answer in time.
 */
export async function runPressureClients(
  request: PressureRequest,
  /** Called when the report arrived, before the clients close (closes after it are the clients' own). */
  onReport: () => void = () => undefined,
): Promise<PressureReport> {
  const child = fork(WORKER, [], {
    execArgv: ['--import', '@swc-node/register/esm-register'],
    env: { ...process.env, NODE_OPTIONS: '' },
    silent: true,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (data: string) => {
    if (stderr.length < 10_000) stderr += data;
  });
  child.stdout?.resume();
  try {
    return await new Promise<PressureReport>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`pressure worker did not report in time\n${stderr}`)),
        request.timeoutMs + request.settleMs + 60_000,
      );
      child.on('exit', (code) => reject(new Error(`pressure worker exited (${code})\n${stderr}`)));
      child.on('message', (message: { kind: string; error?: string }) => {
        if (message.kind === 'online') child.send(request);
        else if (message.kind === 'report') {
          clearTimeout(timer);
          onReport();
          child.send({ kind: 'finish' });
          resolve(message as PressureReport);
        } else {
          clearTimeout(timer);
          reject(new Error(`pressure worker failed: ${message.error}\n${stderr}`));
        }
      });
    });
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/**
 * Two sample-app processes (`npm start`'s entry, spawned) on one real redis-server, then on one nats-server,
 * behave as one router, with real clients on different instances (issue 17):
 *
 * - publish/subscribe: Autobahn|Python subscribes on instance B while Autobahn|JS publishes on instance A and
 *   creates a document there; then instance A is SIGKILLed and B goes on serving its sessions, its subscriber
 *   still receiving what is published on B;
 * - RPC: Autobahn|JS on A calls procedures Autobahn|Python registered on B (progressive results, an error);
 *   B is SIGKILLed in the middle of a call, and the caller on A gets `wamp.error.canceled` within the lease.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { closeQuietly, rejection, within, type AutobahnCall } from '../support/client-steps.js';
import {
  autobahnClasses,
  openAutobahnSession,
  pythonAutobahnAvailable,
  runPythonClient,
} from '../support/real-clients.js';
import { SERVER_ENGINES, type BackplaneServer, type ServerEngine } from '../support/backplane-servers.js';

interface SampleProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts `sample-app/src/main.ts` as npm start does, on a free port, and waits for its "WAMP router at" line. */
function startSampleApp(environment: Record<string, string>): Promise<SampleProcess> {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'sample-app/src/main.ts'],
    {
      env: { ...process.env, NODE_OPTIONS: '', PORT: '0', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the sample app did not start in 30 s:\n${output}`));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`the sample app exited (${code}):\n${output}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      const match = /WAMP router at (ws:\/\/[^\s]+\/ws)/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, url: match[1].replace('localhost', '127.0.0.1').replace('[::1]', '127.0.0.1') });
    });
  });
}

/**
 * Runs `run` with two sample-app processes (each with its own SQLite file) on a fresh server of `engine`,
 * `environment` added to theirs; kills them all and removes the files afterwards, however `run` ends.
 */
async function withTwoInstances(
  engine: ServerEngine,
  environment: Record<string, string>,
  run: (a: SampleProcess, b: SampleProcess) => Promise<void>,
): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'nestjs-wamp-processes-'));
  let server: BackplaneServer | undefined;
  const processes: SampleProcess[] = [];
  try {
    server = await engine.start();
    for (const node of ['a', 'b']) {
      processes.push(
        await startSampleApp({
          WAMP_BACKPLANE: server.url,
          DOCS_DB: join(directory, `${node}.sqlite`),
          ...environment,
        }),
      );
    }
    await run(processes[0], processes[1]);
  } finally {
    for (const sample of processes) sample.child.kill('SIGKILL');
    await server?.kill();
    await rm(directory, { recursive: true, force: true });
  }
}

/** `backplaneLease` of the RPC test's instances (ms): a killed one is lost within it. */
const LEASE = 1500;

const pythonSkip = pythonAutobahnAvailable('json') ? undefined : 'Autobahn|Python with json not importable';

for (const engine of SERVER_ENGINES) {
  describe(`the sample app as two processes on ${engine.name}`, () => {
    const skip = engine.skip ?? pythonSkip;
    (skip ? it.skip : it)(
      `${skip ? `[skipped: ${skip}] ` : ''}Autobahn|Python on B receives what Autobahn|JS does on A; B lives on when A is killed`,
      () =>
        withTwoInstances(engine, {}, async (a, b) => {
          const js = await openAutobahnSession(a.url, 'realm1', 'json');
          let subscribed!: () => void;
          const pythonSubscribed = new Promise<void>((resolve) => (subscribed = resolve));
          const python = runPythonClient(b.url, 'realm1', 'msgpack', {
            holdMs: 5000,
            timeoutMs: 15_000,
            actions: { subscribe: ['docs.changes', 'com.cluster.chat'], events: 3 },
            onEvent: (event) => {
              if (event.subscribed === 'com.cluster.chat') subscribed();
            },
          });
          try {
            await within(pythonSubscribed, 10_000, 'Python subscribed on B');
            await new Promise((resolve) => setTimeout(resolve, 1200)); // its subscription reaches A's reader
            await js.client.publish('com.cluster.chat', ['hello from A'], {}, { acknowledge: true });
            const created = (await within(
              js.client.call('docs.createDocument', ['Across', 'processes']) as AutobahnCall,
              10_000,
              'create on A',
            )) as { id: number };
            // Instance A dies; B goes on: a publication made on B still reaches the Python subscriber.
            a.child.kill('SIGKILL');
            const onB = await openAutobahnSession(b.url, 'realm1', 'cbor');
            await onB.client.publish('com.cluster.chat', ['hello from B'], {}, { acknowledge: true });
            await closeQuietly(onB);
            const outcome = await python;
            expect(outcome.error).toBeUndefined();
            expect(outcome.received.map((event) => event.args)).toEqual([
              ['hello from A'],
              [{ action: 'created', document: expect.objectContaining({ id: created.id, title: 'Across' }) }],
              ['hello from B'],
            ]);
          } finally {
            await closeQuietly(js);
          }
        }),
      60_000,
    );

    (skip ? it.skip : it)(
      `${skip ? `[skipped: ${skip}] ` : ''}Autobahn|JS on A calls Autobahn|Python's procedures on B; B killed mid-call: canceled within the lease`,
      () =>
        withTwoInstances(engine, { WAMP_BACKPLANE_LEASE: String(LEASE) }, async (a, b) => {
          let registered!: () => void;
          const pythonRegistered = new Promise<void>((resolve) => (registered = resolve));
          const python = runPythonClient(b.url, 'realm1', 'msgpack', {
            holdMs: 5000,
            timeoutMs: 15_000,
            actions: {
              register: [
                { procedure: 'com.cluster.stream', behavior: 'stream' },
                { procedure: 'com.cluster.fail', behavior: 'fail' },
                { procedure: 'com.cluster.wait', behavior: 'wait' },
              ],
            },
            onEvent: (event) => {
              if (event.registered === 'com.cluster.wait') registered();
            },
          });
          const js = await openAutobahnSession(a.url, 'realm1', 'json');
          try {
            await within(pythonRegistered, 10_000, 'Python registered on B');
            const call = (
              procedure: string,
              args: unknown[] = [],
              options: Record<string, unknown> = {},
            ): AutobahnCall => js.client.call(procedure, args, {}, options) as AutobahnCall;
            // The registrations reach A's view of the cluster shortly after REGISTERED.
            const deadline = Date.now() + 5000;
            for (;;) {
              const outcome = await within(call('com.cluster.stream', [1]), 5000, 'probe').then(
                () => 'routed',
                (error: { error?: string }) => error.error,
              );
              if (outcome === 'routed') break;
              expect(outcome).toBe('wamp.error.no_such_procedure');
              if (Date.now() > deadline) throw new Error("B's procedures never reached A");
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
            const progress: unknown[] = [];
            const streamed = await within(
              call('com.cluster.stream', [4], { receive_progress: true }).then(
                (value) => value,
                undefined,
                (update) => progress.push(update),
              ),
              5000,
              'stream across instances',
            );
            expect({ progress, streamed }).toEqual({ progress: [1, 2, 3], streamed: 4 });
            const { Error: AutobahnError } = autobahnClasses();
            await expect(rejection(call('com.cluster.fail'), 'fail across instances')).resolves.toEqual(
              new AutobahnError('com.example.error.failed', ['nope'], { code: 7 }),
            );

            // B dies while its callee holds a call from A: the caller is answered within the lease.
            const waiting = call('com.cluster.wait');
            await new Promise((resolve) => setTimeout(resolve, 200));
            const killedAt = Date.now();
            b.child.kill('SIGKILL');
            const error = (await rejection(waiting, 'the call B held', 4 * LEASE)) as { error: string };
            expect(error.error).toBe('wamp.error.canceled');
            expect(Date.now() - killedAt).toBeLessThan(3 * LEASE);
            // And B's procedures are gone from A.
            const after = (await rejection(call('com.cluster.stream', [1]), 'after B died')) as {
              error: string;
            };
            expect(after.error).toBe('wamp.error.no_such_procedure');
            await python.catch(() => undefined);
          } finally {
            await closeQuietly(js);
          }
        }),
      60_000,
    );
  });
}

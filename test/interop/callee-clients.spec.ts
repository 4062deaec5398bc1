/**
 * Real WAMP clients written by others as callees (issue 15): Autobahn|Python 22.7.1 on json, msgpack and cbor,
 * Autobahn|JS 22.11.1, wampy 8.0.2 and thruway.js 2.0.7 register procedures on the router, and each is
 * called by the others. Asserted: what each caller's application gets (results, errors, progressive results,
 * a `kill` cancel), what each callee's application saw (args, kwargs, the procedure a pattern matched), and
 * the frames on the wire where the client taps them.
 *
 * What the callees announce and what that changes (observed, asserted below):
 *
 * | callee          | call_canceling | progressive_call_results | on INTERRUPT |
 * |-----------------|----------------|--------------------------|--------------|
 * | Autobahn|Python | yes            | yes                      | cancels the coroutine's task, then sends nothing (22.7.1 on Python 3.11: txaio calls `result()` on the cancelled task and CancelledError escapes); the test's procedure turns the cancellation into ApplicationError `wamp.error.canceled`, which is answered. Without that, a `kill` ends after `interruptTimeout` |
 * | Autobahn|JS     | no             | yes                      | never gets one: every cancel mode is `skip` for it |
 * | wampy           | no             | no                       | never gets one |
 * | thruway.js      | yes            | yes (`progressiveRegister`) | answers ERROR `wamp.error.canceled` itself |
 *
 * The Autobahn|Python tests are skipped, with the reason in their name, when /usr/bin/python3 cannot import
 * autobahn (and msgpack / cbor2); the thruway.js ones when its folder is not installed.
 */
import type { Wampy } from 'wampy';
import {
  ALL_SERIALIZERS,
  autobahnClasses,
  openAutobahnSession,
  openWampySession,
  pythonAutobahnAvailable,
  runPythonClient,
  runThruwayClient,
  thruwaySkipReason,
  type AutobahnSession,
  type PythonClientResult,
  type PythonRegisterSpec,
  type ThruwayClientResult,
  type WampSerializerName,
} from '../support/real-clients.js';
import { startApp, startModule, type RunningApp } from '../support/test-app.js';
import {
  closeQuietly,
  rejection as rejectionWithin,
  within,
  type AutobahnCall,
} from '../support/client-steps.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { WampCaller } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';

const REALM = 'realm1';
/** Upper bound for one client step (a call, a registration). */
const STEP_MS = 4000;

/** The rejection value of a client step, within {@link STEP_MS}. */
const rejection = (promise: PromiseLike<unknown>, what: string): Promise<unknown> =>
  rejectionWithin(promise, what, STEP_MS);

const pythonSkip = (serializer: WampSerializerName): string | null =>
  pythonAutobahnAvailable(serializer) ? null : `Autobahn|Python with ${serializer} not importable`;

/**
 * Starts a driver process that registers `count` procedures (it prints a `registered` line for each) and
 * resolves once all are confirmed, with the process's final result to await after the calls. Fails with the
 * driver's output when it ends before that.
 */
async function callee<R extends { events: Record<string, unknown>[] }>(
  what: string,
  count: number,
  start: (onEvent: (event: Record<string, unknown>) => void) => Promise<R>,
): Promise<{ done: Promise<R> }> {
  const registered = new Set<string>();
  let ready!: () => void;
  const allRegistered = new Promise<void>((resolve) => (ready = resolve));
  const done = start((event) => {
    if (typeof event.registered === 'string') registered.add(event.registered);
    if (registered.size === count) ready();
  });
  const ended = done.then((result) => Promise.reject(new Error(`${what}: ${JSON.stringify(result.events)}`)));
  await within(Promise.race([allRegistered, ended]), STEP_MS, `${what} registrations`);
  return { done };
}

/** An Autobahn|Python callee that registers `specs` and stays joined about 5 s. */
const pythonCallee = (
  running: RunningApp,
  serializer: WampSerializerName,
  specs: PythonRegisterSpec[],
): Promise<{ done: Promise<PythonClientResult> }> =>
  callee('Autobahn|Python', specs.length, (onEvent) =>
    runPythonClient(running.url, REALM, serializer, { holdMs: 5000, actions: { register: specs }, onEvent }),
  );

/** A thruway.js callee that registers `specs` and stays joined `holdMs`. */
const thruwayCallee = (
  running: RunningApp,
  specs: { procedure: string; behavior: 'echo' | 'add' | 'fail' | 'stream' | 'wait' }[],
  holdMs: number,
): Promise<{ done: Promise<ThruwayClientResult> }> =>
  callee('thruway.js', specs.length, (onEvent) =>
    runThruwayClient(running.url, REALM, { actions: { register: specs, hold_ms: holdMs }, onEvent }),
  );

/** Registers Autobahn|JS procedures that behave as the drivers' behaviors of the same names. */
async function autobahnCallee(session: AutobahnSession, prefix: string, invoked: unknown[]): Promise<void> {
  const { Error: AutobahnError } = autobahnClasses();
  await session.register(`${prefix}.add`, (args) => {
    invoked.push({ procedure: `${prefix}.add`, args });
    return (args[0] as number) + (args[1] as number);
  });
  await session.register(`${prefix}.fail`, () => {
    throw new AutobahnError('com.example.error.failed', ['nope'], { code: 7 });
  });
  await session.register(`${prefix}.stream`, async (args, _kwargs, details) => {
    const progress = details.progress as ((args: unknown[]) => void) | null;
    const count = args[0] as number;
    for (let value = 1; value < count; value++) progress?.([value]);
    return count;
  });
  await session.register(
    `${prefix}.echo.`,
    (args, kwargs, details) => {
      invoked.push({ procedure: `${prefix}.echo.`, called: details.procedure, args, kwargs });
      return new (autobahnClasses().Result)(args, { ...kwargs, called: details.procedure });
    },
    { match: 'prefix' },
  );
}

/** Registers wampy procedures: add, fail and a wildcard echo. */
async function wampyCallee(client: Wampy, prefix: string, invoked: unknown[]): Promise<void> {
  await client.register(`${prefix}.add`, ({ argsList }) => {
    invoked.push({ procedure: `${prefix}.add`, args: argsList });
    const list = (argsList ?? []) as number[];
    return { argsList: [list[0] + list[1]] };
  });
  await client.register(`${prefix}.fail`, () => {
    throw Object.assign(new Error('nope'), {
      error: 'com.example.error.failed',
      argsList: ['nope'],
      argsDict: { code: 7 },
    });
  });
  await client.register(
    `${prefix}..echo`,
    ({ argsList, argsDict, details }) => {
      invoked.push({
        procedure: `${prefix}..echo`,
        called: details?.procedure,
        args: argsList,
        kwargs: argsDict,
      });
      return { argsList, argsDict: { ...(argsDict ?? {}), called: details?.procedure } };
    },
    { match: 'wildcard' },
  );
}

describe('real clients as callees, each called by the others', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ wamp: {}, controllers: [] });
  });
  afterAll(async () => {
    await running?.app.close();
  });

  describe.each(ALL_SERIALIZERS)('Autobahn|Python callee on %s', (serializer) => {
    const skip = pythonSkip(serializer);
    const test = skip ? it.skip : it;
    const prefix = `py_${serializer}`;

    test(`${skip ? `[skipped: ${skip}] ` : ''}Autobahn|JS, wampy and thruway.js call it: results, errors, progress, a prefix match, and kill interrupts it`, async () => {
      const { done } = await pythonCallee(running, serializer, [
        { procedure: `${prefix}.add`, behavior: 'add' },
        { procedure: `${prefix}.fail`, behavior: 'fail' },
        { procedure: `${prefix}.stream`, behavior: 'stream' },
        { procedure: `${prefix}.wait`, behavior: 'wait' },
        { procedure: `${prefix}.echo.`, behavior: 'echo', match: 'prefix' },
      ]);
      const { Result, Error: AutobahnError } = autobahnClasses();
      const autobahn = await openAutobahnSession(running.url, REALM, 'json');
      const wampy = await openWampySession(running.url, REALM, 'msgpack');
      try {
        const call = (procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options = {}) =>
          autobahn.client.call(procedure, args, kwargs, options) as AutobahnCall;
        await expect(within(call(`${prefix}.add`, [2, 3]), STEP_MS, 'add')).resolves.toBe(5);
        // Nest code calls what the Python service registered, through WampCaller.
        await expect(
          within(running.app.get(WampCaller).call(`${prefix}.add`, [20, 3]), STEP_MS, 'WampCaller add'),
        ).resolves.toEqual({ args: [23], kwargs: {} });
        await expect(rejection(call(`${prefix}.fail`), 'fail')).resolves.toEqual(
          new AutobahnError('com.example.error.failed', ['nope'], { code: 7 }),
        );
        const progress: unknown[] = [];
        const streamed = await within(
          call(`${prefix}.stream`, [3], {}, { receive_progress: true }).then(
            (value) => value,
            undefined,
            (update) => progress.push(update),
          ),
          STEP_MS,
          'stream',
        );
        expect({ progress, streamed }).toEqual({ progress: [1, 2], streamed: 3 });
        await expect(
          within(call(`${prefix}.echo.anything`, ['x'], { k: 1 }), STEP_MS, 'prefix echo'),
        ).resolves.toEqual(new Result(['x'], { k: 1 }));
        // kill: INTERRUPT reaches the coroutine, Autobahn|Python answers ERROR canceled, which the caller gets.
        const waiting = call(`${prefix}.wait`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        waiting.cancel({ mode: 'kill' });
        await expect(rejection(waiting, 'kill')).resolves.toEqual(
          new AutobahnError('wamp.error.canceled', ['interrupted by the router'], {}),
        );

        await expect(
          within(wampy.client.call(`${prefix}.add`, [40, 2]), STEP_MS, 'wampy add'),
        ).resolves.toEqual({ details: {}, argsList: [42] });
        await expect(rejection(wampy.client.call(`${prefix}.fail`), 'wampy fail')).resolves.toEqual(
          expect.objectContaining({
            errorUri: 'com.example.error.failed',
            argsList: ['nope'],
            argsDict: { code: 7 },
          }),
        );

        const thruwaySkip = thruwaySkipReason();
        if (!thruwaySkip) {
          const thruway = await runThruwayClient(running.url, REALM, {
            actions: {
              call: [
                { procedure: `${prefix}.add`, args: [1, 1], tag: 'add' },
                { procedure: `${prefix}.fail`, tag: 'fail' },
              ],
            },
          });
          expect(thruway.calls).toEqual([
            expect.objectContaining({ tag: 'add', outcome: 'result', args: [2] }),
            // thruway.js appends { uri: procedure } to an error's args and drops its kwargs; the frame is whole.
            expect.objectContaining({
              tag: 'fail',
              outcome: 'error',
              uri: 'com.example.error.failed',
              args: ['nope', { uri: `${prefix}.fail` }],
            }),
          ]);
          expect(thruway.recv).toContainEqual([
            8,
            48,
            expect.any(Number),
            {},
            'com.example.error.failed',
            ['nope'],
            { code: 7 },
          ]);
        }
      } finally {
        await closeQuietly(autobahn);
        await closeQuietly(wampy);
      }
      const result = await done;
      expect(result.error).toBeUndefined();
      const invoked = result.events.filter((event) => 'invoked' in event).map((event) => event.invoked);
      expect(invoked).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ procedure: `${prefix}.add`, args: [2, 3] }),
          expect.objectContaining({ procedure: `${prefix}.add`, args: [40, 2] }),
          expect.objectContaining({
            procedure: `${prefix}.echo.`,
            called: `${prefix}.echo.anything`,
            args: ['x'],
          }),
          expect.objectContaining({ procedure: `${prefix}.stream`, progress: true }),
        ]),
      );
      expect(result.events).toContainEqual({ interrupted: `${prefix}.wait` });
      // On the wire: INVOCATION with receive_progress for the stream, INTERRUPT kill for the wait.
      const received = result.recv;
      expect(received).toContainEqual([
        69,
        expect.any(Number),
        { mode: 'kill', reason: 'wamp.error.canceled' },
      ]);
      expect(
        received.find(
          (message) => message[0] === 68 && (message[3] as Record<string, unknown>).receive_progress,
        ),
      ).toBeDefined();
    }, 20000);
  });

  it('an Autobahn|JS callee (msgpack) is called by Autobahn|Python, wampy and thruway.js', async () => {
    const invoked: unknown[] = [];
    const callee = await openAutobahnSession(running.url, REALM, 'msgpack');
    const wampy = await openWampySession(running.url, REALM, 'cbor');
    try {
      await autobahnCallee(callee.client, 'ajs', invoked);
      await expect(within(wampy.client.call('ajs.add', [1, 2]), STEP_MS, 'wampy add')).resolves.toEqual({
        details: {},
        argsList: [3],
      });
      await expect(rejection(wampy.client.call('ajs.fail'), 'wampy fail')).resolves.toEqual(
        expect.objectContaining({
          errorUri: 'com.example.error.failed',
          argsList: ['nope'],
          argsDict: { code: 7 },
        }),
      );
      await expect(
        within(
          wampy.client.call('ajs.echo.deep.er', { argsList: [1], argsDict: { a: 'b' } }),
          STEP_MS,
          'echo',
        ),
      ).resolves.toEqual({ details: {}, argsList: [1], argsDict: { a: 'b', called: 'ajs.echo.deep.er' } });
      if (pythonAutobahnAvailable('json')) {
        const python = await runPythonClient(running.url, REALM, 'json', {
          actions: {
            call: [
              { procedure: 'ajs.add', args: [20, 22], tag: 'add' },
              { procedure: 'ajs.fail', tag: 'fail' },
              { procedure: 'ajs.stream', args: [3], tag: 'stream', receive_progress: true },
            ],
          },
        });
        expect(python.calls).toEqual([
          expect.objectContaining({ tag: 'add', outcome: 'result', type: 'value', value: 42 }),
          expect.objectContaining({
            tag: 'fail',
            outcome: 'error',
            uri: 'com.example.error.failed',
            args: ['nope'],
          }),
          expect.objectContaining({ tag: 'stream', outcome: 'result', type: 'value', value: 3 }),
        ]);
        expect(python.progress.map((update) => update.args)).toEqual([[1], [2]]);
      }
      if (!thruwaySkipReason()) {
        const thruway = await runThruwayClient(running.url, REALM, {
          actions: { call: [{ procedure: 'ajs.add', args: [5, 5], tag: 'add' }] },
        });
        expect(thruway.calls).toEqual([
          expect.objectContaining({ tag: 'add', outcome: 'result', args: [10] }),
        ]);
      }
      expect(invoked).toContainEqual({
        procedure: 'ajs.echo.',
        called: 'ajs.echo.deep.er',
        args: [1],
        kwargs: { a: 'b' },
      });
    } finally {
      await closeQuietly(wampy);
      await closeQuietly(callee);
    }
  });

  it('a wampy callee (json) is called by Autobahn|JS, Autobahn|Python and thruway.js', async () => {
    const invoked: unknown[] = [];
    const callee = await openWampySession(running.url, REALM, 'json');
    const autobahn = await openAutobahnSession(running.url, REALM, 'cbor');
    const { Result, Error: AutobahnError } = autobahnClasses();
    try {
      await wampyCallee(callee.client, 'wampy', invoked);
      const call = (procedure: string, args?: unknown[], kwargs?: Record<string, unknown>) =>
        autobahn.client.call(procedure, args, kwargs) as AutobahnCall;
      await expect(within(call('wampy.add', [7, 8]), STEP_MS, 'add')).resolves.toBe(15);
      await expect(rejection(call('wampy.fail'), 'fail')).resolves.toEqual(
        new AutobahnError('com.example.error.failed', ['nope'], { code: 7 }),
      );
      await expect(
        within(call('wampy.any.echo', ['w'], { n: 1 }), STEP_MS, 'wildcard echo'),
      ).resolves.toEqual(new Result(['w'], { n: 1, called: 'wampy.any.echo' }));
      if (pythonAutobahnAvailable('msgpack')) {
        const python = await runPythonClient(running.url, REALM, 'msgpack', {
          actions: { call: [{ procedure: 'wampy.add', args: [1, 2], tag: 'add' }] },
        });
        expect(python.calls).toEqual([expect.objectContaining({ tag: 'add', outcome: 'result', value: 3 })]);
      }
      if (!thruwaySkipReason()) {
        const thruway = await runThruwayClient(running.url, REALM, {
          actions: { call: [{ procedure: 'wampy.add', args: [2, 2], tag: 'add' }] },
        });
        expect(thruway.calls).toEqual([
          expect.objectContaining({ tag: 'add', outcome: 'result', args: [4] }),
        ]);
      }
      expect(invoked).toContainEqual(
        expect.objectContaining({ procedure: 'wampy..echo', called: 'wampy.any.echo', args: ['w'] }),
      );
    } finally {
      await closeQuietly(autobahn);
      await closeQuietly(callee);
    }
  });

  const thruwaySkip = thruwaySkipReason();
  (thruwaySkip ? it.skip : it)(
    `${thruwaySkip ? `[skipped: ${thruwaySkip}] ` : ''}a thruway.js callee (json) is called by Autobahn|JS, wampy and Autobahn|Python`,
    async () => {
      const { done } = await thruwayCallee(
        running,
        [
          { procedure: 'thruway.add', behavior: 'add' },
          { procedure: 'thruway.fail', behavior: 'fail' },
        ],
        3000,
      );
      const autobahn = await openAutobahnSession(running.url, REALM, 'msgpack');
      const wampy = await openWampySession(running.url, REALM, 'cbor');
      const { Error: AutobahnError } = autobahnClasses();
      try {
        await expect(
          within(autobahn.client.call('thruway.add', [3, 4]) as AutobahnCall, STEP_MS, 'add'),
        ).resolves.toBe(7);
        await expect(
          rejection(autobahn.client.call('thruway.fail') as AutobahnCall, 'fail'),
        ).resolves.toEqual(new AutobahnError('com.example.error.failed', ['nope'], {}));
        await expect(within(wampy.client.call('thruway.add', [1, 1]), STEP_MS, 'wampy add')).resolves.toEqual(
          {
            details: {},
            argsList: [2],
          },
        );
        if (pythonAutobahnAvailable('json')) {
          const python = await runPythonClient(running.url, REALM, 'json', {
            actions: { call: [{ procedure: 'thruway.add', args: [10, 5], tag: 'add' }] },
          });
          expect(python.calls).toEqual([
            expect.objectContaining({ tag: 'add', outcome: 'result', value: 15 }),
          ]);
        }
      } finally {
        await closeQuietly(autobahn);
        await closeQuietly(wampy);
      }
      const result = await done;
      expect(result.error).toBeUndefined();
      expect(result.events.filter((event) => 'invoked' in event)).toHaveLength(4);
    },
    20000,
  );

  it('a shared roundrobin registration of an Autobahn|JS and a wampy callee alternates between them', async () => {
    const first = await openAutobahnSession(running.url, REALM, 'json');
    const second = await openWampySession(running.url, REALM, 'msgpack');
    const caller = await openAutobahnSession(running.url, REALM, 'cbor');
    try {
      await first.client.register('shared.who', () => 'autobahn', { invoke: 'roundrobin' });
      await second.client.register('shared.who', () => ({ argsList: ['wampy'] }), { invoke: 'roundrobin' });
      const answers: unknown[] = [];
      for (let index = 0; index < 4; index++) {
        answers.push(await within(caller.client.call('shared.who') as AutobahnCall, STEP_MS, 'shared'));
      }
      expect(answers).toEqual(['autobahn', 'wampy', 'autobahn', 'wampy']);
    } finally {
      await closeQuietly(caller);
      await closeQuietly(second);
      await closeQuietly(first);
    }
  });

  it('wampy streams input with progressiveCall (progressive call invocations) to a callee that takes chunks', async () => {
    const callee = await RawWampClient.connect(running.url, 'wamp.2.json');
    callee.send([
      1,
      REALM,
      {
        roles: {
          callee: {
            features: {
              call_canceling: true,
              progressive_call_invocations: true,
              progressive_call_results: true,
            },
          },
        },
      },
    ]);
    expect(((await callee.next()) as unknown[])[0]).toBe(2);
    callee.send([64, 1, {}, 'stream.upload']);
    const [, , registration] = (await callee.next()) as number[];
    const wampy = await openWampySession(running.url, REALM, 'msgpack');
    try {
      const { result, sendData } = wampy.client.progressiveCall('stream.upload', ['part 1']);
      expect(await callee.next()).toEqual([68, 1, registration, { progress: true }, ['part 1']]);
      sendData(['part 2'], { progress: true });
      expect(await callee.next()).toEqual([68, 1, registration, { progress: true }, ['part 2']]);
      sendData(['part 3'], { progress: false });
      expect(await callee.next()).toEqual([68, 1, registration, {}, ['part 3']]);
      callee.send([70, 1, {}, [3]]);
      await expect(within(result, STEP_MS, 'progressiveCall')).resolves.toEqual({
        details: {},
        argsList: [3],
      });
    } finally {
      await closeQuietly(wampy);
      callee.terminate();
    }
  });
});

describe("against the sample app (npm start): backends register beside the app's own procedures", () => {
  let running: RunningApp;
  let dbDir: string;
  const savedDb = process.env.DOCS_DB;
  beforeAll(async () => {
    dbDir = mkdtempSync(join(tmpdir(), 'nestjs-wamp-callees-'));
    process.env.DOCS_DB = join(dbDir, 'docs.sqlite');
    const { AppModule } = (await import('../../sample-app/src/app.module.js')) as { AppModule: Type };
    running = await startModule(AppModule);
  });
  afterAll(async () => {
    await running?.app.close();
    if (savedDb === undefined) delete process.env.DOCS_DB;
    else process.env.DOCS_DB = savedDb;
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  const skip = pythonSkip('cbor');
  (skip ? it.skip : it)(
    `${skip ? `[skipped: ${skip}] ` : ''}an Autobahn|Python backend (cbor) registers and Autobahn|JS calls it beside the app's procedures`,
    async () => {
      const { done } = await pythonCallee(running, 'cbor', [
        { procedure: 'com.example.backend.add', behavior: 'add' },
      ]);
      const autobahn = await openAutobahnSession(running.url, REALM, 'msgpack');
      try {
        await expect(
          within(autobahn.client.call('com.example.backend.add', [19, 23]) as AutobahnCall, STEP_MS, 'add'),
        ).resolves.toBe(42);
        // The app's own procedures answer beside it.
        await expect(
          within(autobahn.client.call('docs.listDocuments') as AutobahnCall, STEP_MS, 'listDocuments'),
        ).resolves.toEqual(expect.any(Array));
      } finally {
        await closeQuietly(autobahn);
      }
      const result = await done;
      expect(result.error).toBeUndefined();
    },
    20000,
  );

  it("an Autobahn|JS backend registers and wampy calls it; the app's own URI is refused to it", async () => {
    const { Error: AutobahnError } = autobahnClasses();
    const backend = await openAutobahnSession(running.url, REALM, 'json');
    const wampy = await openWampySession(running.url, REALM, 'cbor');
    try {
      await backend.client.register('com.example.backend.greet', (args) => `Hello, ${String(args[0])}`);
      await expect(
        rejection(
          backend.client.register('docs.getDocument', () => 'hijacked'),
          'register docs.getDocument',
        ),
      ).resolves.toEqual(
        new AutobahnError(
          'wamp.error.procedure_already_exists',
          ['"docs.getDocument" is a procedure of the application; it cannot be registered by a client.'],
          {},
        ),
      );
      await expect(
        within(wampy.client.call('com.example.backend.greet', ['Ada']), STEP_MS, 'greet'),
      ).resolves.toEqual({ details: {}, argsList: ['Hello, Ada'] });
      const listed = await within(wampy.client.call('docs.listDocuments'), STEP_MS, 'listDocuments');
      expect(listed.argsList).toEqual([expect.any(Array)]);
    } finally {
      await closeQuietly(wampy);
      await closeQuietly(backend);
    }
  });
});

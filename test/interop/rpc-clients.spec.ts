/**
 * RPC from real WAMP clients written by others: Autobahn|JS 22.11.1, wampy 8 and Autobahn|Python 22.7.1
 * (drivers in test/support/real-clients.ts), each on json, msgpack and cbor, calling the procedures of
 * test/e2e/rpc-fixtures.ts (which test/e2e/rpc.spec.ts checks frame by frame). Asserted here: what each
 * client library gives the application, and (through `CallLog` and the dealer) what happened on the server.
 *
 * What the clients give the application (observed, asserted below):
 *
 * | RESULT / ERROR            | Autobahn|JS                        | wampy                                  | Autobahn|Python                  |
 * |---------------------------|------------------------------------|----------------------------------------|----------------------------------|
 * | `[v]`                     | `v`                                | `{ details, argsList: [v] }`           | `v`                              |
 * | `[1, 2], {total: 3}`      | `autobahn.Result {args, kwargs}`   | `{ details, argsList, argsDict }`      | `CallResult(results, kwresults)` |
 * | empty                     | `null`                             | `{ details: {} }` (no argsList)        | `None`                           |
 * | `[null]`                  | `null` (same as empty)             | `argsList: [null]`                     | `None` (same as empty)           |
 * | ERROR                     | rejects with `autobahn.Error {error, args, kwargs}` (a plain object, not a JS Error; kwargs `{}` when none) | rejects with `Errors.CallError {errorUri, argsList, argsDict}` (argsDict undefined when none) | raises `ApplicationError` (`.error`, `.args`, `.kwargs`) |
 * | progressive results       | when.js `then(ok, err, onProgress)` with `receive_progress: true` (22.11 has no `progress` call option) | `progress_callback` (sets `receive_progress`), gets `{ details: {progress: true}, argsList }` | `CallOptions(on_progress=...)`, called with `*args, **kwargs` |
 * | CANCEL modes it can send  | `promise.cancel({ mode })`: any mode; only `kill` works (see below) | `cancel(reqId, { mode })`: skip, kill, killnowait, or none | cancelling the Future sends CANCEL without a mode (router default: killnowait); no API for a mode |
 * | `timeout`                 | call option sent as is             | `timeout` advanced option              | `CallOptions(timeout=N)`: documented as seconds, sent as is (an int), so the router reads ms |
 * | transport lost mid-call   | the promise never settles          | rejects with `WebsocketError` "Connection closed" | `ApplicationError('wamp.close.transport_lost')` |
 *
 * Client bugs this router has to live with (asserted, so a client upgrade that fixes them shows up here):
 * - Autobahn|JS 22.11.1, CANCEL `skip` / `killnowait` / no mode: the promise is rejected locally at once
 *   with `autobahn.Error('Cancelled')` and the request forgotten; the router's ERROR `wamp.error.canceled`
 *   that the spec requires for these modes then reads as "CALL-ERROR received for non-pending request ID",
 *   and Autobahn|JS fails its own transport (close 3002). Only `kill` (where it waits for the ERROR) keeps
 *   the session.
 * - Autobahn|Python 22.7.1 builds `ApplicationError(uri, *args, **kwargs)`: an ERROR whose kwargs have a key
 *   `error` raises TypeError inside the client, which fails its transport (close 1011) and leaves the
 *   call's Future unresolved for ever. The router's HttpException mapping sends `{ status, message, statusText }`
 *   (ParseIntPipe, ValidationPipe, 401/403 ...), so a Python caller never sees those errors.
 *
 * The Autobahn|Python tests are skipped, with the reason in their name, when /usr/bin/python3 cannot
 * import autobahn (and msgpack / cbor2 for those serializers).
 */
import { LocalDealer, WampRouter } from '../../lib/core/index.js';
import { Errors, type Wampy } from 'wampy';
import { CallLog, RpcController } from '../e2e/rpc-fixtures.js';
import {
  ALL_SERIALIZERS,
  PYTHON,
  autobahnClasses,
  openAutobahnSession,
  openWampySession,
  pythonAutobahnAvailable,
  runPythonClient,
  type AutobahnSession,
  type PythonCallOutcome,
  type PythonCallSpec,
  type PythonClientResult,
  type RealClientSession,
  type WampSerializerName,
} from '../support/real-clients.js';
import type { AutobahnCall } from '../support/client-steps.js';
import { startApp, type RunningApp } from '../support/test-app.js';

const REALM = 'realm1';
/** Upper bound for one client step (a call, a cancel, a leave). */
const STEP_MS = 3000;
/** How long the tests let a handler start before cancelling it or dropping the caller. */
const HANDLER_START_MS = 30;

const FALSY: readonly [string, unknown][] = [
  ['zero', 0],
  ['false', false],
  ['empty', ''],
  ['null', null],
];
const DOCUMENT = { id: '42', title: 'Document 42' };
const VALIDATION_MESSAGES = [
  'title should not be empty',
  'body must be a string',
  'priority must not be less than 0',
];
const PARSE_INT_MESSAGE = 'Validation failed (numeric string is expected)';
const NO_SUCH_PROCEDURE = 'No procedure is registered under "docs.nope".';

// ---------------------------------------------------------------------------------------------
// bounded waiting

function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timeout after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The rejection value of `promise` (bounded); fails if it resolves. */
async function rejection(promise: PromiseLike<unknown>, what: string): Promise<unknown> {
  return within(promise, STEP_MS, what).then(
    (value) => {
      throw new Error(`${what}: expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Whether `promise` settled by now (after letting pending callbacks run). */
async function settled(promise: PromiseLike<unknown>): Promise<boolean> {
  let done = false;
  Promise.resolve(promise).then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(0);
  return done;
}

// ---------------------------------------------------------------------------------------------
// the app: one per client library

interface App {
  readonly running: RunningApp;
  readonly log: CallLog;
  callsInFlight(): number;
}

/** Starts an app with RpcController in beforeAll (realm1 and realm2), closes it in afterAll. */
function useApp(): () => App {
  let app: App | undefined;
  beforeAll(async () => {
    const running = await startApp({
      wamp: { realms: ['realm1', 'realm2'] },
      controllers: [RpcController],
      providers: [CallLog],
    });
    const dealer = running.app.get(WampRouter).realms.get(REALM)!.dealer as LocalDealer;
    app = { running, log: running.app.get(CallLog), callsInFlight: () => dealer.callsInFlight };
  });
  afterAll(async () => {
    await app?.running.app.close();
  });
  return () => {
    if (!app) throw new Error('the app did not start');
    return app;
  };
}

/** After a caller went away mid-call: the handler saw the abort and the dealer released the call. */
async function expectAbortedAndReleased(app: App, name: string): Promise<void> {
  await waitFor(() => app.log.aborted.includes(name), STEP_MS, `${name} aborted`);
  await waitFor(() => app.callsInFlight() === 0, STEP_MS, 'no call in flight');
}

function lastOfType(sent: readonly unknown[][], type: number): unknown[] | undefined {
  return sent.filter((m) => m[0] === type).at(-1);
}

async function closeQuietly(session: RealClientSession<unknown> | undefined): Promise<void> {
  if (!session) return;
  await session.close().catch(() => session.drop());
}

// ---------------------------------------------------------------------------------------------
// Autobahn|JS 22.11.1

describe('Autobahn|JS 22.11.1 calling @MessagePattern procedures', () => {
  const app = useApp();
  const { Result, Error: AutobahnError } = autobahnClasses();

  describe.each(ALL_SERIALIZERS)('on %s', (serializer) => {
    let s: RealClientSession<AutobahnSession>;

    beforeEach(async () => {
      s = await openAutobahnSession(app().running.url, REALM, serializer);
    });
    afterEach(async () => {
      await closeQuietly(s);
    });

    const start = (
      procedure: string,
      args?: unknown[],
      kwargs?: Record<string, unknown>,
      options?: Record<string, unknown>,
    ): AutobahnCall => s.client.call(procedure, args, kwargs, options) as AutobahnCall;
    const call = (procedure: string, args?: unknown[], kwargs?: Record<string, unknown>) =>
      within(start(procedure, args, kwargs), STEP_MS, procedure);
    const callError = (procedure: string, args?: unknown[], kwargs?: Record<string, unknown>) =>
      rejection(start(procedure, args, kwargs), procedure);
    const name = (what: string) => `autobahn-${serializer}-${what}`;

    it('a returned value: the call resolves with the value itself', async () => {
      await expect(call('docs.get_document', ['42'])).resolves.toEqual(DOCUMENT);
    });

    it('WampResult(args, kwargs): an autobahn.Result with both', async () => {
      const result = await call('results.explicit');
      expect(result).toBeInstanceOf(Result);
      expect(result).toEqual(new Result([1, 2], { total: 3 }));
    });

    it('undefined (an empty RESULT): null', async () => {
      await expect(call('results.nothing')).resolves.toBeNull();
    });

    it('falsy values 0, false, "" and null arrive as they are', async () => {
      for (const [kind, value] of FALSY) {
        await expect(call('results.echo_falsy', [kind])).resolves.toBe(value);
      }
    });

    it('ValidationPipe failure (docs.create): autobahn.Error invalid_argument, the messages in kwargs.message', async () => {
      const error = await callError('docs.create', [], { title: '', body: 3, priority: -1 });
      expect(error).toBeInstanceOf(AutobahnError);
      expect(error).toEqual({
        error: 'wamp.error.invalid_argument',
        args: [VALIDATION_MESSAGES.join('; ')],
        kwargs: { status: 400, message: VALIDATION_MESSAGES, statusText: 'Bad Request' },
      });
    });

    it('ParseIntPipe failure (math.add "forty"): invalid_argument with { status, message, statusText }', async () => {
      const error = await callError('math.add', ['forty', 2]);
      expect(error).toBeInstanceOf(AutobahnError);
      expect(error).toEqual({
        error: 'wamp.error.invalid_argument',
        args: [PARSE_INT_MESSAGE],
        kwargs: { status: 400, message: PARSE_INT_MESSAGE, statusText: 'Bad Request' },
      });
    });

    it('a guard denying the call (admin.reset): not_authorized', async () => {
      await expect(callError('admin.reset')).resolves.toEqual(
        new AutobahnError('wamp.error.not_authorized', ['Forbidden resource'], {}),
      );
    });

    it('an interceptor (math.doubled): its effect on the result', async () => {
      await expect(call('math.doubled', [21])).resolves.toBe(42);
    });

    it('a custom exception filter (errors.teapot): the error it chose', async () => {
      await expect(callError('errors.teapot')).resolves.toEqual(
        new AutobahnError('app.error.teapot', ['I am a teapot'], { brewing: false }),
      );
    });

    it('an unexpected error (errors.bug): runtime_error "Internal error.", nothing secret', async () => {
      const error = await callError('errors.bug');
      expect(error).toEqual(new AutobahnError('wamp.error.runtime_error', ['Internal error.'], {}));
      expect(JSON.stringify(error)).not.toContain('secret');
    });

    it('progressive results with receive_progress: the progress callback gets 1, 2; the call resolves with 3', async () => {
      const progress: unknown[] = [];
      const final = start('streams.count', [3], undefined, { receive_progress: true }).then(
        (value) => value,
        (error: unknown) => Promise.reject(error),
        (update) => progress.push(update),
      );
      await expect(within(final, STEP_MS, 'streams.count')).resolves.toBe(3);
      expect(progress).toEqual([1, 2]);
      expect(lastOfType(s.sent, 48)).toEqual([
        48,
        expect.any(Number),
        { receive_progress: true },
        'streams.count',
        [3],
      ]);
    });

    it('without receive_progress: no progress, only the final value', async () => {
      const progress: unknown[] = [];
      const final = start('streams.count', [3]).then(
        (value) => value,
        (error: unknown) => Promise.reject(error),
        (update) => progress.push(update),
      );
      await expect(within(final, STEP_MS, 'streams.count')).resolves.toBe(3);
      expect(progress).toEqual([]);
    });

    it('CANCEL kill (slow.abortable): wamp.error.canceled, the handler is aborted, the session lives on', async () => {
      const pending = start('slow.abortable', [name('kill')]);
      await sleep(HANDLER_START_MS);
      pending.cancel({ mode: 'kill' });
      await expect(rejection(pending, 'canceled call')).resolves.toEqual(
        new AutobahnError('wamp.error.canceled', ['The call was canceled (mode kill).'], {}),
      );
      expect(lastOfType(s.sent, 49)).toEqual([49, expect.any(Number), { mode: 'kill' }]);
      expect(app().log.aborted).toContain(name('kill'));
      await expect(call('math.doubled', [1])).resolves.toBe(2);
    });

    it('CANCEL kill (slow.stream, receive_progress): progress values, then canceled; the stream is torn down', async () => {
      const progress: unknown[] = [];
      const pending = start('slow.stream', [name('stream-kill')], undefined, { receive_progress: true });
      const outcome = pending.then(
        (value) => value,
        (error: unknown) => Promise.reject(error),
        (update) => progress.push(update),
      );
      await waitFor(() => progress.length >= 2, STEP_MS, 'two progressive results');
      pending.cancel({ mode: 'kill' });
      await expect(rejection(outcome, 'canceled stream')).resolves.toEqual(
        new AutobahnError('wamp.error.canceled', ['The call was canceled (mode kill).'], {}),
      );
      expect(progress.slice(0, 2)).toEqual([0, 1]);
      expect(app().log.tornDown).toContain(name('stream-kill'));
    });

    it.each([
      ['skip', { mode: 'skip' }],
      ['killnowait', { mode: 'killnowait' }],
      ['without a mode (router default killnowait)', undefined],
    ])(
      'CANCEL %s: Autobahn|JS rejects at once with its own "Cancelled", then drops its connection on the router ERROR (client bug)',
      async (label, options) => {
        const skip = options?.mode === 'skip';
        const handler = name(`cancel-${label.split(' ')[0]}`);
        // skip lets the handler run on: use one that finishes by itself
        const pending = skip ? start('slow.promise', [handler, 100]) : start('slow.abortable', [handler]);
        await sleep(HANDLER_START_MS);
        pending.cancel(options);
        await expect(rejection(pending, 'canceled call')).resolves.toEqual(
          new AutobahnError('Cancelled', [], {}),
        );
        expect(lastOfType(s.sent, 49)).toEqual([49, expect.any(Number), options ?? {}]);
        // Autobahn|JS forgot the call: the router's ERROR (required for these modes) makes it fail the transport.
        await expect(within(s.closed, STEP_MS, 'Autobahn|JS drops the connection')).resolves.toEqual({
          reason: null,
          message: null,
          initiatedByClient: false,
        });
        expect(s.client.isOpen).toBe(false);
        if (skip) {
          await waitFor(() => app().log.finished.includes(handler), STEP_MS, `${handler} finished`);
          expect(app().log.aborted).not.toContain(handler);
        } else {
          expect(app().log.aborted).toContain(handler);
        }
        await waitFor(() => app().callsInFlight() === 0, STEP_MS, 'no call in flight');
      },
    );

    it('timeout 50 (sent as is): wamp.error.timeout, the handler is aborted', async () => {
      const pending = start('slow.abortable', [name('timeout')], undefined, { timeout: 50 });
      await expect(rejection(pending, 'timed out call')).resolves.toEqual(
        new AutobahnError('wamp.error.timeout', ['The call did not complete within 50 ms.'], {}),
      );
      expect(lastOfType(s.sent, 48)).toEqual([
        48,
        expect.any(Number),
        { timeout: 50 },
        'slow.abortable',
        [name('timeout')],
      ]);
      expect(app().log.aborted).toContain(name('timeout'));
    });

    it('the caller drops its transport mid-call: the handler is aborted, no call is left; the promise never settles', async () => {
      const pending = start('slow.abortable', [name('drop')]);
      await sleep(HANDLER_START_MS);
      s.drop();
      await within(s.closed, STEP_MS, 'transport closed');
      await expectAbortedAndReleased(app(), name('drop'));
      expect(await settled(pending)).toBe(false);
    });

    it('two concurrent calls finishing out of order: the fast one resolves first', async () => {
      const order: unknown[] = [];
      const slow = within(start('slow.promise', [name('slow'), 150]), STEP_MS, 'slow').then((v) =>
        order.push(v),
      );
      const fast = within(start('slow.promise', [name('fast'), 10]), STEP_MS, 'fast').then((v) =>
        order.push(v),
      );
      await Promise.all([slow, fast]);
      expect(order).toEqual([name('fast'), name('slow')]);
    });

    it('an unknown procedure: no_such_procedure', async () => {
      await expect(callError('docs.nope')).resolves.toEqual(
        new AutobahnError('wamp.error.no_such_procedure', [NO_SUCH_PROCEDURE], {}),
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// wampy 8

describe('wampy 8 calling @MessagePattern procedures', () => {
  const app = useApp();

  describe.each(ALL_SERIALIZERS)('on %s', (serializer) => {
    let s: RealClientSession<Wampy>;

    beforeEach(async () => {
      s = await openWampySession(app().running.url, REALM, serializer);
    });
    afterEach(async () => {
      await closeQuietly(s);
    });

    type CallArgs = Parameters<Wampy['call']>;
    const call = (procedure: string, payload?: CallArgs[1], options?: CallArgs[2]) =>
      within(s.client.call(procedure, payload, options), STEP_MS, procedure);
    const callError = (procedure: string, payload?: CallArgs[1], options?: CallArgs[2]) =>
      rejection(s.client.call(procedure, payload, options), procedure);
    /** Starts a call and returns its promise with the request ID to cancel it by. */
    const start = (procedure: string, payload?: CallArgs[1], options?: CallArgs[2]) => {
      const result = s.client.call(procedure, payload, options);
      return { result, requestId: s.client.getOpStatus().reqId };
    };
    const name = (what: string) => `wampy-${serializer}-${what}`;
    /** What wampy rejects a call with on ERROR. */
    const callErrorOf = (errorUri: string, argsList: unknown[], argsDict?: Record<string, unknown>) =>
      expect.objectContaining({ name: 'CallError', errorUri, details: {}, argsList, argsDict });

    it('a returned value: argsList [value]', async () => {
      await expect(call('docs.get_document', ['42'])).resolves.toEqual({ details: {}, argsList: [DOCUMENT] });
    });

    it('WampResult(args, kwargs): argsList and argsDict', async () => {
      await expect(call('results.explicit')).resolves.toEqual({
        details: {},
        argsList: [1, 2],
        argsDict: { total: 3 },
      });
    });

    it('undefined (an empty RESULT): details only, no argsList', async () => {
      const result = await call('results.nothing');
      expect(result).toEqual({ details: {} });
      expect(result.argsList).toBeUndefined();
    });

    it('falsy values 0, false, "" and null arrive as they are', async () => {
      for (const [kind, value] of FALSY) {
        await expect(call('results.echo_falsy', [kind])).resolves.toEqual({ details: {}, argsList: [value] });
      }
    });

    it('ValidationPipe failure (docs.create): CallError invalid_argument, the messages in argsDict.message', async () => {
      const error = await callError('docs.create', {
        argsList: [],
        argsDict: { title: '', body: 3, priority: -1 },
      });
      expect(error).toBeInstanceOf(Errors.CallError);
      expect(error).toEqual(
        callErrorOf('wamp.error.invalid_argument', [VALIDATION_MESSAGES.join('; ')], {
          status: 400,
          message: VALIDATION_MESSAGES,
          statusText: 'Bad Request',
        }),
      );
    });

    it('ParseIntPipe failure (math.add "forty"): invalid_argument with { status, message, statusText }', async () => {
      const error = await callError('math.add', ['forty', 2]);
      expect(error).toBeInstanceOf(Errors.CallError);
      expect(error).toEqual(
        callErrorOf('wamp.error.invalid_argument', [PARSE_INT_MESSAGE], {
          status: 400,
          message: PARSE_INT_MESSAGE,
          statusText: 'Bad Request',
        }),
      );
    });

    it('a guard denying the call (admin.reset): not_authorized (argsDict undefined)', async () => {
      await expect(callError('admin.reset')).resolves.toEqual(
        callErrorOf('wamp.error.not_authorized', ['Forbidden resource']),
      );
    });

    it('an interceptor (math.doubled): its effect on the result', async () => {
      await expect(call('math.doubled', [21])).resolves.toEqual({ details: {}, argsList: [42] });
    });

    it('a custom exception filter (errors.teapot): the error it chose', async () => {
      await expect(callError('errors.teapot')).resolves.toEqual(
        callErrorOf('app.error.teapot', ['I am a teapot'], { brewing: false }),
      );
    });

    it('an unexpected error (errors.bug): runtime_error "Internal error.", nothing secret', async () => {
      const error = await callError('errors.bug');
      expect(error).toEqual(callErrorOf('wamp.error.runtime_error', ['Internal error.']));
      expect(JSON.stringify(error)).not.toContain('secret');
    });

    it('progressive results with progress_callback: it gets 1, 2; the call resolves with 3', async () => {
      const progress: unknown[] = [];
      await expect(
        call('streams.count', [3], { progress_callback: (update) => void progress.push(update) }),
      ).resolves.toEqual({ details: {}, argsList: [3] });
      expect(progress).toEqual([
        { details: { progress: true }, argsList: [1] },
        { details: { progress: true }, argsList: [2] },
      ]);
      // progress_callback is what makes wampy send receive_progress
      expect(lastOfType(s.sent, 48)).toEqual([
        48,
        expect.any(Number),
        { receive_progress: true },
        'streams.count',
        [3],
      ]);
    });

    it('without progress_callback: only the final value', async () => {
      await expect(call('streams.count', [3])).resolves.toEqual({ details: {}, argsList: [3] });
      expect(lastOfType(s.sent, 48)).toEqual([48, expect.any(Number), {}, 'streams.count', [3]]);
    });

    it.each([
      ['skip', 'skip'],
      ['kill', 'kill'],
      ['killnowait', 'killnowait'],
      ['without a mode (router default killnowait)', undefined],
    ] as const)('CANCEL %s: CallError wamp.error.canceled; the session lives on', async (label, mode) => {
      const handler = name(`cancel-${label.split(' ')[0]}`);
      // skip lets the handler run on: use one that finishes by itself
      const { result, requestId } =
        mode === 'skip' ? start('slow.promise', [handler, 100]) : start('slow.abortable', [handler]);
      await sleep(HANDLER_START_MS);
      expect(s.client.cancel(requestId, mode ? { mode } : undefined)).toBe(true);
      await expect(rejection(result, 'canceled call')).resolves.toEqual(
        callErrorOf('wamp.error.canceled', [`The call was canceled (mode ${mode ?? 'killnowait'}).`]),
      );
      expect(lastOfType(s.sent, 49)).toEqual([49, requestId, mode ? { mode } : {}]);
      if (mode === 'skip') {
        await waitFor(() => app().log.finished.includes(handler), STEP_MS, `${handler} finished`);
        expect(app().log.aborted).not.toContain(handler);
      } else {
        expect(app().log.aborted).toContain(handler);
      }
      await expect(call('math.doubled', [1])).resolves.toEqual({ details: {}, argsList: [2] });
    });

    it('CANCEL kill (slow.stream, progress_callback): progress values, then canceled; the stream is torn down', async () => {
      const progress: unknown[] = [];
      const { result, requestId } = start('slow.stream', [name('stream-kill')], {
        progress_callback: (update) => void progress.push(update.argsList?.[0]),
      });
      const outcome = rejection(result, 'canceled stream');
      await waitFor(() => progress.length >= 2, STEP_MS, 'two progressive results');
      s.client.cancel(requestId, { mode: 'kill' });
      await expect(outcome).resolves.toEqual(
        callErrorOf('wamp.error.canceled', ['The call was canceled (mode kill).']),
      );
      expect(progress.slice(0, 2)).toEqual([0, 1]);
      expect(app().log.tornDown).toContain(name('stream-kill'));
    });

    it('timeout 50: sent as CALL option, wamp.error.timeout, the handler is aborted', async () => {
      await expect(callError('slow.abortable', [name('timeout')], { timeout: 50 })).resolves.toEqual(
        callErrorOf('wamp.error.timeout', ['The call did not complete within 50 ms.']),
      );
      expect(lastOfType(s.sent, 48)).toEqual([
        48,
        expect.any(Number),
        { timeout: 50 },
        'slow.abortable',
        [name('timeout')],
      ]);
      expect(app().log.aborted).toContain(name('timeout'));
    });

    it('the caller drops its transport mid-call: the handler is aborted, no call is left; wampy rejects the call', async () => {
      const { result } = start('slow.abortable', [name('drop')]);
      const outcome = rejection(result, 'dropped call');
      await sleep(HANDLER_START_MS);
      s.drop();
      await within(s.closed, STEP_MS, 'transport closed');
      await expectAbortedAndReleased(app(), name('drop'));
      await expect(outcome).resolves.toEqual(
        expect.objectContaining({ name: 'WebsocketError', error: 'Connection closed' }),
      );
    });

    it('two concurrent calls finishing out of order: the fast one resolves first', async () => {
      const order: unknown[] = [];
      const slow = call('slow.promise', [name('slow'), 150]).then((r) => order.push(r.argsList?.[0]));
      const fast = call('slow.promise', [name('fast'), 10]).then((r) => order.push(r.argsList?.[0]));
      await Promise.all([slow, fast]);
      expect(order).toEqual([name('fast'), name('slow')]);
    });

    it('an unknown procedure: no_such_procedure', async () => {
      await expect(callError('docs.nope')).resolves.toEqual(
        callErrorOf('wamp.error.no_such_procedure', [NO_SUCH_PROCEDURE]),
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Autobahn|Python 22.7.1 (asyncio): one scripted client run per scenario group, outcomes asserted per test

function pythonSkipReason(serializer: WampSerializerName): string | null {
  if (pythonAutobahnAvailable(serializer)) return null;
  const lib = { json: '', msgpack: ' and msgpack', cbor: ' and cbor2' }[serializer];
  return `SKIPPED: ${PYTHON} cannot import autobahn${lib} (apt install python3-autobahn python3-cbor2 python3-msgpack)`;
}

function outcomeOf(r: PythonClientResult, tag: string): PythonCallOutcome {
  const found = r.calls.find((c) => c.tag === tag);
  if (!found) {
    throw new Error(
      `no outcome for call "${tag}"; error: ${r.error ?? 'none'}; outcomes: ${JSON.stringify(r.calls)}; stderr: ${r.stderr}`,
    );
  }
  return found;
}

/** What Autobahn|Python raises for an ERROR (the `text` is Python's repr, not asserted). */
function applicationError(tag: string, uri: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
  return {
    tag,
    outcome: 'error',
    exception: 'ApplicationError',
    text: expect.any(String),
    uri,
    args,
    kwargs,
  };
}

describe('Autobahn|Python 22.7.1 calling @MessagePattern procedures', () => {
  const app = useApp();

  describe.each(ALL_SERIALIZERS)('on %s', (serializer) => {
    const skip = pythonSkipReason(serializer);
    const d = skip === null ? describe : describe.skip;

    d(skip ?? 'asyncio client', () => {
      const name = (what: string) => `python-${serializer}-${what}`;
      /** Everything but the HttpException errors, which end the Python session (see below). */
      const calls: (PythonCallSpec | PythonCallSpec[])[] = [
        { procedure: 'docs.get_document', args: ['42'], tag: 'value' },
        { procedure: 'results.explicit', tag: 'explicit' },
        { procedure: 'results.nothing', tag: 'nothing' },
        ...FALSY.map(([kind]) => ({ procedure: 'results.echo_falsy', args: [kind], tag: `falsy-${kind}` })),
        { procedure: 'admin.reset', tag: 'guard' },
        { procedure: 'math.doubled', args: [21], tag: 'interceptor' },
        { procedure: 'errors.teapot', tag: 'filter' },
        { procedure: 'errors.bug', tag: 'bug' },
        { procedure: 'streams.count', args: [3], receive_progress: true, tag: 'progress' },
        { procedure: 'streams.count', args: [3], tag: 'no-progress' },
        {
          procedure: 'slow.abortable',
          args: [name('cancel')],
          cancel_after_ms: HANDLER_START_MS,
          tag: 'cancel',
        },
        {
          procedure: 'slow.stream',
          args: [name('stream-cancel')],
          receive_progress: true,
          cancel_after_ms: 300, // generous: under CI load the 20 ms interval must still have produced progress
          tag: 'stream-cancel',
        },
        { procedure: 'slow.abortable', args: [name('timeout')], timeout: 50, tag: 'timeout' },
        [
          { procedure: 'slow.promise', args: [name('slow'), 150], tag: 'slow' },
          { procedure: 'slow.promise', args: [name('fast'), 10], tag: 'fast' },
        ],
        { procedure: 'docs.nope', tag: 'unknown' },
        { procedure: 'math.doubled', args: [1], tag: 'last' },
      ];
      let main: PythonClientResult;
      let httpErrors: PythonClientResult;
      let dropped: PythonClientResult;

      beforeAll(async () => {
        const url = app().running.url;
        [main, httpErrors] = await Promise.all([
          runPythonClient(url, REALM, serializer, { actions: { call: calls } }),
          runPythonClient(url, REALM, serializer, {
            actions: {
              call: [
                [
                  { procedure: 'math.add', args: ['forty', 2], tag: 'parse-int', wait_ms: 1000 },
                  {
                    procedure: 'docs.create',
                    kwargs: { title: '', body: 3, priority: -1 },
                    tag: 'validation',
                    wait_ms: 1000,
                  },
                ],
              ],
            },
          }),
        ]);
        // alone, so that "no call left in the dealer" is about this caller
        dropped = await runPythonClient(url, REALM, serializer, {
          actions: {
            call: [
              { procedure: 'slow.abortable', args: [name('drop')], disconnect_after_ms: 50, tag: 'drop' },
            ],
          },
        });
      });

      const out = (tag: string) => outcomeOf(main, tag);

      it('ran every call and left normally', () => {
        expect(main.error).toBeUndefined();
        expect(main.calls.map((c) => c.tag)).toEqual(expect.arrayContaining(['value', 'unknown', 'last']));
        expect(main.calls).toHaveLength(calls.flat().length);
        expect(main.leftReason).toBe('wamp.close.goodbye_and_out');
      });

      it('a returned value: the value itself', () => {
        expect(out('value')).toEqual({ tag: 'value', outcome: 'result', type: 'value', value: DOCUMENT });
      });

      it('WampResult(args, kwargs): a CallResult with results and kwresults', () => {
        expect(out('explicit')).toEqual({
          tag: 'explicit',
          outcome: 'result',
          type: 'CallResult',
          results: [1, 2],
          kwresults: { total: 3 },
        });
      });

      it('undefined (an empty RESULT): None', () => {
        expect(out('nothing')).toEqual({ tag: 'nothing', outcome: 'result', type: 'none' });
      });

      it('falsy values 0, false and "" arrive as they are; null is None, like an empty RESULT', () => {
        for (const [kind, value] of FALSY) {
          const tag = `falsy-${kind}`;
          expect(out(tag)).toEqual(
            value === null
              ? { tag, outcome: 'result', type: 'none' }
              : { tag, outcome: 'result', type: 'value', value },
          );
        }
      });

      it('a guard denying the call (admin.reset): ApplicationError not_authorized', () => {
        expect(out('guard')).toEqual(
          applicationError('guard', 'wamp.error.not_authorized', ['Forbidden resource']),
        );
      });

      it('an interceptor (math.doubled): its effect on the result', () => {
        expect(out('interceptor')).toEqual({
          tag: 'interceptor',
          outcome: 'result',
          type: 'value',
          value: 42,
        });
      });

      it('a custom exception filter (errors.teapot): the error it chose', () => {
        expect(out('filter')).toEqual(
          applicationError('filter', 'app.error.teapot', ['I am a teapot'], { brewing: false }),
        );
      });

      it('an unexpected error (errors.bug): runtime_error "Internal error.", nothing secret', () => {
        expect(out('bug')).toEqual(applicationError('bug', 'wamp.error.runtime_error', ['Internal error.']));
        expect(JSON.stringify(main.recv)).not.toContain('secret');
      });

      it('progressive results with on_progress: it gets 1, 2; the call returns 3', () => {
        expect(out('progress')).toEqual({ tag: 'progress', outcome: 'result', type: 'value', value: 3 });
        expect(main.progress.filter((p) => p.tag === 'progress')).toEqual([
          { tag: 'progress', args: [1], kwargs: {} },
          { tag: 'progress', args: [2], kwargs: {} },
        ]);
        expect(main.sent).toContainEqual([
          48,
          expect.any(Number),
          { receive_progress: true },
          'streams.count',
          [3],
        ]);
      });

      it('without on_progress: only the final value', () => {
        expect(out('no-progress')).toEqual({
          tag: 'no-progress',
          outcome: 'result',
          type: 'value',
          value: 3,
        });
        expect(main.progress.filter((p) => p.tag === 'no-progress')).toEqual([]);
      });

      it('cancelling the Future: CancelledError at once; CANCEL without mode, the router answers canceled (killnowait) and aborts the handler', () => {
        expect(out('cancel')).toEqual({ tag: 'cancel', outcome: 'cancelled', exception: 'CancelledError' });
        const callMessage = main.sent.find((m) => m[0] === 48 && m[3] === 'slow.abortable');
        const id = callMessage?.[1];
        expect(main.sent).toContainEqual([49, id, {}]);
        // Autobahn|Python ignores the ERROR for the cancelled Future; the session lives on.
        expect(main.recv).toContainEqual([
          8,
          48,
          id,
          {},
          'wamp.error.canceled',
          ['The call was canceled (mode killnowait).'],
        ]);
        expect(app().log.aborted).toContain(name('cancel'));
        expect(out('last')).toEqual({ tag: 'last', outcome: 'result', type: 'value', value: 2 });
      });

      it('cancelling a stream with on_progress: progress values, then CancelledError; the stream is torn down', () => {
        expect(out('stream-cancel')).toEqual({
          tag: 'stream-cancel',
          outcome: 'cancelled',
          exception: 'CancelledError',
        });
        const values = main.progress.filter((p) => p.tag === 'stream-cancel').map((p) => p.args[0]);
        expect(values.length).toBeGreaterThanOrEqual(1);
        expect(values).toEqual(values.map((_, index) => index));
        expect(app().log.tornDown).toContain(name('stream-cancel'));
      });

      it('CallOptions(timeout=50): sent as is, wamp.error.timeout, the handler is aborted', () => {
        expect(out('timeout')).toEqual(
          applicationError('timeout', 'wamp.error.timeout', ['The call did not complete within 50 ms.']),
        );
        expect(main.sent).toContainEqual([
          48,
          expect.any(Number),
          { timeout: 50 },
          'slow.abortable',
          [name('timeout')],
        ]);
        expect(app().log.aborted).toContain(name('timeout'));
      });

      it('two concurrent calls finishing out of order: the fast one returns first', () => {
        const order = main.calls.map((c) => c.tag).filter((tag) => tag === 'slow' || tag === 'fast');
        expect(order).toEqual(['fast', 'slow']);
        expect(out('fast')).toEqual({ tag: 'fast', outcome: 'result', type: 'value', value: name('fast') });
        expect(out('slow')).toEqual({ tag: 'slow', outcome: 'result', type: 'value', value: name('slow') });
      });

      it('an unknown procedure: no_such_procedure', () => {
        expect(out('unknown')).toEqual(
          applicationError('unknown', 'wamp.error.no_such_procedure', [NO_SUCH_PROCEDURE]),
        );
      });

      it('HttpException errors (ParseIntPipe, ValidationPipe) reach the app as ApplicationError with their kwargs', () => {
        // The kwargs avoid the key "error": Autobahn|Python builds ApplicationError(error, *args, **kwargs).
        expect(outcomeOf(httpErrors, 'parse-int')).toEqual(
          applicationError('parse-int', 'wamp.error.invalid_argument', [PARSE_INT_MESSAGE], {
            status: 400,
            message: PARSE_INT_MESSAGE,
            statusText: 'Bad Request',
          }),
        );
        expect(outcomeOf(httpErrors, 'validation')).toEqual(
          applicationError('validation', 'wamp.error.invalid_argument', [VALIDATION_MESSAGES.join('; ')], {
            status: 400,
            message: VALIDATION_MESSAGES,
            statusText: 'Bad Request',
          }),
        );
        expect(httpErrors.leftReason).not.toBe('wamp.close.transport_lost');
      });

      it('the caller drops its transport mid-call: the handler is aborted, no call is left; the app gets transport_lost', async () => {
        expect(dropped.error).toBeUndefined();
        expect(outcomeOf(dropped, 'drop')).toEqual(
          applicationError('drop', 'wamp.close.transport_lost', [
            expect.stringContaining('WAMP transport was lost without closing the session'),
          ]),
        );
        await expectAbortedAndReleased(app(), name('drop'));
      });
    });
  });
});

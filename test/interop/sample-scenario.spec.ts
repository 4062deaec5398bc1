/**
 * One scenario against the sample app (sample-app/src/app.module.ts, started in-process like
 * sample-app/src/main.ts starts it, on 127.0.0.1:0, with DOCS_DB in a temporary folder and a short
 * JOB_DURATION_MS), played by four independent WAMP clients on every serializer each supports:
 *
 * | client               | json | msgpack | cbor | how it runs |
 * |----------------------|------|---------|------|-------------|
 * | Autobahn|JS 22.11.1  | yes  | yes     | yes  | in this process |
 * | wampy 8              | yes  | yes     | yes  | in this process |
 * | thruway.js 2.0.7     | yes  | no: its WebSocketTransport hard-codes `wamp.2.json` | no (same) | child process (rxjs 5 lives in test/interop/thruway-client) |
 * | Autobahn|Python 22.7.1 | yes | yes    | yes  | child process (/usr/bin/python3, Debian python3-autobahn) |
 *
 * Over RawSocket, on its own port (`RAWSOCKET_PORT`) and on the HTTP port, the same scenario is played by
 * Autobahn|JS's Node RawSocket transport (JSON, the only serializer it has there) and Autobahn|Python's asyncio
 * RawSocket client (`rs://`, JSON, msgpack and CBOR; python_client.py gives its protocol class the
 * `transport_details` property 22.7.1 forgot).
 *
 * All runs go at once (18 sessions on one router), so each run only looks at the `docs.changes` events
 * of its own document. The scenario, per run:
 *  1. subscribe to `docs.changes` and `job_events`;
 *  2. `docs.createDocument` kwargs {title, body} -> the document; EVENT `{action: 'created', document}`;
 *  3. `docs.getDocument(id)` -> the document; 4. `docs.listDocuments()` -> a list with it;
 *  5. `docs.deleteDocument(id)` -> {status: 'SUCCESS'}; EVENT `{action: 'deleted', document}`;
 *  6. `docs.getDocument(id)` again -> ERROR `docs.error.not_found`;
 *  7. `docs.deleteDocument(id)` again -> ERROR `wamp.error.delete_failed`, args [], kwargs {status: 'FAILURE'};
 *  8. `docs.createDocument` with an empty title -> ERROR `wamp.error.invalid_argument`;
 *  9. `slowlyCountToNumber(5, 0.05)` with progress -> progressive {count, taunt} 1..4, final 5;
 * 10. `slowlyCountToNumber(100, 0.05)` cancelled after two progressive results, each client its own way;
 * 11. `slowlyCountToNumber('abc', 0.1)` -> ERROR `wamp.error.invalid_argument`;
 * 12. `doJob()` -> 'Job scheduled.', then EVENTs on `job_events` kwargs {job_status: 'STARTED'}, then
 *     {job_status: 'COMPLETED'} (to this caller only);
 * 13. `admin.resetDocuments()` (guarded: authrole admin) -> ERROR `wamp.error.not_authorized` for anonymous.
 * Then the client leaves; at the end no call is left in the dealer and no session on the router.
 *
 * Observed on every client: a caller subscribed to `docs.changes` gets the EVENT about its document before
 * the RESULT of its create/delete (DocsService publishes, then returns), so the in-process runs keep every
 * event and match them once the RESULT told the document's id.
 *
 * How each client cancels (step 10) and what it then gives the application:
 * - Autobahn|JS: `promise.cancel({ mode: 'kill' })` (the only mode 22.11.1 survives, see rpc-clients.spec.ts);
 *   the promise rejects with the router's ERROR `wamp.error.canceled`.
 * - wampy: `cancel(requestId)` (no mode: the router's default, killnowait); rejects with CallError canceled.
 * - Autobahn|Python: `Future.cancel()`: CancelledError at once, CANCEL without options; the router's ERROR
 *   canceled arrives later and is ignored.
 * - thruway.js: unsubscribing the call's Rx subscription sends CANCEL `[49, id, {}]`; the application sees
 *   nothing more (the Observable is gone); the router's ERROR canceled arrives and is ignored.
 *
 * thruway.js quirks (asserted, so an upgrade that changes them shows up here):
 * - request IDs are random (`Math.floor(Math.random() * 2^53)`), not sequential from 1 as the spec has them;
 * - a WampErrorException carries only the ERROR's URI and args, with `{ uri: procedure }` pushed onto the
 *   args; the ERROR's kwargs never reach the application (they are on the wire, asserted from the frames);
 * - `details.progress` is deleted from every value, so the final result is only known as the last value
 *   before completion;
 * - it sends no GOODBYE: `close()` drops its Rx session and the socket closes 100 ms later;
 * - HELLO details carry its connect options (here `timeout`) next to `roles`.
 *
 * thruway.js is skipped with the reason in the test name when test/interop/thruway-client/node_modules is
 * missing (`npm ci --prefix test/interop/thruway-client`), Autobahn|Python when /usr/bin/python3 cannot
 * import autobahn (and msgpack / cbor2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { Wampy } from 'wampy';
import { LocalDealer, WampRouter } from '../../lib/core/index.js';
import { WampGateway } from '../../lib/index.js';
import {
  ALL_SERIALIZERS,
  PYTHON,
  autobahnClasses,
  openAutobahnSession,
  openWampySession,
  pythonAutobahnAvailable,
  resultOf,
  runPythonClient,
  runThruwayClient,
  thruwaySkipReason,
  type AutobahnSession,
  type PythonCallOutcome,
  type PythonCallSpec,
  type PythonClientResult,
  type RealClientSession,
  type ThruwayCallOutcome,
  type ThruwayCallSpec,
  type ThruwayClientResult,
  type WampSerializerName,
} from '../support/real-clients.js';
import type { AutobahnCall } from '../support/client-steps.js';
import { startModule, type RunningApp } from '../support/test-app.js';

const REALM = 'realm1';
const JOB_DURATION_MS = 100;
/** Upper bound for one client's whole scenario. */
const RUN_MS = 15000;
/** Upper bound for one step (a call, an awaited event). */
const STEP_MS = 4000;
const TAUNT = 'ah ah ah!';
/** Step 10 counts to this (5 s at 0.05 s): far more than a run lasts, so only a working cancel ends it. */
const CANCEL_COUNT_TO = 100;

type ClientName = 'Autobahn|JS' | 'wampy' | 'thruway.js' | 'Autobahn|Python';

// ---------------------------------------------------------------------------------------------
// what a run records: what each client library handed the application, normalized

/** One call's outcome as the application saw it, in one shape for all clients. */
type Outcome =
  | { kind: 'result'; args: unknown[]; kwargs: Record<string, unknown> }
  | { kind: 'error'; uri: string; args: unknown[]; kwargs: Record<string, unknown> }
  /** Cancelled on the client side, without waiting for the router (Python's CancelledError, thruway's unsubscribe). */
  | { kind: 'cancelled'; how: string }
  /** No outcome: the step failed (timeout, exception, a non-WAMP rejection), see `why`. */
  | { kind: 'missing'; why: string };

type Step =
  | 'create'
  | 'get'
  | 'list'
  | 'delete'
  | 'getAgain'
  | 'deleteAgain'
  | 'createInvalid'
  | 'count'
  | 'cancel'
  | 'countInvalid'
  | 'job'
  | 'guarded';

interface ScenarioRun {
  client: ClientName;
  serializer: WampSerializerName;
  /** The run as a whole failed (could not connect, a driver error, ...). */
  error?: string;
  outcomes: Partial<Record<Step, Outcome>>;
  /** Progressive results of step 9 and step 10 (the first result arg of each). */
  countProgress: unknown[];
  cancelProgress: unknown[];
  /** args[0] of every `docs.changes` EVENT about this run's document, in order. */
  docEvents: unknown[];
  /** args and kwargs of every `job_events` EVENT, in order. */
  jobEvents: { args: unknown[]; kwargs: Record<string, unknown> }[];
  /** Raw frames, where the driver records them: what the client sent, and (child processes) received. */
  sent: unknown[][];
  recv?: unknown[][];
  /** How the session ended as the client saw it (GOODBYE reason), when the client reports it. */
  leftReason?: string | null;
  /** The driver's own result, for client-specific checks. */
  thruway?: ThruwayClientResult;
  python?: PythonClientResult;
  ms: number;
}

function newRun(client: ClientName, serializer: WampSerializerName): ScenarioRun {
  return {
    client,
    serializer,
    outcomes: {},
    countProgress: [],
    cancelProgress: [],
    docEvents: [],
    jobEvents: [],
    sent: [],
    ms: 0,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function title(client: ClientName, serializer: WampSerializerName): string {
  return `scenario ${client} ${serializer}`;
}

/** Input of step 2, and the invalid one of step 8 (empty title). */
function createKwargs(client: ClientName, serializer: WampSerializerName): Record<string, unknown> {
  return { title: title(client, serializer), body: `Written by ${client} over ${serializer}.` };
}
const INVALID_CREATE = { title: '', body: 'no title' };

/** args[0] of the `docs.changes` events about document `id` (other runs' events arrive as well). */
function aboutDocument(changes: readonly unknown[], id: number | undefined): unknown[] {
  return changes.filter((change) => id !== undefined && asRecord(asRecord(change).document).id === id);
}

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
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// ---------------------------------------------------------------------------------------------
// the in-process clients (Autobahn|JS, wampy): one scenario over a small adapter

interface InProcessClient {
  subscribe(
    topic: string,
    onEvent: (args: unknown[], kwargs: Record<string, unknown>) => void,
  ): Promise<void>;
  /** Never rejects: an ERROR or a failure becomes an Outcome. */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<Outcome>;
  /** A call with progressive results; `onProgress` gets the first arg of each. */
  progressive(procedure: string, args: unknown[], onProgress: (value: unknown) => void): Promise<Outcome>;
  /** Like `progressive`, cancelled (the client's own way) once `after` progressive results arrived. */
  cancelled(
    procedure: string,
    args: unknown[],
    after: number,
    onProgress: (value: unknown) => void,
  ): Promise<Outcome>;
}

function missing(e: unknown): Outcome {
  return { kind: 'missing', why: e instanceof Error ? e.message : JSON.stringify(e) };
}

async function playInProcess(run: ScenarioRun, client: InProcessClient): Promise<void> {
  // every docs.changes event: this run's document's may arrive before the RESULT that tells its id
  const changes: unknown[] = [];
  const mine = (): unknown[] => (run.docEvents = aboutDocument(changes, documentIdOf(run.outcomes.create)));
  await client.subscribe('docs.changes', (args) => {
    changes.push(args[0]);
    mine();
  });
  await client.subscribe('job_events', (args, kwargs) => run.jobEvents.push({ args, kwargs }));
  const o = run.outcomes;

  o.create = await client.call('docs.createDocument', [], createKwargs(run.client, run.serializer));
  if (o.create.kind !== 'result') return;
  const documentId = documentIdOf(o.create);
  await waitFor(() => mine().length >= 1, STEP_MS, 'docs.changes created').catch(() => undefined);
  o.get = await client.call('docs.getDocument', [documentId]);
  o.list = await client.call('docs.listDocuments');
  o.delete = await client.call('docs.deleteDocument', [documentId]);
  await waitFor(() => mine().length >= 2, STEP_MS, 'docs.changes deleted').catch(() => undefined);
  o.getAgain = await client.call('docs.getDocument', [documentId]);
  o.deleteAgain = await client.call('docs.deleteDocument', [documentId]);
  o.createInvalid = await client.call('docs.createDocument', [], INVALID_CREATE);
  o.count = await client.progressive('slowlyCountToNumber', [5, 0.05], (v) => run.countProgress.push(v));
  o.cancel = await client.cancelled('slowlyCountToNumber', [CANCEL_COUNT_TO, 0.05], 2, (v) =>
    run.cancelProgress.push(v),
  );
  o.countInvalid = await client.call('slowlyCountToNumber', ['abc', 0.1]);
  o.job = await client.call('doJob');
  await waitFor(() => run.jobEvents.length >= 2, STEP_MS, 'job_events STARTED and COMPLETED').catch(
    () => undefined,
  );
  o.guarded = await client.call('admin.resetDocuments');
}

/** Runs `play` on a session opened by `open`, bounded by RUN_MS; records a failure instead of throwing. */
async function runInProcess<T>(
  run: ScenarioRun,
  open: () => Promise<RealClientSession<T>>,
  adapter: (session: RealClientSession<T>) => InProcessClient,
): Promise<ScenarioRun> {
  const started = Date.now();
  let session: RealClientSession<T> | undefined;
  try {
    session = await open();
    await within(
      playInProcess(run, adapter(session)),
      RUN_MS - 2000,
      `${run.client} ${run.serializer} scenario`,
    );
    run.leftReason = await session.close();
  } catch (e) {
    run.error = e instanceof Error ? e.message : String(e);
    session?.drop();
  }
  if (session) run.sent = [...session.sent];
  run.ms = Date.now() - started;
  return run;
}

// Autobahn|JS 22.11.1

function autobahnAdapter(session: RealClientSession<AutobahnSession>): InProcessClient {
  const { Result, Error: AutobahnError } = autobahnClasses();
  const s = session.client;
  /** Autobahn gives `v` for RESULT [v], an autobahn.Result for more, null for nothing. */
  const args = (value: unknown): unknown[] => (value === null || value === undefined ? [] : [value]);
  const outcome = (p: PromiseLike<unknown>, what: string): Promise<Outcome> =>
    within(p, STEP_MS, what).then(
      (value): Outcome =>
        value instanceof Result
          ? { kind: 'result', args: value.args ?? [], kwargs: value.kwargs ?? {} }
          : { kind: 'result', args: args(value), kwargs: {} },
      (e: unknown): Outcome =>
        e instanceof AutobahnError
          ? { kind: 'error', uri: e.error, args: e.args ?? [], kwargs: e.kwargs ?? {} }
          : missing(e),
    );
  const first = (update: unknown): unknown => (update instanceof Result ? update.args[0] : update);
  const start = (procedure: string, a: unknown[], onProgress: (v: unknown) => void) => {
    const call = s.call(procedure, a, {}, { receive_progress: true }) as AutobahnCall;
    return {
      call,
      promise: call.then(
        (v) => v,
        (e: unknown) => Promise.reject(e),
        (u) => onProgress(first(u)),
      ),
    };
  };
  return {
    subscribe: async (topic, onEvent) => {
      await within(
        s.subscribe(topic, (a, kw) => onEvent(a ?? [], kw ?? {})),
        STEP_MS,
        `subscribe ${topic}`,
      );
    },
    call: (procedure, a, kwargs) => outcome(s.call(procedure, a, kwargs), procedure),
    progressive: (procedure, a, onProgress) => outcome(start(procedure, a, onProgress).promise, procedure),
    cancelled: (procedure, a, after, onProgress) => {
      let seen = 0;
      const started = start(procedure, a, (v) => {
        onProgress(v);
        // progress arrives asynchronously, after `started` is set
        if (++seen === after) started.call.cancel({ mode: 'kill' });
      });
      return outcome(started.promise, `${procedure} (cancelled)`);
    },
  };
}

// wampy 8

function wampyAdapter(session: RealClientSession<Wampy>): InProcessClient {
  const s = session.client;
  type Payload = { argsList?: unknown[]; argsDict?: Record<string, unknown> };
  const outcome = (p: Promise<unknown>, what: string): Promise<Outcome> =>
    within(p, STEP_MS, what).then(
      (value): Outcome => {
        const r = asRecord(value) as Payload;
        return { kind: 'result', args: r.argsList ?? [], kwargs: r.argsDict ?? {} };
      },
      (e: unknown): Outcome => {
        const err = asRecord(e);
        return typeof err.errorUri === 'string'
          ? {
              kind: 'error',
              uri: err.errorUri,
              args: Array.isArray(err.argsList) ? err.argsList : [],
              kwargs: asRecord(err.argsDict),
            }
          : missing(e);
      },
    );
  const payload = (a?: unknown[], kwargs?: Record<string, unknown>) =>
    kwargs ? { argsList: a ?? [], argsDict: kwargs } : a && a.length > 0 ? a : undefined;
  return {
    subscribe: async (topic, onEvent) => {
      await within(
        s.subscribe(topic, (e) => onEvent(e.argsList ?? [], e.argsDict ?? {})),
        STEP_MS,
        `subscribe ${topic}`,
      );
    },
    call: (procedure, a, kwargs) => outcome(s.call(procedure, payload(a, kwargs)), procedure),
    progressive: (procedure, a, onProgress) =>
      outcome(
        s.call(procedure, a, { progress_callback: (u) => onProgress((u as Payload).argsList?.[0]) }),
        procedure,
      ),
    cancelled: (procedure, a, after, onProgress) => {
      let seen = 0;
      const result = s.call(procedure, a, {
        progress_callback: (u) => {
          onProgress((u as Payload).argsList?.[0]);
          // progress arrives asynchronously, after `requestId` is set; no mode: the router's default
          if (++seen === after) s.cancel(requestId);
        },
      });
      const requestId = s.getOpStatus().reqId;
      return outcome(result, `${procedure} (cancelled)`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the child-process clients (thruway.js, Autobahn|Python): the scenario as a list of calls

/** Steps 2..13 as call specs (both drivers read the same spelling). */
function scenarioCalls(
  client: ClientName,
  serializer: WampSerializerName,
): (ThruwayCallSpec & PythonCallSpec)[] {
  const id = resultOf('create', 'id');
  return [
    { procedure: 'docs.createDocument', kwargs: createKwargs(client, serializer), tag: 'create' },
    { procedure: 'docs.getDocument', args: [id], tag: 'get' },
    { procedure: 'docs.listDocuments', tag: 'list' },
    { procedure: 'docs.deleteDocument', args: [id], tag: 'delete' },
    { procedure: 'docs.getDocument', args: [id], tag: 'getAgain' },
    { procedure: 'docs.deleteDocument', args: [id], tag: 'deleteAgain' },
    { procedure: 'docs.createDocument', kwargs: INVALID_CREATE, tag: 'createInvalid' },
    { procedure: 'slowlyCountToNumber', args: [5, 0.05], receive_progress: true, tag: 'count' },
    {
      procedure: 'slowlyCountToNumber',
      args: [CANCEL_COUNT_TO, 0.05],
      receive_progress: true,
      cancel_after_progress: 2,
      tag: 'cancel',
    },
    { procedure: 'slowlyCountToNumber', args: ['abc', 0.1], tag: 'countInvalid' },
    { procedure: 'doJob', tag: 'job' },
    { procedure: 'admin.resetDocuments', tag: 'guarded' },
  ];
}
const UNTIL_JOB_COMPLETED = { topic: 'job_events', kwargs: { job_status: 'COMPLETED' } };

function documentIdOf(outcome: Outcome | undefined): number | undefined {
  return outcome?.kind === 'result' ? (asRecord(outcome.args[0]).id as number | undefined) : undefined;
}

// thruway.js 2.0.7

function thruwayOutcome(c: ThruwayCallOutcome): Outcome {
  switch (c.outcome) {
    case 'result':
      return { kind: 'result', args: c.args, kwargs: c.kwargs };
    case 'error':
      return c.uri === null
        ? { kind: 'missing', why: c.message ?? 'error without URI' }
        : { kind: 'error', uri: c.uri, args: c.args ?? [], kwargs: c.kwargs ?? {} };
    case 'cancelled':
      return { kind: 'cancelled', how: 'unsubscribed' };
    case 'pending':
      return { kind: 'missing', why: 'pending' };
  }
}

async function runThruway(url: string): Promise<ScenarioRun> {
  const run = newRun('thruway.js', 'json');
  const started = Date.now();
  const r = await runThruwayClient(url, REALM, {
    timeoutMs: RUN_MS,
    actions: {
      subscribe: ['docs.changes', 'job_events'],
      call: scenarioCalls('thruway.js', 'json'),
      until_event: UNTIL_JOB_COMPLETED,
      hold_ms: STEP_MS,
    },
  });
  run.ms = Date.now() - started;
  run.thruway = r;
  run.sent = r.sent;
  run.recv = r.recv;
  if (r.error) run.error = `${r.error}; stderr: ${r.stderr}`;
  for (const c of r.calls) run.outcomes[c.tag as Step] = thruwayOutcome(c);
  const values = (tag: string) => r.calls.find((c) => c.tag === tag)?.values.map((v) => v.args[0]) ?? [];
  // thruway.js cannot tell progress from the final value: all but the last value of a completed call
  run.countProgress = values('count').slice(0, -1);
  run.cancelProgress = values('cancel');
  const id = documentIdOf(run.outcomes.create);
  run.docEvents = aboutDocument(
    r.received.filter((e) => e.topic === 'docs.changes').map((e) => e.args[0]),
    id,
  );
  for (const e of r.received) {
    if (e.topic === 'job_events') run.jobEvents.push({ args: e.args, kwargs: e.kwargs });
  }
  run.leftReason = null; // thruway.js sends no GOODBYE and reports none
  return run;
}

// Autobahn|Python 22.7.1

function pythonOutcome(c: PythonCallOutcome): Outcome {
  switch (c.outcome) {
    case 'result':
      if (c.type === 'value') return { kind: 'result', args: [c.value], kwargs: {} };
      if (c.type === 'CallResult') return { kind: 'result', args: c.results, kwargs: c.kwresults };
      return { kind: 'result', args: [], kwargs: {} };
    case 'error':
      return c.uri === undefined
        ? { kind: 'missing', why: `${c.exception}: ${c.text}` }
        : { kind: 'error', uri: c.uri, args: c.args ?? [], kwargs: c.kwargs ?? {} };
    case 'cancelled':
      return { kind: 'cancelled', how: c.exception };
    case 'pending':
      return { kind: 'missing', why: 'pending' };
  }
}

async function runPython(url: string, serializer: WampSerializerName): Promise<ScenarioRun> {
  const run = newRun('Autobahn|Python', serializer);
  const started = Date.now();
  const r = await runPythonClient(url, REALM, serializer, {
    holdMs: STEP_MS,
    timeoutMs: RUN_MS,
    actions: {
      subscribe: ['docs.changes', 'job_events'],
      call: scenarioCalls('Autobahn|Python', serializer),
      until_event: UNTIL_JOB_COMPLETED,
    },
  });
  run.ms = Date.now() - started;
  run.python = r;
  run.sent = r.sent;
  run.recv = r.recv;
  if (r.error) run.error = `${r.error}; stderr: ${r.stderr}`;
  for (const c of r.calls) run.outcomes[c.tag as Step] = pythonOutcome(c);
  const progress = (tag: string) => r.progress.filter((p) => p.tag === tag).map((p) => p.args[0]);
  run.countProgress = progress('count');
  run.cancelProgress = progress('cancel');
  const id = documentIdOf(run.outcomes.create);
  run.docEvents = aboutDocument(
    r.received.filter((e) => e.topic === 'docs.changes').map((e) => e.args[0]),
    id,
  );
  for (const e of r.received) {
    if (e.topic === 'job_events') run.jobEvents.push({ args: e.args, kwargs: e.kwargs });
  }
  run.leftReason = r.leftReason ?? null;
  return run;
}

// ---------------------------------------------------------------------------------------------
// which runs, and why some are not

/**
 * How a run reaches the app: WebSocket at `/ws`, or RawSocket on `RAWSOCKET_PORT` (its own port) or on the
 * HTTP port (told apart from HTTP by its first byte).
 */
type Transport = 'WebSocket' | 'RawSocket' | 'RawSocket on the HTTP port';

interface RunSpec {
  client: ClientName;
  serializer: WampSerializerName;
  transport: Transport;
  /** Why this combination does not run (shown as the skipped describe's name), or null. */
  skip: string | null;
  play: (url: string) => Promise<ScenarioRun>;
}

function pythonSkipReason(serializer: WampSerializerName): string | null {
  if (pythonAutobahnAvailable(serializer)) return null;
  const lib = { json: '', msgpack: ' and msgpack', cbor: ' and cbor2' }[serializer];
  return `SKIPPED: ${PYTHON} cannot import autobahn${lib} (apt install python3-autobahn python3-cbor2 python3-msgpack)`;
}

const WEBSOCKET_RUNS: RunSpec[] = ALL_SERIALIZERS.flatMap((serializer): RunSpec[] => [
  {
    client: 'Autobahn|JS',
    serializer,
    transport: 'WebSocket',
    skip: null,
    play: (url) =>
      runInProcess(
        newRun('Autobahn|JS', serializer),
        () => openAutobahnSession(url, REALM, serializer),
        autobahnAdapter,
      ),
  },
  {
    client: 'wampy',
    serializer,
    transport: 'WebSocket',
    skip: null,
    play: (url) =>
      runInProcess(newRun('wampy', serializer), () => openWampySession(url, REALM, serializer), wampyAdapter),
  },
  {
    client: 'thruway.js',
    serializer,
    transport: 'WebSocket',
    skip:
      serializer === 'json'
        ? thruwaySkipReason()
        : `NOT SUPPORTED: thruway.js 2.0.7 speaks wamp.2.json only (its WebSocketTransport hard-codes the subprotocol and JSON.parse)`,
    play: (url) => runThruway(url),
  },
  {
    client: 'Autobahn|Python',
    serializer,
    transport: 'WebSocket',
    skip: pythonSkipReason(serializer),
    play: (url) => runPython(url, serializer),
  },
]);

/**
 * The same scenario over RawSocket, on its own port and on the HTTP port: Autobahn|JS's Node RawSocket
 * transport (JSON: the only serializer it has there) and Autobahn|Python's (`rs://`, every serializer).
 */
const RAWSOCKET_RUNS: RunSpec[] = (['RawSocket', 'RawSocket on the HTTP port'] as const).flatMap(
  (transport): RunSpec[] => [
    {
      client: 'Autobahn|JS',
      serializer: 'json',
      transport,
      skip: null,
      play: (url) =>
        runInProcess(
          newRun('Autobahn|JS', 'json'),
          () => openAutobahnSession(url, REALM, 'json'),
          autobahnAdapter,
        ),
    },
    ...ALL_SERIALIZERS.map((serializer): RunSpec => ({
      client: 'Autobahn|Python',
      serializer,
      transport,
      skip: pythonSkipReason(serializer),
      play: (url) => runPython(url, serializer),
    })),
  ],
);

const RUNS: RunSpec[] = [...WEBSOCKET_RUNS, ...RAWSOCKET_RUNS];

// ---------------------------------------------------------------------------------------------
// expectations, in the application's terms of each client

const result = (...args: unknown[]): Outcome => ({ kind: 'result', args, kwargs: {} });

/** ERROR `uri` args kwargs, as `client` hands it to the application. */
function errorAsSeen(
  client: ClientName,
  procedure: string,
  uri: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): Outcome {
  // thruway.js: WampErrorException(errorURI, args) after `args.push({ uri: procedure })`; kwargs dropped
  if (client === 'thruway.js') return { kind: 'error', uri, args: [...args, { uri: procedure }], kwargs: {} };
  return { kind: 'error', uri, args, kwargs };
}

/** The ERROR frame the router sent for the call `tag` (child-process clients, which record frames). */
function wireError(run: ScenarioRun, tag: string): unknown[] | undefined {
  const call = run.sent.filter((m) => m[0] === 48);
  const index = scenarioCalls(run.client, run.serializer).findIndex((c) => c.tag === tag);
  const requestId = call[index]?.[1];
  return run.recv?.find((m) => m[0] === 8 && m[1] === 48 && m[2] === requestId);
}

// ---------------------------------------------------------------------------------------------

describe('the sample app, one scenario, four independent clients', () => {
  let running: RunningApp;
  let dbDir: string;
  const savedEnv = { DOCS_DB: process.env.DOCS_DB, JOB_DURATION_MS: process.env.JOB_DURATION_MS };
  const runs = new Map<string, Promise<ScenarioRun>>();
  let allDone: Promise<unknown>;
  let startedAt = 0;
  const key = (spec: RunSpec) => `${spec.client}/${spec.serializer}/${spec.transport}`;
  /** The URL each transport's runs use. */
  const urlOf = (transport: Transport): string => {
    if (transport === 'WebSocket') return running.url;
    const rawSocket = running.app
      .get(WampGateway)
      .rawSocketAddresses.find((entry) => entry.startsWith('tcp://'));
    const port = transport === 'RawSocket' ? Number(rawSocket?.split(':').at(-1)) : running.port;
    return `rs://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    dbDir = mkdtempSync(join(tmpdir(), 'nestjs-wamp-scenario-'));
    // before the import: nothing may read the environment earlier
    process.env.DOCS_DB = join(dbDir, 'docs.sqlite');
    process.env.JOB_DURATION_MS = String(JOB_DURATION_MS);
    const { AppModule } = (await import('../../sample-app/src/app.module.js')) as { AppModule: Type };
    running = await startModule(AppModule);
    startedAt = Date.now();
    for (const spec of RUNS) {
      if (spec.skip === null) runs.set(key(spec), spec.play(urlOf(spec.transport)));
    }
    allDone = Promise.all(runs.values());
  }, 30000);

  afterAll(async () => {
    await allDone?.catch(() => undefined);
    await running?.app.close();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  describe.each(
    RUNS.map(
      (r) =>
        [
          `${r.client} on ${r.serializer}${r.transport === 'WebSocket' ? '' : ` over ${r.transport}`}`,
          r,
        ] as const,
    ),
  )('%s', (_name, spec) => {
    const d = spec.skip === null ? describe : describe.skip;
    d(spec.skip ?? 'the scenario', () => {
      let run: ScenarioRun;
      let document: Record<string, unknown>;
      const { client } = spec;

      beforeAll(async () => {
        run = await runs.get(key(spec))!;
        document = asRecord(run.outcomes.create?.kind === 'result' ? run.outcomes.create.args[0] : undefined);
      }, RUN_MS + 5000);

      it('ran to the end within the bound and left normally', () => {
        expect(run.error).toBeUndefined();
        expect(Object.keys(run.outcomes).sort()).toEqual(
          scenarioCalls(client, spec.serializer)
            .map((c) => c.tag)
            .sort(),
        );
        expect(run.ms).toBeLessThan(RUN_MS);
        if (client !== 'thruway.js') expect(run.leftReason).toBe('wamp.close.goodbye_and_out');
      });

      it('2. docs.createDocument kwargs {title, body}: the new document, and the EVENT {action: created}', () => {
        expect(document).toEqual({
          id: expect.any(Number),
          ...createKwargs(client, spec.serializer),
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        });
        expect(run.outcomes.create).toEqual(result(document));
        expect(run.docEvents[0]).toEqual({ action: 'created', document });
      });

      it('3-4. docs.getDocument(id): the document; docs.listDocuments(): a list with it', () => {
        expect(run.outcomes.get).toEqual(result(document));
        const list = run.outcomes.list;
        expect(list?.kind).toBe('result');
        expect(list?.kind === 'result' && list.args[0]).toEqual(expect.arrayContaining([document]));
      });

      it('5. docs.deleteDocument(id): {status: SUCCESS}, and the EVENT {action: deleted}', () => {
        expect(run.outcomes.delete).toEqual(result({ status: 'SUCCESS' }));
        expect(run.docEvents).toEqual([
          { action: 'created', document },
          { action: 'deleted', document },
        ]);
      });

      it('6. docs.getDocument(id) again: ERROR docs.error.not_found', () => {
        expect(run.outcomes.getAgain).toEqual(
          errorAsSeen(
            client,
            'docs.getDocument',
            'docs.error.not_found',
            [`Document ${String(document.id)} does not exist.`],
            {
              document_id: document.id,
            },
          ),
        );
      });

      it('7. docs.deleteDocument(id) again: ERROR wamp.error.delete_failed, args [], kwargs {status: FAILURE}', () => {
        expect(run.outcomes.deleteAgain).toEqual(
          errorAsSeen(client, 'docs.deleteDocument', 'wamp.error.delete_failed', [], { status: 'FAILURE' }),
        );
      });

      it('8. docs.createDocument with an empty title: ERROR wamp.error.invalid_argument', () => {
        expect(run.outcomes.createInvalid).toEqual(
          errorAsSeen(
            client,
            'docs.createDocument',
            'wamp.error.invalid_argument',
            ['kwargs.title: title should not be empty'],
            { issues: [{ path: ['kwargs', 'title'], message: 'title should not be empty' }] },
          ),
        );
      });

      it('9. slowlyCountToNumber(5, 0.05) with progress: {count, taunt} 1..4 as progress, 5 as the final result', () => {
        const steps = [1, 2, 3, 4, 5].map((count) => ({ count, taunt: TAUNT }));
        expect(run.countProgress).toEqual(steps.slice(0, 4));
        expect(run.outcomes.count).toEqual(result(steps[4]));
      });

      it('10. slowlyCountToNumber(100, 0.05) cancelled after two progressive results: the client sees the cancel', () => {
        expect(run.cancelProgress.slice(0, 2)).toEqual([
          { count: 1, taunt: TAUNT },
          { count: 2, taunt: TAUNT },
        ]);
        switch (client) {
          case 'Autobahn|JS':
            expect(run.outcomes.cancel).toEqual(
              errorAsSeen(client, '', 'wamp.error.canceled', ['The call was canceled (mode kill).'], {}),
            );
            expect(run.sent).toContainEqual([49, expect.any(Number), { mode: 'kill' }]);
            break;
          case 'wampy':
            expect(run.outcomes.cancel).toEqual(
              errorAsSeen(
                client,
                '',
                'wamp.error.canceled',
                ['The call was canceled (mode killnowait).'],
                {},
              ),
            );
            expect(run.sent).toContainEqual([49, expect.any(Number), {}]);
            break;
          case 'Autobahn|Python':
          case 'thruway.js': {
            // cancelled locally at once; CANCEL without options; the router's ERROR canceled arrives (ignored)
            expect(run.outcomes.cancel).toEqual({
              kind: 'cancelled',
              how: client === 'thruway.js' ? 'unsubscribed' : 'CancelledError',
            });
            const cancel = run.sent.find((m) => m[0] === 49);
            expect(cancel).toEqual([49, expect.any(Number), {}]);
            const requestId = cancel![1];
            expect(run.recv).toContainEqual([
              8,
              48,
              requestId,
              {},
              'wamp.error.canceled',
              ['The call was canceled (mode killnowait).'],
            ]);
            // nothing for that call after the ERROR: the count stopped
            const errorAt = run.recv!.findIndex((m) => m[0] === 8 && m[2] === requestId);
            expect(run.recv!.slice(errorAt + 1).filter((m) => m[1] === requestId)).toEqual([]);
            break;
          }
        }
        // far fewer than 100 steps reached the client
        expect(run.cancelProgress.length).toBeLessThan(10);
      });

      it("11. slowlyCountToNumber('abc', 0.1): ERROR wamp.error.invalid_argument", () => {
        expect(run.outcomes.countInvalid).toEqual(
          errorAsSeen(
            client,
            'slowlyCountToNumber',
            'wamp.error.invalid_argument',
            ['count_to must be an integer.'],
            {
              status: 400,
              message: 'count_to must be an integer.',
              statusText: 'Bad Request',
            },
          ),
        );
      });

      it('12. doJob(): "Job scheduled.", then job_events STARTED and COMPLETED', () => {
        expect(run.outcomes.job).toEqual(result('Job scheduled.'));
        expect(run.jobEvents).toEqual([
          { args: [], kwargs: { job_status: 'STARTED' } },
          { args: [], kwargs: { job_status: 'COMPLETED' } },
        ]);
      });

      it('13. admin.resetDocuments (authrole admin only): ERROR wamp.error.not_authorized for anonymous', () => {
        expect(run.outcomes.guarded).toEqual(
          errorAsSeen(
            client,
            'admin.resetDocuments',
            'wamp.error.not_authorized',
            ['admin.resetDocuments requires the role "admin"; this session has "anonymous".'],
            { required_roles: ['admin'], authrole: 'anonymous' },
          ),
        );
      });

      if (client === 'thruway.js') {
        it('thruway.js: random request IDs; the ERROR kwargs it drops are on the wire; no GOODBYE', () => {
          const r = run.thruway!;
          const requestIds = r.sent
            .filter((m) => [32, 48, 34].includes(m[0] as number))
            .map((m) => m[1] as number);
          expect(requestIds.every((id) => Number.isSafeInteger(id) && id >= 0)).toBe(true);
          // sequential IDs would be 1, 2, 3, ...: random ones are (almost surely) not
          expect(requestIds.some((id, i) => i > 0 && id !== requestIds[i - 1] + 1)).toBe(true);
          expect(wireError(run, 'deleteAgain')).toEqual([
            8,
            48,
            expect.any(Number),
            {},
            'wamp.error.delete_failed',
            [],
            { status: 'FAILURE' },
          ]);
          expect(wireError(run, 'getAgain')?.slice(4)).toEqual([
            'docs.error.not_found',
            [`Document ${String(document.id)} does not exist.`],
            { document_id: document.id },
          ]);
          expect(r.sent[0]).toEqual([
            1,
            REALM,
            expect.objectContaining({ timeout: 5000, roles: expect.any(Object) }),
          ]);
          expect(r.sent.filter((m) => m[0] === 6)).toEqual([]);
          expect(r.closed).toBe(true);
        });
      }
    });
  });

  it('afterwards: no call left in the dealer, no session on the router, every run within its bound', async () => {
    await allDone;
    const dealer = running.app.get(WampRouter).realms.get(REALM)!.dealer as LocalDealer;
    const gateway = running.app.get(WampGateway);
    // thruway.js closes its socket without GOODBYE: give the router a moment to see the close
    await waitFor(() => gateway.router.sessionCount === 0, 2000, 'every session gone').catch(() => undefined);
    expect(dealer.callsInFlight).toBe(0);
    expect(gateway.router.sessionCount).toBe(0);
    const timings = await Promise.all(runs.values());
    const slowest = Math.max(...timings.map((r) => r.ms));
    expect(slowest).toBeLessThan(RUN_MS);
    expect(Date.now() - startedAt).toBeLessThan(RUN_MS + 5000);
  });
});

/**
 * Publish/subscribe from a Nest app to real WAMP clients written by others: Autobahn|JS 22.11.1, wampy 8
 * and Autobahn|Python 22.7.1 (drivers in test/support/real-clients.ts), each on json, msgpack and cbor.
 * The app (`startApp`) has one controller: `server.publish` publishes through the injected `WampPublisher`
 * (binary values included), `server.notify_me` sends an event to the caller only (`ctx.session.sendEvent`).
 *
 * Covered:
 * - one server publication reaches all nine subscribers (3 libraries × 3 serializers) on one topic, with
 *   the publication ID the procedure returned, args and kwargs intact, binary as each library exposes it;
 * - `exclude_me: false` (Autobahn|JS): the publisher gets its own event; wampy cannot send it;
 * - `disclose_me: true` (Autobahn|JS): subscribers see the publisher's session ID, authid and authrole;
 * - a prefix subscription (Autobahn|JS, wampy) gets `Details.topic`, next to an exact one;
 * - `server.notify_me`: only the caller's subscription gets the event (Autobahn|JS, wampy, Autobahn|Python).
 *
 * What the clients give the application for the binary values (observed, asserted below):
 *
 * | serializer | Autobahn|JS                        | wampy                              | Autobahn|Python |
 * |------------|------------------------------------|------------------------------------|-----------------|
 * | json       | the string "\u0000" + base64       | the string "\u0000" + base64       | `bytes`         |
 * | msgpack    | `Buffer` (msgpack5)                | `Uint8Array` (msgpackr)            | `bytes`         |
 * | cbor       | `Buffer` (npm cbor)                | `Uint8Array` (cbor-x)              | `bytes`         |
 *
 * The Autobahn|Python parts are skipped, with the reason in the test name, when /usr/bin/python3 cannot
 * import autobahn (and msgpack / cbor2 for those serializers).
 */
import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import type { Wampy } from 'wampy';
import { WampArg, WampContext, WampPublisher } from '../../lib/index.js';
import { WampRouter } from '../../lib/core/index.js';
import {
  ALL_SERIALIZERS,
  PYTHON,
  openAutobahnSession,
  openWampySession,
  pythonAutobahnAvailable,
  runPythonClient,
  toIdNumber,
  type AutobahnSession,
  type PythonClientResult,
  type PythonClientOptions,
  type RealClientSession,
  type WampSerializerName,
} from '../support/real-clients.js';
import { startApp, type RunningApp } from '../support/test-app.js';

const REALM = 'realm1';
/** Upper bound for one client step (open, subscribe, call, publish). */
const STEP_MS = 3000;
/** Upper bound for Autobahn|Python to start, join and subscribe. */
const PYTHON_JOIN_MS = 8000;

const BIN = [0, 1, 2, 255];
const BLOB = 'hi';
/** The WAMP JSON spelling of the bytes: U+0000 followed by base64. */
const BIN_JSON = `\u0000${Buffer.from(BIN).toString('base64')}`;
const BLOB_JSON = `\u0000${Buffer.from(BLOB).toString('base64')}`;

@Controller()
class PublishingController {
  constructor(private readonly publisher: WampPublisher) {}

  /** Publishes `[<bytes 0 1 2 255>, 'text', 42]`, `{ blob: <bytes "hi"> }` (plus `value` when given). */
  @MessagePattern('server.publish')
  publish(@WampArg(0) topic: string, @WampArg(1, { optional: true }) value?: unknown): number[] {
    const kwargs: Record<string, unknown> = { blob: Buffer.from(BLOB) };
    if (value !== undefined) kwargs.value = value;
    return this.publisher.publish(topic, [Buffer.from(BIN), 'text', 42], kwargs);
  }

  /** Sends an event on `topic` to the caller only; false when the caller is not subscribed to it. */
  @MessagePattern('server.notify_me')
  notifyMe(@WampArg(0) topic: string, @Ctx() context: WampContext): boolean {
    return context.session.sendEvent(topic, ['just for you', Buffer.from(BIN)], { note: 'private' });
  }
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

function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

// ---------------------------------------------------------------------------------------------
// how values look to the application

/**
 * Byte arrays as `{ Buffer: hex }` or `{ Uint8Array: hex }` (the class the library handed out), so the
 * assertions say exactly what each client exposes; BigInts as `{ bigint: '…' }`.
 */
function shape(v: unknown): unknown {
  if (v instanceof Uint8Array) {
    const hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
    return { [Buffer.isBuffer(v) ? 'Buffer' : v.constructor.name]: hex };
  }
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  }
  return v;
}

type BytesAs = 'string' | 'Buffer' | 'Uint8Array';

/** How each JS library × serializer hands binary values to the application (see the table above). */
const JS_BYTES: Record<string, BytesAs> = {
  'Autobahn|JS json': 'string',
  'Autobahn|JS msgpack': 'Buffer',
  'Autobahn|JS cbor': 'Buffer',
  'wampy json': 'string',
  'wampy msgpack': 'Uint8Array',
  'wampy cbor': 'Uint8Array',
};

function bytesAs(as: BytesAs, bytes: number[] | string, json: string): unknown {
  return as === 'string' ? json : { [as]: Buffer.from(bytes as never).toString('hex') };
}

/** `server.publish`'s payload as a subscriber whose library exposes bytes as `as` sees it (after `shape`). */
function publishedPayload(as: BytesAs, extra: Record<string, unknown> = {}) {
  return {
    args: [bytesAs(as, BIN, BIN_JSON), 'text', 42],
    kwargs: { blob: bytesAs(as, BLOB, BLOB_JSON), ...extra },
  };
}

// ---------------------------------------------------------------------------------------------
// JS subscribers

interface SeenEvent {
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Autobahn|JS: the fields of its `Event` object; wampy: EVENT.Details as received. */
  details: Record<string, unknown>;
}

interface JsSubscriber {
  name: string;
  serializer: WampSerializerName;
  events: SeenEvent[];
  session: RealClientSession<AutobahnSession> | RealClientSession<Wampy>;
}

async function closeAll(sessions: (RealClientSession<unknown> | undefined)[]): Promise<void> {
  await Promise.all(
    sessions.map((s) =>
      s?.close().catch(() => {
        s.drop();
      }),
    ),
  );
}

/** Subscribes an open Autobahn|JS session; the `Event` details are copied field by field. */
async function autobahnSubscribe(
  session: RealClientSession<AutobahnSession>,
  topic: string,
  options?: Record<string, unknown>,
): Promise<SeenEvent[]> {
  const events: SeenEvent[] = [];
  await within(
    session.client.subscribe(
      topic,
      (args, kwargs, details) => {
        const { publication, topic: eventTopic, publisher, publisher_authid, publisher_authrole } = details;
        events.push({
          args,
          kwargs,
          details: { publication, topic: eventTopic, publisher, publisher_authid, publisher_authrole },
        });
      },
      options,
    ),
    STEP_MS,
    `Autobahn|JS subscribe ${topic}`,
  );
  return events;
}

async function wampySubscribe(
  session: RealClientSession<Wampy>,
  topic: string,
  options?: Record<string, unknown>,
): Promise<SeenEvent[]> {
  const events: SeenEvent[] = [];
  await within(
    session.client.subscribe(
      topic,
      (e) => {
        events.push({
          args: e.argsList ?? [],
          kwargs: e.argsDict ?? {},
          details: e.details as Record<string, unknown>,
        });
      },
      options,
    ),
    STEP_MS,
    `wampy subscribe ${topic}`,
  );
  return events;
}

async function autobahnSubscriber(
  url: string,
  serializer: WampSerializerName,
  topic: string,
  options?: Record<string, unknown>,
): Promise<JsSubscriber> {
  const session = await openAutobahnSession(url, REALM, serializer, { timeoutMs: STEP_MS });
  try {
    const events = await autobahnSubscribe(session, topic, options);
    return { name: `Autobahn|JS ${serializer}`, serializer, events, session };
  } catch (error) {
    await closeAll([session]);
    throw error;
  }
}

async function wampySubscriber(
  url: string,
  serializer: WampSerializerName,
  topic: string,
  options?: Record<string, unknown>,
): Promise<JsSubscriber> {
  const session = await openWampySession(url, REALM, serializer, { timeoutMs: STEP_MS });
  try {
    const events = await wampySubscribe(session, topic, options);
    return { name: `wampy ${serializer}`, serializer, events, session };
  } catch (error) {
    await closeAll([session]);
    throw error;
  }
}

/** Opens the subscribers one after the other; closes those already open if one fails. */
async function openSubscribers(factories: (() => Promise<JsSubscriber>)[]): Promise<JsSubscriber[]> {
  const subscribers: JsSubscriber[] = [];
  try {
    for (const open of factories) subscribers.push(await open());
  } catch (error) {
    await closeAll(subscribers.map((s) => s.session));
    throw error;
  }
  return subscribers;
}

// ---------------------------------------------------------------------------------------------
// Autobahn|Python

function pythonSkipReason(serializer: WampSerializerName): string | null {
  if (pythonAutobahnAvailable(serializer)) return null;
  const lib = { json: '', msgpack: ' and msgpack', cbor: ' and cbor2' }[serializer];
  return `SKIPPED: ${PYTHON} cannot import autobahn${lib} (apt install python3-autobahn python3-cbor2 python3-msgpack)`;
}

const PYTHON_SERIALIZERS = ALL_SERIALIZERS.filter((s) => pythonSkipReason(s) === null);

/** A running Autobahn|Python client, once it said `subscribed` (or failed / ended before that). */
interface PythonRun {
  serializer: WampSerializerName;
  result: Promise<PythonClientResult>;
}

/**
 * Starts Autobahn|Python with `actions` (which subscribe) and resolves once it has subscribed. If it
 * does not get that far, waits for the process to end (the driver bounds it) and rejects with its output.
 */
async function startPython(
  url: string,
  serializer: WampSerializerName,
  actions: NonNullable<PythonClientOptions['actions']>,
): Promise<PythonRun> {
  const subscribed = signal();
  const result = runPythonClient(url, REALM, serializer, {
    actions,
    holdMs: 5000,
    onEvent: (ev) => {
      if ('subscribed' in ev) subscribed.fire();
    },
  });
  const ended = result.then((r) => {
    throw new Error(`Autobahn|Python ${serializer} ended before subscribing: ${r.error ?? ''}\n${r.stdout}`);
  });
  try {
    await within(Promise.race([subscribed.promise, ended]), PYTHON_JOIN_MS, `Autobahn|Python ${serializer}`);
  } catch (error) {
    await result;
    throw error;
  }
  return { serializer, result };
}

// ---------------------------------------------------------------------------------------------

describe('publish/subscribe from a Nest app to Autobahn|JS, wampy and Autobahn|Python', () => {
  let running: RunningApp;
  /** Opened per test and closed after it: the caller of the server procedures. */
  let caller: RealClientSession<AutobahnSession> | undefined;

  beforeAll(async () => {
    running = await startApp({ controllers: [PublishingController] });
  });

  afterAll(async () => {
    await running?.app.close();
  });

  afterEach(async () => {
    await closeAll([caller]);
    caller = undefined;
    // Every client session of the test has ended on the router side too.
    const router = running.app.get(WampRouter);
    await waitFor(() => router.sessionCount === 0, STEP_MS, 'router sessions to drain');
  });

  async function openCaller(serializer: WampSerializerName = 'json'): Promise<AutobahnSession> {
    caller = await openAutobahnSession(running.url, REALM, serializer, { timeoutMs: STEP_MS });
    return caller.client;
  }

  /** Calls `server.publish` and returns the publication ID (one realm: one ID). */
  async function serverPublish(client: AutobahnSession, topic: string, value?: unknown): Promise<number> {
    const args = value === undefined ? [topic] : [topic, value];
    const ids = await within(client.call('server.publish', args), STEP_MS, 'server.publish');
    expect(ids).toEqual([expect.any(Number)]);
    return toIdNumber((ids as unknown[])[0]);
  }

  describe('server.publish (WampPublisher) with binary values', () => {
    for (const serializer of ALL_SERIALIZERS) {
      const skip = pythonSkipReason(serializer);
      if (skip) it.skip(`Autobahn|Python ${serializer} subscriber: ${skip}`, () => undefined);
    }

    it(`reaches Autobahn|JS and wampy on json, msgpack and cbor and Autobahn|Python on ${PYTHON_SERIALIZERS.join(', ') || 'none'}, all on one topic`, async () => {
      const topic = 'com.example.pubsub.everyone';
      const pythons: PythonRun[] = [];
      let subscribers: JsSubscriber[] = [];
      try {
        // Autobahn|Python is slow to start: its processes start first, in parallel.
        const started = await Promise.allSettled(
          PYTHON_SERIALIZERS.map((s) => startPython(running.url, s, { subscribe: topic, events: 1 })),
        );
        for (const s of started) if (s.status === 'fulfilled') pythons.push(s.value);
        const failed = started.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;

        subscribers = await openSubscribers(
          ALL_SERIALIZERS.flatMap((s) => [
            () => autobahnSubscriber(running.url, s, topic),
            () => wampySubscriber(running.url, s, topic),
          ]),
        );
        const publication = await serverPublish(await openCaller(), topic);
        await waitFor(() => subscribers.every((s) => s.events.length >= 1), STEP_MS, 'JS events');
        const results = await Promise.all(pythons.map((p) => p.result));

        for (const s of subscribers) {
          const expectedDetails = s.name.startsWith('Autobahn')
            ? // Autobahn|JS's Event: publication, topic (its own subscription topic for an exact one)
              {
                publication,
                topic,
                publisher: undefined,
                publisher_authid: undefined,
                publisher_authrole: undefined,
              }
            : // wampy: EVENT.Details as sent (nothing for an exact subscription, no disclosure)
              {};
          expect({ name: s.name, events: shape(s.events) }).toEqual({
            name: s.name,
            events: [{ ...publishedPayload(JS_BYTES[s.name]), details: expectedDetails }],
          });
        }
        results.forEach((r, index) => {
          const name = `Autobahn|Python ${pythons[index].serializer}`;
          expect({ name, error: r.error, received: shape(r.received) }).toEqual({
            name,
            error: undefined,
            received: [
              {
                ...publishedPayload('Buffer'), // the driver turns Python bytes into Buffers
                publication,
                publisher: null,
                publisher_authid: null,
                publisher_authrole: null,
                topic,
                argTypes: ['bytes', 'str', 'int'],
                kwargTypes: { blob: 'bytes' },
              },
            ],
          });
        });
      } finally {
        await closeAll(subscribers.map((s) => s.session));
        await Promise.all(pythons.map((p) => p.result));
      }
    });
  });

  describe('client publications', () => {
    it('exclude_me: false (Autobahn|JS cbor): the publisher gets its own event; by default it does not', async () => {
      const topic = 'com.example.pubsub.exclude_me';
      const [publisher, other] = await openSubscribers([
        () => autobahnSubscriber(running.url, 'cbor', topic),
        () => wampySubscriber(running.url, 'msgpack', topic),
      ]);
      try {
        const client = publisher.session.client as AutobahnSession;
        const publish = (label: string, options: Record<string, unknown>) =>
          within(
            Promise.resolve(client.publish(topic, [label], {}, { acknowledge: true, ...options })),
            STEP_MS,
            `publish ${label}`,
          );
        await publish('mine too', { exclude_me: false });
        await publish('not mine', {});
        await waitFor(() => other.events.length >= 2, STEP_MS, 'events at the other subscriber');
        // The router sends the EVENTs before PUBLISHED: by now the publisher has everything it will get.
        expect(publisher.events.map((e) => e.args)).toEqual([['mine too']]);
        expect(other.events.map((e) => e.args)).toEqual([['mine too'], ['not mine']]);
        expect(publisher.session.sent.filter((m) => m[0] === 16).map((m) => m[2])).toEqual([
          { acknowledge: true, exclude_me: false },
          { acknowledge: true },
        ]);
      } finally {
        await closeAll([publisher.session, other.session]);
      }
    });

    it('wampy cannot send exclude_me: false (it drops the option): its publisher does not get its event', async () => {
      const topic = 'com.example.pubsub.wampy_exclude_me';
      const [publisher, other] = await openSubscribers([
        () => wampySubscriber(running.url, 'cbor', topic),
        () => autobahnSubscriber(running.url, 'json', topic),
      ]);
      try {
        const client = publisher.session.client as Wampy;
        await within(
          client.publish(topic, ['x'], { exclude_me: false }),
          STEP_MS,
          'wampy publish (acknowledged)',
        );
        await waitFor(() => other.events.length >= 1, STEP_MS, 'event at the other subscriber');
        expect(publisher.session.sent.filter((m) => m[0] === 16).map((m) => m[2])).toEqual([
          { acknowledge: true },
        ]);
        expect(publisher.events).toEqual([]);
      } finally {
        await closeAll([publisher.session, other.session]);
      }
    });

    const pythonJsonSkip = pythonSkipReason('json');
    if (pythonJsonSkip)
      it.skip(`disclose_me: Autobahn|Python json subscriber: ${pythonJsonSkip}`, () => undefined);

    it(`disclose_me: true (Autobahn|JS msgpack): Autobahn|JS json, wampy cbor${pythonJsonSkip ? '' : ' and Autobahn|Python json'} subscribers see the publisher session ID, authid and authrole`, async () => {
      const topic = 'com.example.pubsub.disclose_me';
      const python = !pythonJsonSkip
        ? await startPython(running.url, 'json', { subscribe: topic, events: 1 })
        : undefined;
      let subscribers: JsSubscriber[] = [];
      let publisher: RealClientSession<AutobahnSession> | undefined;
      try {
        subscribers = await openSubscribers([
          () => autobahnSubscriber(running.url, 'json', topic),
          () => wampySubscriber(running.url, 'cbor', topic),
        ]);
        publisher = await openAutobahnSession(running.url, REALM, 'msgpack', { timeoutMs: STEP_MS });
        const published = await within(
          Promise.resolve(
            publisher.client.publish(topic, ['who?'], {}, { acknowledge: true, disclose_me: true }),
          ),
          STEP_MS,
          'publish',
        );
        const publication = toIdNumber((published as { id: unknown }).id);
        const id = publisher.sessionId;
        const identity = {
          publisher: id,
          publisher_authid: `anonymous-${id}`,
          publisher_authrole: 'anonymous',
        };
        await waitFor(() => subscribers.every((s) => s.events.length >= 1), STEP_MS, 'events');
        const [autobahn, wampy] = subscribers;
        expect(autobahn.events).toEqual([
          { args: ['who?'], kwargs: {}, details: { publication, topic, ...identity } },
        ]);
        expect(wampy.events).toEqual([{ args: ['who?'], kwargs: {}, details: identity }]);
        if (python) {
          const r = await python.result;
          expect(r.error).toBeUndefined();
          expect(r.received).toMatchObject([{ args: ['who?'], publication, topic, ...identity }]);
        }
      } finally {
        await closeAll([publisher, ...subscribers.map((s) => s.session)]);
        await python?.result;
      }
    });

    it('prefix subscriptions (Autobahn|JS json, wampy msgpack) get Details.topic; an exact one next to it gets its own EVENT', async () => {
      const prefix = 'com.example.pubsub.prefix';
      const news = `${prefix}.news`;
      const sports = `${prefix}.sports`;
      const [autobahn, wampy] = await openSubscribers([
        () => autobahnSubscriber(running.url, 'json', prefix, { match: 'prefix' }),
        () => wampySubscriber(running.url, 'msgpack', prefix, { match: 'prefix' }),
      ]);
      try {
        // The same Autobahn|JS session also holds an exact subscription that matches one of the topics.
        const exact = await autobahnSubscribe(autobahn.session as RealClientSession<AutobahnSession>, news);
        const client = await openCaller('cbor');
        const fromServer = await serverPublish(client, news, 'server');
        const published = await within(
          Promise.resolve(client.publish(sports, ['client'], {}, { acknowledge: true })),
          STEP_MS,
          'publish',
        );
        const fromClient = toIdNumber((published as { id: unknown }).id);
        await waitFor(
          () => autobahn.events.length >= 2 && wampy.events.length >= 2 && exact.length >= 1,
          STEP_MS,
          'events',
        );
        const none = { publisher: undefined, publisher_authid: undefined, publisher_authrole: undefined };
        expect(shape(autobahn.events)).toEqual([
          {
            ...publishedPayload('string', { value: 'server' }),
            details: { publication: fromServer, topic: news, ...none },
          },
          { args: ['client'], kwargs: {}, details: { publication: fromClient, topic: sports, ...none } },
        ]);
        expect(shape(exact)).toEqual([
          {
            ...publishedPayload('string', { value: 'server' }),
            details: { publication: fromServer, topic: news, ...none },
          },
        ]);
        expect(shape(wampy.events)).toEqual([
          { ...publishedPayload('Uint8Array', { value: 'server' }), details: { topic: news } },
          { args: ['client'], kwargs: {}, details: { topic: sports } },
        ]);
      } finally {
        await closeAll([autobahn.session, wampy.session]);
      }
    });
  });

  describe('server.notify_me (ctx.session.sendEvent): only the caller gets the event', () => {
    const topic = 'com.example.pubsub.private';
    const privatePayload = (as: BytesAs) => ({
      args: ['just for you', bytesAs(as, BIN, BIN_JSON)],
      kwargs: { note: 'private' },
    });

    /**
     * `others` are subscribed too; after the notification, a server publication on the topic is the
     * barrier: every subscriber gets it, and one session's events arrive in order, so an `other` that had
     * been sent the notification would have it before the barrier.
     */
    async function expectOnlyBarrier(others: JsSubscriber[]): Promise<void> {
      await waitFor(() => others.every((s) => s.events.length >= 1), STEP_MS, 'barrier events');
      for (const s of others) {
        expect({
          name: s.name,
          events: shape(s.events.map(({ args, kwargs }) => ({ args, kwargs }))),
        }).toEqual({
          name: s.name,
          events: [publishedPayload(JS_BYTES[s.name])],
        });
      }
    }

    it('Autobahn|JS json caller; Autobahn|JS msgpack and wampy cbor subscribers get nothing', async () => {
      const others = await openSubscribers([
        () => autobahnSubscriber(running.url, 'msgpack', topic),
        () => wampySubscriber(running.url, 'cbor', topic),
      ]);
      try {
        const client = await openCaller('json');
        // Not subscribed yet: nothing to send.
        await expect(within(client.call('server.notify_me', [topic]), STEP_MS, 'notify_me')).resolves.toBe(
          false,
        );
        const mine = await autobahnSubscribe(caller!, topic);
        await expect(within(client.call('server.notify_me', [topic]), STEP_MS, 'notify_me')).resolves.toBe(
          true,
        );
        const barrier = await serverPublish(client, topic);
        await waitFor(() => mine.length >= 2, STEP_MS, 'events at the caller');
        expect(shape(mine.map(({ args, kwargs }) => ({ args, kwargs })))).toEqual([
          privatePayload('string'),
          publishedPayload('string'),
        ]);
        expect(mine[1].details.publication).toBe(barrier);
        await expectOnlyBarrier(others);
      } finally {
        await closeAll(others.map((s) => s.session));
      }
    });

    it('wampy cbor caller; Autobahn|JS json subscriber gets nothing', async () => {
      const [callerSub, other] = await openSubscribers([
        () => wampySubscriber(running.url, 'cbor', topic),
        () => autobahnSubscriber(running.url, 'json', topic),
      ]);
      try {
        const client = callerSub.session.client as Wampy;
        const result = await within(client.call('server.notify_me', [topic]), STEP_MS, 'notify_me');
        expect(result.argsList).toEqual([true]);
        await serverPublish(await openCaller(), topic);
        await waitFor(() => callerSub.events.length >= 2, STEP_MS, 'events at the caller');
        expect(shape(callerSub.events.map(({ args, kwargs }) => ({ args, kwargs })))).toEqual([
          privatePayload('Uint8Array'),
          publishedPayload('Uint8Array'),
        ]);
        await expectOnlyBarrier([other]);
      } finally {
        await closeAll([callerSub.session, other.session]);
      }
    });

    const skip = pythonSkipReason('msgpack');
    (skip ? it.skip : it)(
      skip
        ? `Autobahn|Python msgpack caller: ${skip}`
        : 'Autobahn|Python msgpack caller; Autobahn|JS cbor subscriber gets nothing',
      async () => {
        const [other] = await openSubscribers([() => autobahnSubscriber(running.url, 'cbor', topic)]);
        try {
          // Python: subscribe, call server.notify_me, then wait for one event.
          const r = await runPythonClient(running.url, REALM, 'msgpack', {
            actions: {
              subscribe: topic,
              call: [{ procedure: 'server.notify_me', args: [topic] }],
              events: 1,
            },
          });
          expect(r.error).toBeUndefined();
          expect(r.calls).toEqual([
            { tag: 'server.notify_me', outcome: 'result', type: 'value', value: true },
          ]);
          expect(shape(r.received)).toMatchObject([
            { ...privatePayload('Buffer'), topic, argTypes: ['str', 'bytes'], kwargTypes: { note: 'str' } },
          ]);
          await serverPublish(await openCaller(), topic);
          await expectOnlyBarrier([other]);
        } finally {
          await closeAll([other.session]);
        }
      },
    );
  });
});

describe('integers beyond 2^53 from an Autobahn|Python CBOR publisher to Autobahn|Python subscribers', () => {
  const topic = 'fidelity.big';
  /** int64 beyond 2^53, the int64 minimum, and a 101-bit integer (a CBOR bignum, tag 2). */
  const A = 2n ** 62n + 1n;
  const B = -(2n ** 63n);
  const C = 2n ** 100n + 1n;
  const skip = (['cbor', 'msgpack', 'json'] as const).map(pythonSkipReason).find((reason) => reason !== null);
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ controllers: [] });
  });

  afterAll(async () => {
    await running?.app.close();
  });

  (skip ? it.skip : it)(
    skip ??
      'CBOR subscribers get them exactly, msgpack ones exactly up to 64 bits, JSON ones the nearest number',
    async () => {
      const subscribers = await Promise.all(
        (['cbor', 'msgpack', 'json'] as const).map((serializer) =>
          startPython(running.url, serializer, { subscribe: topic, events: 1 }),
        ),
      );
      const publisher = await runPythonClient(running.url, REALM, 'cbor', {
        actions: { publish: { topic, args: [A, B, C], kwargs: { c: C } } },
      });
      expect(publisher.error).toBeUndefined();
      expect(publisher.publication).toEqual(expect.any(Number));
      const [cbor, msgpack, json] = await Promise.all(subscribers.map((run) => run.result));
      // Exactly what was published: Python ints, the bignum included.
      expect(cbor.received).toMatchObject([
        { args: [A, B, C], kwargs: { c: C }, argTypes: ['int', 'int', 'int'] },
      ]);
      // uint64 / int64 exactly; beyond 64 bits msgpack has only float64.
      expect(msgpack.received).toMatchObject([
        { args: [A, B, Number(C)], kwargs: { c: Number(C) }, argTypes: ['int', 'int', 'float'] },
      ]);
      // JSON: the nearest double, as digits Python reads as an int while they look like one.
      expect(json.received).toHaveLength(1);
      expect(json.received[0].args.map(Number)).toEqual([Number(A), Number(B), Number(C)]);
      expect(json.received[0].argTypes).toEqual(['int', 'int', 'float']);
    },
  );
});

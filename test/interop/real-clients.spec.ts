/**
 * Real WAMP clients written by others against OUR router, started the way sample-app/src/main.ts starts
 * it (`startModule`): `NestFactory.create(AppModule)` (realm1, path /ws), the WAMP transport connected
 * as a hybrid microservice, listening on 127.0.0.1:0, on Express and on Fastify.
 *
 * Clients: Autobahn|JS 22.11.1, wampy 8 and Autobahn|Python 22.7.1 (drivers in
 * test/support/real-clients.ts), each on json, msgpack and cbor:
 * - WELCOME as the client saw it (realm, authmethod/authrole anonymous, session id a safe integer;
 *   Autobahn|Python refuses float IDs, which is what the integer-exact msgpack/cbor encoders are for),
 * - the client leaves: the router answers GOODBYE `wamp.close.goodbye_and_out`,
 * - unknown realm: the client reports `wamp.error.no_such_realm`,
 * - `app.close()` with the client connected: GOODBYE `wamp.close.system_shutdown`, and `app.close()`
 *   resolves well within 3 s,
 * - publish/subscribe through the basic broker across clients and serializers, binary values included.
 *
 * What the clients give the application for binary values (observed, asserted below):
 * - msgpack/cbor subscribers get bytes (Autobahn|JS: Buffer; wampy: Uint8Array).
 * - Autobahn|JS json and wampy json subscribers get the raw WAMP JSON spelling, the string
 *   "\u0000" + base64: neither library implements the convention (plain JSON.parse, no reviver). An app
 *   using them can send binary by publishing such a string itself; the router turns it into bytes for
 *   msgpack/cbor subscribers.
 * - Autobahn|Python json implements the convention: it gets (and sends) Python `bytes`.
 * - wampy msgpack (msgpackr defaults) decodes integers above 2^32 as BigInt, because the router writes
 *   them as msgpack integers (uint64/int64), never as float64.
 *
 * The Autobahn|Python tests are skipped, with the reason in their name, when /usr/bin/python3 cannot
 * import autobahn (and msgpack / cbor2 for those serializers); CI installs python3-autobahn
 * python3-cbor2 python3-msgpack.
 */
import type { INestApplication } from '@nestjs/common';
import { AppModule } from '../../sample-app/src/app.module.js';
import { WampGateway } from '../../lib/index.js';
import {
  ALL_SERIALIZERS,
  PYTHON,
  SessionAbortedError,
  openAutobahnSession,
  openWampySession,
  pythonAutobahnAvailable,
  rejectedAutobahnOpen,
  rejectedWampyOpen,
  runPythonClient,
  type AutobahnSession,
  type ClosedInfo,
  type RealClientSession,
  type WampSerializerName,
} from '../support/real-clients.js';
import { startModule, type Platform, type RunningApp } from '../support/test-app.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The sample app persists documents; keep this suite's database out of sample-app/data.
process.env.DOCS_DB ??= join(mkdtempSync(join(tmpdir(), 'nestjs-wamp-interop-')), 'docs.sqlite');

const PLATFORMS: readonly Platform[] = ['express', 'fastify'];
const REALM = 'realm1';
const UNKNOWN_REALM = 'com.example.no_such_realm';
/** What `app.close()` must stay under (the brief); the router's own GOODBYE wait is 2 s, its shutdown cap 3 s. */
const CLOSE_BUDGET_MS = 3000;
/** A client that answers GOODBYE (or drops the socket) lets the router finish long before its 2 s goodbyeTimeout. */
const GOODBYE_TIMEOUT_MS = 2000;
const STEP_MS = 5000;

// ---------------------------------------------------------------------------------------------
// bounded waiting

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timeout after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function signal<T = void>(): { promise: Promise<T>; fire: (value: T) => void } {
  let fire!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (fire = resolve));
  return { promise, fire };
}

/** Closes the app and says how long it took. */
async function timedClose(app: INestApplication): Promise<number> {
  const started = Date.now();
  await within(app.close(), CLOSE_BUDGET_MS + 2000, 'app.close()');
  return Date.now() - started;
}

function sessionCount(running: RunningApp): number {
  return running.app.get(WampGateway).router.sessionCount;
}

// ---------------------------------------------------------------------------------------------
// expectations

/** WELCOME.Details our router sends for an anonymous session (Autobahn|JS adds `transport` of its own). */
function expectWelcomeDetails(details: Record<string, unknown>, sessionId: number): void {
  expect(details).toMatchObject({
    realm: REALM,
    authmethod: 'anonymous',
    authrole: 'anonymous',
    authid: `anonymous-${sessionId}`,
    authprovider: 'static',
    roles: { broker: { features: { publisher_exclusion: true } }, dealer: { features: {} } },
    agent: expect.stringMatching(/^nestjs-wamp\/\d+\.\d+\.\d+/),
  });
}

function expectSessionId(id: number): void {
  expect(Number.isSafeInteger(id)).toBe(true);
  expect(id).toBeGreaterThanOrEqual(1);
}

function lastGoodbye(sent: readonly unknown[][]): unknown[] | undefined {
  return sent.filter((m) => m[0] === 6).at(-1);
}

// ---------------------------------------------------------------------------------------------
// payloads for publish/subscribe

const BYTES = Uint8Array.from([0, 1, 2, 127, 128, 200, 254, 255]);
const BYTES_B64 = Buffer.from(BYTES).toString('base64');
/** The WAMP JSON spelling of BYTES: U+0000 followed by base64. */
const BYTES_JSON = `\u0000${BYTES_B64}`;
const BIG = 2 ** 40;

/** What a publisher sends; `bin` is how the publisher's serializer carries the bytes. */
function payload(bin: unknown): { args: unknown[]; kwargs: Record<string, unknown> } {
  return {
    args: [42, -7, BIG, -BIG, 1.5, 'zß水🍌', true, null, [1, [2, 'three']], { deep: { list: [false] } }, bin],
    kwargs: { bin, text: 'x', big: BIG, empty: {}, none: [] },
  };
}

/** How a subscriber sees the payload: `bin` as its library decodes binary, `big` as it decodes 2^40. */
function seen(bin: unknown, big: unknown = BIG): { args: unknown[]; kwargs: Record<string, unknown> } {
  const p = payload(bin);
  p.args[2] = big;
  p.args[3] = typeof big === 'bigint' ? -big : -BIG;
  p.kwargs.big = big;
  return p;
}

/** Replaces byte arrays by a tagged hex string, so Buffer vs Uint8Array does not matter to toEqual. */
function bytesAsHex(v: unknown): unknown {
  if (v instanceof Uint8Array)
    return { bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (Array.isArray(v)) return v.map(bytesAsHex);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytesAsHex(x)]));
  }
  return v;
}

interface ReceivedEvent {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

interface Subscriber {
  name: string;
  serializer: WampSerializerName;
  events: ReceivedEvent[];
  session: RealClientSession<unknown>;
}

async function autobahnSubscriber(
  url: string,
  serializer: WampSerializerName,
  topic: string,
): Promise<Subscriber> {
  const session = await openAutobahnSession(url, REALM, serializer);
  const events: ReceivedEvent[] = [];
  await within(
    Promise.resolve(session.client.subscribe(topic, (args, kwargs) => events.push({ args, kwargs }))),
    STEP_MS,
    'Autobahn|JS subscribe',
  );
  return { name: `Autobahn|JS ${serializer}`, serializer, events, session };
}

async function wampySubscriber(
  url: string,
  serializer: WampSerializerName,
  topic: string,
): Promise<Subscriber> {
  const session = await openWampySession(url, REALM, serializer);
  const events: ReceivedEvent[] = [];
  await within(
    session.client.subscribe(topic, (e) => {
      events.push({ args: e.argsList ?? [], kwargs: e.argsDict ?? {} });
    }),
    STEP_MS,
    'wampy subscribe',
  );
  return { name: `wampy ${serializer}`, serializer, events, session };
}

/** Every JS client × serializer, subscribed to `topic`. */
async function allJsSubscribers(url: string, topic: string): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  try {
    for (const serializer of ALL_SERIALIZERS) {
      subscribers.push(await autobahnSubscriber(url, serializer, topic));
      subscribers.push(await wampySubscriber(url, serializer, topic));
    }
  } catch (error) {
    await closeAll(subscribers.map((s) => s.session));
    throw error;
  }
  return subscribers;
}

/** What each JS subscriber gets for `payload(bin)` published from a binary (msgpack/cbor) client. */
function expectedForJsSubscriber(s: Subscriber): ReceivedEvent {
  if (s.serializer === 'json') return seen(BYTES_JSON); // no reviver: the raw U+0000 + base64 string
  if (s.name === 'wampy msgpack') return seen(BYTES, BigInt(BIG)); // msgpackr: uint64/int64 -> BigInt
  return seen(BYTES);
}

async function closeAll(sessions: RealClientSession<unknown>[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
}

// ---------------------------------------------------------------------------------------------

function pythonSkipReason(serializer: WampSerializerName): string | null {
  if (pythonAutobahnAvailable(serializer)) return null;
  const lib = { json: '', msgpack: ' and msgpack', cbor: ' and cbor2' }[serializer];
  return `SKIPPED: ${PYTHON} cannot import autobahn${lib} (apt install python3-autobahn python3-cbor2 python3-msgpack)`;
}

describe.each(PLATFORMS)('sample AppModule on %s with real clients', (platform) => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startModule(AppModule, platform);
  });

  afterAll(async () => {
    await running?.app.close();
  });

  afterEach(async () => {
    // Every client session of the test has ended on the router side too.
    if (running) await waitFor(() => sessionCount(running) === 0, 3000, 'router sessions to drain');
  });

  /**
   * Runs `body` against a fresh sample app of its own; `close` closes it and says how long that took.
   * The app is closed in `finally` if the body did not get that far.
   */
  async function withOwnApp(
    body: (own: RunningApp, close: () => Promise<number>) => Promise<void>,
  ): Promise<void> {
    const own = await startModule(AppModule, platform);
    let closed = false;
    const close = (): Promise<number> => {
      closed = true;
      return timedClose(own.app);
    };
    try {
      await body(own, close);
    } finally {
      if (!closed) await own.app.close();
    }
  }

  /** Closes the app while `session` is open; checks what the client saw and how long close took. */
  async function expectShutdownSeen(
    close: () => Promise<number>,
    session: RealClientSession<unknown>,
  ): Promise<ClosedInfo> {
    const ms = await close();
    const info = await within(session.closed, STEP_MS, 'client to see the session end');
    expect(info).toEqual({
      reason: 'wamp.close.system_shutdown',
      message: 'The router is shutting down.',
      initiatedByClient: false,
    });
    expect(ms).toBeLessThan(CLOSE_BUDGET_MS);
    // The router did not have to wait out its goodbyeTimeout: the client answered or dropped the socket.
    expect(ms).toBeLessThan(GOODBYE_TIMEOUT_MS);
    return info;
  }

  describe.each(ALL_SERIALIZERS)('Autobahn|JS on %s', (serializer) => {
    it('opens a session: WELCOME details as the client saw them, then leaves', async () => {
      const s = await openAutobahnSession(running.url, REALM, serializer);
      try {
        expectSessionId(s.sessionId);
        expect(s.client.id).toBe(s.sessionId);
        expect(s.client.isOpen).toBe(true);
        expectWelcomeDetails(s.details, s.sessionId);
        // Autobahn|JS adds the transport it used: the negotiated subprotocol.
        expect(s.details.transport).toMatchObject({ type: 'websocket', protocol: `wamp.2.${serializer}` });
        expect(s.sent[0]).toEqual([1, REALM, expect.objectContaining({ roles: expect.any(Object) })]);
      } finally {
        await expect(s.close()).resolves.toBe('wamp.close.goodbye_and_out');
      }
      await expect(s.closed).resolves.toEqual({
        reason: 'wamp.close.goodbye_and_out',
        message: null,
        initiatedByClient: true,
      });
      // Autobahn|JS leaves with wamp.close.normal.
      expect(lastGoodbye(s.sent)).toEqual([6, {}, 'wamp.close.normal']);
    });

    it('unknown realm -> wamp.error.no_such_realm', async () => {
      const abort = await rejectedAutobahnOpen(running.url, UNKNOWN_REALM, serializer);
      expect(abort.reason).toBe('wamp.error.no_such_realm');
      expect(abort.message).toContain(UNKNOWN_REALM);
      const error = await openAutobahnSession(running.url, UNKNOWN_REALM, serializer).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SessionAbortedError);
      expect((error as SessionAbortedError).reason).toBe('wamp.error.no_such_realm');
    });

    it('app.close() while connected -> GOODBYE wamp.close.system_shutdown, close is prompt', async () => {
      await withOwnApp(async (own, close) => {
        const s = await openAutobahnSession(own.url, REALM, serializer);
        await expectShutdownSeen(close, s);
        expect(s.client.isOpen).toBe(false);
        // Autobahn|JS drops the socket on the router's GOODBYE; its reply is serialized only afterwards
        // (asynchronously) and, if at all, never reaches the router. Nothing to assert about it here.
        await expect(s.close()).resolves.toBe('wamp.close.system_shutdown');
      });
    });
  });

  describe.each(ALL_SERIALIZERS)('wampy on %s', (serializer) => {
    it('opens a session: WELCOME details as the client saw them, then leaves', async () => {
      const s = await openWampySession(running.url, REALM, serializer);
      try {
        expectSessionId(s.sessionId);
        expectWelcomeDetails(s.details, s.sessionId);
        const rawId: unknown = s.client.getSessionId();
        if (serializer === 'msgpack' && s.sessionId > 0xffffffff) {
          // msgpackr turns msgpack uint64 into BigInt (a float64 would have come back as a number):
          // the router wrote the ID as an integer.
          expect(typeof rawId).toBe('bigint');
        } else {
          expect(rawId).toBe(s.sessionId);
        }
        expect(s.sent[0]).toEqual([
          1,
          REALM,
          expect.objectContaining({ agent: expect.stringMatching(/^Wampy/) }),
        ]);
      } finally {
        await expect(s.close()).resolves.toBe('wamp.close.goodbye_and_out');
      }
      await expect(s.closed).resolves.toEqual({
        reason: 'wamp.close.goodbye_and_out',
        message: null,
        initiatedByClient: true,
      });
      // wampy leaves with wamp.close.system_shutdown (sic); the router answers goodbye_and_out anyway.
      expect(lastGoodbye(s.sent)).toEqual([6, {}, 'wamp.close.system_shutdown']);
    });

    it('unknown realm -> wamp.error.no_such_realm', async () => {
      const abort = await rejectedWampyOpen(running.url, UNKNOWN_REALM, serializer);
      expect(abort.reason).toBe('wamp.error.no_such_realm');
      expect(abort.message).toContain(UNKNOWN_REALM);
      const error = await openWampySession(running.url, UNKNOWN_REALM, serializer).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionAbortedError);
      expect((error as SessionAbortedError).reason).toBe('wamp.error.no_such_realm');
    });

    it('app.close() while connected -> GOODBYE wamp.close.system_shutdown, close is prompt', async () => {
      await withOwnApp(async (own, close) => {
        const s = await openWampySession(own.url, REALM, serializer);
        await expectShutdownSeen(close, s);
        expect(s.client.getSessionId() ?? null).toBeNull();
        // wampy answers a router GOODBYE as the spec says.
        expect(lastGoodbye(s.sent)).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
      });
    });
  });

  describe.each(ALL_SERIALIZERS)('Autobahn|Python on %s', (serializer) => {
    const skip = pythonSkipReason(serializer);
    const d = skip === null ? describe : describe.skip;

    d(skip ?? 'asyncio client', () => {
      it('opens a session: WELCOME details as the client saw them (integer session id), then leaves', async () => {
        const r = await runPythonClient(running.url, REALM, serializer);
        expect(r.error).toBeUndefined();
        expect(r.exitCode).toBe(0);
        expectSessionId(r.joined!);
        // Autobahn|Python refuses a float session ID outright; it decoded an int.
        expect(r.idType).toBe('int');
        expect(r).toMatchObject({
          realm: REALM,
          authmethod: 'anonymous',
          authrole: 'anonymous',
          authid: `anonymous-${r.joined}`,
          leftReason: 'wamp.close.goodbye_and_out',
        });
        expect(r.sent[0]?.[0]).toBe(1);
        // Autobahn|Python leaves with wamp.close.normal.
        expect(lastGoodbye(r.sent)).toEqual([6, {}, 'wamp.close.normal']);
      });

      it('unknown realm -> wamp.error.no_such_realm', async () => {
        const r = await runPythonClient(running.url, UNKNOWN_REALM, serializer);
        expect(r.joined).toBeUndefined();
        expect(r.leftReason).toBe('wamp.error.no_such_realm');
        expect(r.leftMessage).toContain(UNKNOWN_REALM);
        expect(r.error).toBeUndefined();
      });

      it('app.close() while connected -> GOODBYE wamp.close.system_shutdown, close is prompt', async () => {
        await withOwnApp(async (own, close) => {
          const joined = signal();
          const run = runPythonClient(own.url, REALM, serializer, {
            holdMs: 5000,
            onEvent: (ev) => {
              if ('joined' in ev) joined.fire();
            },
          });
          try {
            await within(joined.promise, 8000, 'Autobahn|Python to join');
          } catch (error) {
            await run; // bounded: the driver kills the process after 10 s
            throw error;
          }
          const ms = await close();
          const r = await run;
          expect(r.joined).toBeGreaterThan(0);
          expect(r.leftReason).toBe('wamp.close.system_shutdown');
          expect(r.leftMessage).toBe('The router is shutting down.');
          expect(ms).toBeLessThan(CLOSE_BUDGET_MS);
          expect(ms).toBeLessThan(GOODBYE_TIMEOUT_MS);
          // Autobahn|Python answers a router GOODBYE with wamp.close.normal.
          expect(lastGoodbye(r.sent)).toEqual([6, {}, 'wamp.close.normal']);
        });
      });

      it('subscriber: gets events from wampy cbor and Autobahn|JS json, binary as bytes', async () => {
        const topic = `com.example.interop.python_${serializer}`;
        const subscribed = signal();
        const run = runPythonClient(running.url, REALM, serializer, {
          actions: { subscribe: topic, events: 2 },
          onEvent: (ev) => {
            if ('subscribed' in ev) subscribed.fire();
          },
        });
        const publishers: RealClientSession<unknown>[] = [];
        try {
          await within(subscribed.promise, 8000, 'Autobahn|Python to subscribe');
          const cbor = await openWampySession(running.url, REALM, 'cbor');
          publishers.push(cbor);
          const p = payload(BYTES);
          await within(
            cbor.client.publish(topic, { argsList: p.args, argsDict: p.kwargs }),
            STEP_MS,
            'publish',
          );
          const json = await openAutobahnSession(running.url, REALM, 'json');
          publishers.push(json);
          // An Autobahn|JS json app sends binary by writing the convention's string itself.
          await within(
            Promise.resolve(
              json.client.publish(topic, [BYTES_JSON], { bin: BYTES_JSON }, { acknowledge: true }),
            ),
            STEP_MS,
            'publish',
          );
        } finally {
          await closeAll(publishers);
        }
        const r = await run;
        expect(r.error).toBeUndefined();
        expect(r.received).toHaveLength(2);
        expect(r.received.map((e) => bytesAsHex({ args: e.args, kwargs: e.kwargs }))).toEqual(
          bytesAsHex([seen(BYTES), { args: [BYTES], kwargs: { bin: BYTES } }]),
        );
        for (const e of r.received) expectSessionId(e.publication!);
      });

      it('publisher: bytes from Python reach Autobahn|JS msgpack as bytes and json as the U+0000 string', async () => {
        const topic = `com.example.interop.from_python_${serializer}`;
        const subscribers: Subscriber[] = [];
        try {
          subscribers.push(await autobahnSubscriber(running.url, 'msgpack', topic));
          subscribers.push(await autobahnSubscriber(running.url, 'json', topic));
          subscribers.push(await wampySubscriber(running.url, 'cbor', topic));
          const r = await runPythonClient(running.url, REALM, serializer, {
            actions: { publish: { topic, args: [BYTES, 'text', 7], kwargs: { bin: BYTES } } },
          });
          expect(r.error).toBeUndefined();
          expect(r.publication).toBeGreaterThan(0);
          await waitFor(() => subscribers.every((s) => s.events.length >= 1), STEP_MS, 'events');
          for (const s of subscribers) {
            const bin = s.serializer === 'json' ? BYTES_JSON : BYTES;
            expect({ name: s.name, events: bytesAsHex(s.events) }).toEqual({
              name: s.name,
              events: bytesAsHex([{ args: [bin, 'text', 7], kwargs: { bin } }]),
            });
          }
        } finally {
          await closeAll(subscribers.map((s) => s.session));
        }
      });
    });
  });

  describe('publish/subscribe through the basic broker', () => {
    it('wampy cbor publishes; every JS client on every serializer gets args and kwargs intact', async () => {
      const topic = 'com.example.interop.from_wampy_cbor';
      const subscribers = await allJsSubscribers(running.url, topic);
      const publishers: RealClientSession<unknown>[] = [];
      try {
        const publisher = await openWampySession(running.url, REALM, 'cbor');
        publishers.push(publisher);
        const p = payload(BYTES);
        const published = await within(
          publisher.client.publish(topic, { argsList: p.args, argsDict: p.kwargs }),
          STEP_MS,
          'wampy publish (acknowledged)',
        );
        expect(Number.isSafeInteger(published.publicationId)).toBe(true);
        await waitFor(() => subscribers.every((s) => s.events.length >= 1), STEP_MS, 'events');
        for (const s of subscribers) {
          expect({ name: s.name, events: bytesAsHex(s.events) }).toEqual({
            name: s.name,
            events: bytesAsHex([expectedForJsSubscriber(s)]),
          });
        }
      } finally {
        await closeAll([...publishers, ...subscribers.map((s) => s.session)]);
      }
    });

    it('Autobahn|JS msgpack publishes; every JS client on every serializer gets args and kwargs intact', async () => {
      const topic = 'com.example.interop.from_autobahn_msgpack';
      const subscribers = await allJsSubscribers(running.url, topic);
      const publishers: RealClientSession<unknown>[] = [];
      try {
        const publisher = await openAutobahnSession(running.url, REALM, 'msgpack');
        publishers.push(publisher);
        const p = payload(Buffer.from(BYTES));
        await within(
          Promise.resolve(publisher.client.publish(topic, p.args, p.kwargs, { acknowledge: true })),
          STEP_MS,
          'Autobahn|JS publish (acknowledged)',
        );
        await waitFor(() => subscribers.every((s) => s.events.length >= 1), STEP_MS, 'events');
        for (const s of subscribers) {
          expect({ name: s.name, events: bytesAsHex(s.events) }).toEqual({
            name: s.name,
            events: bytesAsHex([expectedForJsSubscriber(s)]),
          });
        }
      } finally {
        await closeAll([...publishers, ...subscribers.map((s) => s.session)]);
      }
    });

    it('a json app publishing the U+0000 + base64 string sends bytes: msgpack/cbor subscribers get bytes', async () => {
      const topic = 'com.example.interop.from_json';
      const subscribers = await allJsSubscribers(running.url, topic);
      const publishers: RealClientSession<unknown>[] = [];
      try {
        const publisher = await openAutobahnSession(running.url, REALM, 'json');
        publishers.push(publisher);
        const p = payload(BYTES_JSON);
        await within(
          Promise.resolve(publisher.client.publish(topic, p.args, p.kwargs, { acknowledge: true })),
          STEP_MS,
          'Autobahn|JS publish (acknowledged)',
        );
        await waitFor(() => subscribers.every((s) => s.events.length >= 1), STEP_MS, 'events');
        for (const s of subscribers) {
          expect({ name: s.name, events: bytesAsHex(s.events) }).toEqual({
            name: s.name,
            events: bytesAsHex([expectedForJsSubscriber(s)]),
          });
        }
      } finally {
        await closeAll([...publishers, ...subscribers.map((s) => s.session)]);
      }
    });

    it('the publisher does not get its own event (publisher exclusion), others do; args-only events stay args-only', async () => {
      const topic = 'com.example.interop.exclusion';
      const publisher = await autobahnSubscriber(running.url, 'msgpack', topic);
      const other = await wampySubscriber(running.url, 'json', topic).catch(async (e: unknown) => {
        await closeAll([publisher.session]);
        throw e;
      });
      try {
        const client = publisher.session.client as AutobahnSession;
        await within(
          Promise.resolve(client.publish(topic, ['only args'], undefined, { acknowledge: true })),
          STEP_MS,
          'publish',
        );
        await waitFor(() => other.events.length >= 1, STEP_MS, 'event');
        // A round trip after the publication: had the publisher been sent the event, it would be here by now.
        await within(
          Promise.resolve(client.publish('com.example.interop.nobody', [], undefined, { acknowledge: true })),
          STEP_MS,
          'publish',
        );
        expect(publisher.events).toEqual([]);
        expect(other.events).toEqual([{ args: ['only args'], kwargs: {} }]);
      } finally {
        await closeAll([publisher.session, other.session]);
      }
    });
  });
});

describe('Autobahn|Python driver', () => {
  const skip = pythonSkipReason('json');
  (skip === null ? it : it.skip)(
    skip ?? 'reports a connection error instead of hanging (nothing listens on 127.0.0.1:1)',
    async () => {
      const r = await runPythonClient('ws://127.0.0.1:1/ws', REALM, 'json');
      expect(r.joined).toBeUndefined();
      expect(r.error).toMatch(/Connect|refused/i);
    },
  );
});

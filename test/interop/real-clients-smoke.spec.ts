/**
 * Smoke test of the real-client drivers in test/support/real-clients.ts.
 *
 * It runs them against a minimal fake WAMP router defined inline below (json/msgpack/cbor over ws,
 * 127.0.0.1 only). The fake is meant to be swapped for the real nestjs-wamp router later; it only
 * does what the drivers need: HELLO -> WELCOME (realm "realm1") or ABORT no_such_realm, GOODBYE ->
 * GOODBYE goodbye_and_out, and a shutdown() that sends GOODBYE system_shutdown to every session.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { Packr, Unpackr } from 'msgpackr';
import { Encoder } from 'cbor-x';
import type { AddressInfo } from 'node:net';
import {
  ALL_SERIALIZERS,
  SessionAbortedError,
  openAutobahnSession,
  openWampySession,
  pythonAutobahnAvailable,
  rejectedAutobahnOpen,
  rejectedWampyOpen,
  runPythonClient,
  type WampSerializerName,
} from '../support/real-clients.js';

// ---------------------------------------------------------------------------------------------
// minimal fake router

type Codec = { encode(msg: unknown[]): string | Buffer; decode(data: Buffer): unknown };

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
// int64AsNumber (decode 64-bit integers as numbers, not BigInt) works at run time but is missing from
// cbor-x's typings, hence the separate object (no excess-property check).
const cborOptions = { useRecords: false, mapsAsObjects: true, int64AsNumber: true };
const cbor = new Encoder(cborOptions);

/** msgpackr and cbor-x write JS numbers above 2^32 as float64; strict peers want integers. */
function intsAsBigInt(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v) && (v > 0xffffffff || v < -0x80000000)) return BigInt(v);
  if (Array.isArray(v)) return v.map(intsAsBigInt);
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, intsAsBigInt(x)]));
  }
  return v;
}

const codecs: Record<string, Codec> = {
  'wamp.2.json': { encode: (m) => JSON.stringify(m), decode: (d) => JSON.parse(d.toString('utf8')) },
  'wamp.2.msgpack': { encode: (m) => packr.pack(intsAsBigInt(m)), decode: (d) => unpackr.unpack(d) },
  'wamp.2.cbor': { encode: (m) => cbor.encode(intsAsBigInt(m)), decode: (d) => cbor.decode(d) },
};

interface FakeRouter {
  url: string;
  /** Every message received, per connection, in order. */
  received: unknown[][];
  shutdown(): void;
  close(): Promise<void>;
}

async function startFakeRouter(): Promise<FakeRouter> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => [...protocols].find((p) => p in codecs) ?? false,
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: unknown[][] = [];
  const sessions = new Map<WebSocket, (msg: unknown[]) => void>();

  wss.on('connection', (ws) => {
    const codec = codecs[ws.protocol];
    if (!codec) return ws.close(1002);
    const send = (msg: unknown[]): void => ws.send(codec.encode(msg));
    let closer: NodeJS.Timeout | undefined;
    const closeSoon = (code: number): void => {
      closer = setTimeout(() => ws.close(code), 1000);
    };
    ws.on('close', () => {
      clearTimeout(closer);
      sessions.delete(ws);
    });
    ws.on('message', (data: Buffer) => {
      const msg = codec.decode(data);
      if (!Array.isArray(msg)) return ws.close(1002);
      received.push(msg);
      switch (msg[0]) {
        case 1: // HELLO
          if (msg[1] !== 'realm1') {
            send([3, { message: `no realm ${String(msg[1])}` }, 'wamp.error.no_such_realm']);
            closeSoon(1000);
            return;
          }
          send([
            2,
            Math.floor(Math.random() * 2 ** 53) + 1,
            {
              roles: { broker: { features: {} }, dealer: { features: {} } },
              authid: 'anon',
              authrole: 'anonymous',
              authmethod: 'anonymous',
              authprovider: 'static',
            },
          ]);
          sessions.set(ws, send);
          return;
        case 6: // GOODBYE
          if (sessions.has(ws)) {
            sessions.delete(ws);
            send([6, {}, 'wamp.close.goodbye_and_out']);
          }
          closeSoon(1000);
          return;
      }
    });
  });

  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    received,
    shutdown: () => {
      for (const [ws, send] of sessions) {
        sessions.delete(ws);
        send([6, {}, 'wamp.close.system_shutdown']);
        setTimeout(() => ws.close(1001), 1000);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------

describe('real client drivers against a fake router', () => {
  let router: FakeRouter;

  beforeEach(async () => {
    router = await startFakeRouter();
  });

  afterEach(async () => {
    await router.close();
  });

  describe.each(ALL_SERIALIZERS)('%s', (serializer: WampSerializerName) => {
    it('Autobahn|JS opens and closes a session', async () => {
      const s = await openAutobahnSession(router.url, 'realm1', serializer);
      expect(s.sessionId).toBeGreaterThan(0);
      expect(s.details.authmethod).toBe('anonymous');
      expect(s.client.isOpen).toBe(true);
      await expect(s.close()).resolves.toBe('wamp.close.goodbye_and_out');
      await expect(s.closed).resolves.toMatchObject({
        reason: 'wamp.close.goodbye_and_out',
        initiatedByClient: true,
      });
      const hello = router.received.find((m) => m[0] === 1);
      expect(hello?.[1]).toBe('realm1');
      expect(router.received.find((m) => m[0] === 6)).toEqual([6, {}, 'wamp.close.normal']);
    });

    it('Autobahn|JS sees ABORT no_such_realm', async () => {
      const abort = await rejectedAutobahnOpen(router.url, 'nope', serializer);
      expect(abort.reason).toBe('wamp.error.no_such_realm');
      expect(abort.message).toBe('no realm nope');
      await expect(openAutobahnSession(router.url, 'nope', serializer)).rejects.toBeInstanceOf(
        SessionAbortedError,
      );
    });

    it('Autobahn|JS reports a router GOODBYE', async () => {
      const s = await openAutobahnSession(router.url, 'realm1', serializer);
      router.shutdown();
      await expect(s.closed).resolves.toMatchObject({
        reason: 'wamp.close.system_shutdown',
        initiatedByClient: false,
      });
      await expect(s.close()).resolves.toBe('wamp.close.system_shutdown');
    });

    it('wampy opens and closes a session', async () => {
      const s = await openWampySession(router.url, 'realm1', serializer);
      expect(s.sessionId).toBeGreaterThan(0);
      expect(Number.isSafeInteger(s.sessionId)).toBe(true);
      expect(s.details.authmethod).toBe('anonymous');
      await expect(s.close()).resolves.toBe('wamp.close.goodbye_and_out');
      await expect(s.closed).resolves.toMatchObject({
        reason: 'wamp.close.goodbye_and_out',
        initiatedByClient: true,
      });
      // wampy leaves with this reason, whatever the spec says
      expect(router.received.find((m) => m[0] === 6)).toEqual([6, {}, 'wamp.close.system_shutdown']);
    });

    it('wampy sees ABORT no_such_realm', async () => {
      const abort = await rejectedWampyOpen(router.url, 'nope', serializer);
      expect(abort.reason).toBe('wamp.error.no_such_realm');
      expect(abort.message).toBe('no realm nope');
      await expect(openWampySession(router.url, 'nope', serializer)).rejects.toBeInstanceOf(
        SessionAbortedError,
      );
    });

    it('wampy reports a router GOODBYE', async () => {
      const s = await openWampySession(router.url, 'realm1', serializer);
      router.shutdown();
      await expect(s.closed).resolves.toMatchObject({
        reason: 'wamp.close.system_shutdown',
        initiatedByClient: false,
      });
      // wampy answers a router GOODBYE as the spec says
      await new Promise((r) => setTimeout(r, 50));
      expect(router.received.filter((m) => m[0] === 6)).toEqual([[6, {}, 'wamp.close.goodbye_and_out']]);
    });

    const itPy = pythonAutobahnAvailable(serializer) ? it : it.skip;

    itPy('Autobahn|Python opens and closes a session', async () => {
      const r = await runPythonClient(router.url, 'realm1', serializer);
      expect(r.error).toBeUndefined();
      expect(r.joined).toBeGreaterThan(0);
      expect(r.authmethod).toBe('anonymous');
      expect(r.leftReason).toBe('wamp.close.goodbye_and_out');
      expect(r.exitCode).toBe(0);
      expect(router.received.find((m) => m[0] === 6)).toEqual([6, {}, 'wamp.close.normal']);
    });

    itPy('Autobahn|Python sees ABORT no_such_realm', async () => {
      const r = await runPythonClient(router.url, 'nope', serializer);
      expect(r.joined).toBeUndefined();
      expect(r.leftReason).toBe('wamp.error.no_such_realm');
      expect(r.leftMessage).toBe('no realm nope');
    });

    itPy('Autobahn|Python reports a router GOODBYE', async () => {
      const run = runPythonClient(router.url, 'realm1', serializer, { holdMs: 3000 });
      const deadline = Date.now() + 5000;
      while (!router.received.some((m) => m[0] === 1) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, 100)); // WELCOME in flight
      router.shutdown();
      const r = await run;
      expect(r.joined).toBeGreaterThan(0);
      expect(r.leftReason).toBe('wamp.close.system_shutdown');
      // Autobahn|Python answers a router GOODBYE with wamp.close.normal
      expect(router.received.find((m) => m[0] === 6)).toEqual([6, {}, 'wamp.close.normal']);
    });
  });

  it('Autobahn|Python reports a connection error instead of hanging', async () => {
    if (!pythonAutobahnAvailable()) return;
    const r = await runPythonClient('ws://127.0.0.1:1/ws', 'realm1', 'json');
    expect(r.joined).toBeUndefined();
    expect(r.error).toMatch(/Connect|refused/i);
  });
});

/**
 * Drivers for real, independent WAMP clients used by the interop tests:
 *
 * - Autobahn|JS 22.11.1 (devDependency `autobahn`, CommonJS, loaded through createRequire).
 *   Serializers: `new autobahn.serializer.JSONSerializer()`, `.MsgpackSerializer()` (msgpack5) and
 *   `.CBORSerializer()` (npm `cbor`), passed as `serializers: [..]`; the subprotocol offered is
 *   `wamp.2.<SERIALIZER_ID>`. msgpack5 and cbor are dependencies of autobahn, nothing else is needed.
 * - wampy 8 (devDependency `wampy`, ESM). Serializers come from the sub-paths
 *   `wampy/JsonSerializer.js`, `wampy/MsgpackSerializer.js` (msgpackr) and `wampy/CborSerializer.js`
 *   (cbor-x); the WebSocket class is passed as `ws` (from the `ws` package).
 * - Autobahn|Python 22.7.1 (Debian `python3-autobahn python3-cbor2 python3-msgpack`), driven through
 *   `python_client.py` next to this file, run with /usr/bin/python3.
 * - thruway.js 2.0.7 (json only; needs rxjs 5, so it lives in its own npm folder test/interop/thruway-client,
 *   installed by `npm ci --prefix test/interop/thruway-client`), driven through `driver.js` there, run as a
 *   child process with this Node.
 *
 * Every wait is bounded (default 5 s per step); every helper cleans up its socket on failure.
 *
 * Observed client behaviour the router has to live with (see the interop notes):
 * - Autobahn|JS leaves with GOODBYE `wamp.close.normal`, then closes the socket without a close code
 *   (1005) as soon as the router's GOODBYE arrives; it never delivers its own GOODBYE reply to a
 *   router-initiated GOODBYE in Node (the reply is sent asynchronously after the socket is closed).
 * - wampy leaves with GOODBYE `wamp.close.system_shutdown` (sic) and does not expose the router's
 *   GOODBYE reason: this driver reads it by wrapping the serializer.
 * - wampy's msgpack serializer decodes int64/uint64 as BigInt, so its session id may be a bigint;
 *   the helpers convert ids to numbers.
 * - Binary values over JSON: neither Autobahn|JS nor wampy implement the WAMP convention (a string of
 *   U+0000 followed by base64). Their JSON serializers are plain JSON.parse, so the application gets that
 *   string as is; Autobahn|Python's JSON serializer turns it into `bytes` (and back when sending).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsWebSocket } from 'ws';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';

export type WampSerializerName = 'json' | 'msgpack' | 'cbor';

export const ALL_SERIALIZERS: readonly WampSerializerName[] = ['json', 'msgpack', 'cbor'];

/** How a session that had been opened came to an end, as seen by the client. */
export interface ClosedInfo {
  /** Reason URI of the GOODBYE (or ABORT) the client received; null if the transport just dropped. */
  reason: string | null;
  /** `message` from the GOODBYE/ABORT details, if any. */
  message: string | null;
  /** True when the test asked the client to leave (close()), false when the router ended it. */
  initiatedByClient: boolean;
}

export interface RealClientSession<TClient> {
  sessionId: number;
  /** WELCOME.Details as the client library exposes them. */
  details: Record<string, unknown>;
  /** The underlying library object, for tests that go further than open/close. */
  client: TClient;
  /**
   * Every message the client library handed to its serializer, in order (HELLO first). "Serialized" is
   * not "delivered": Autobahn|JS serializes a GOODBYE reply even when the socket is already gone.
   */
  sent: readonly unknown[][];
  /** Resolves once the session has ended, for whatever reason (never rejects). */
  closed: Promise<ClosedInfo>;
  /**
   * Leaves the session (client GOODBYE) and resolves with the reason of the GOODBYE the router sent
   * back. Rejects if the router did not answer with a GOODBYE within the timeout, or the transport
   * dropped without one. If the session had already ended, resolves with the reason it ended with.
   */
  close(): Promise<string>;
  /**
   * Closes the transport without GOODBYE (WebSocket close 1000), as a crashing or killed client would;
   * `closed` then resolves with reason null. No-op when the transport is already gone.
   */
  drop(): void;
}

/** What the client saw when the router refused the session (ABORT after HELLO). */
export interface AbortInfo {
  reason: string;
  message: string | null;
  details: Record<string, unknown>;
}

/** Thrown by the open helpers when the router answers HELLO with ABORT. */
export class SessionAbortedError extends Error {
  constructor(
    readonly reason: string,
    readonly details: Record<string, unknown>,
    readonly client: string,
  ) {
    super(`${client}: session aborted by router: ${reason}`);
    this.name = 'SessionAbortedError';
  }
}

export interface OpenOptions {
  /** Upper bound for each step (connect+join, leave). Default 5000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

// ---------------------------------------------------------------------------------------------
// small utilities

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function asStringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** WAMP ids may arrive as number or (msgpack/cbor int64 decoders) bigint. */
export function toIdNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`not a WAMP id: ${String(v)}`);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// ---------------------------------------------------------------------------------------------
// Autobahn|JS 22.11.1

/** The part of an Autobahn|JS session object the tests use. */
export interface AutobahnSession {
  readonly id: number;
  readonly isOpen: boolean;
  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): PromiseLike<unknown>;
  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): PromiseLike<unknown> | undefined;
  subscribe(
    topic: string,
    handler: (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>) => void,
    options?: Record<string, unknown>,
  ): PromiseLike<unknown>;
  register(
    procedure: string,
    endpoint: (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>) => unknown,
    options?: Record<string, unknown>,
  ): PromiseLike<unknown>;
  unsubscribe(subscription: unknown): PromiseLike<unknown>;
  unregister(registration: unknown): PromiseLike<unknown>;
  leave(reason?: string, message?: string): void;
}

interface AutobahnSerializer {
  SERIALIZER_ID: string;
  BINARY: boolean;
  serialize(obj: unknown): unknown;
  unserialize(payload: unknown): unknown;
}

/** Wraps an Autobahn|JS serializer to record the messages the client sends. */
function tapAutobahnSerializer(inner: AutobahnSerializer, sent: unknown[][]): AutobahnSerializer {
  return {
    SERIALIZER_ID: inner.SERIALIZER_ID,
    BINARY: inner.BINARY,
    serialize(obj: unknown): unknown {
      if (Array.isArray(obj)) sent.push(obj as unknown[]);
      return inner.serialize(obj); // the CBOR serializer returns a Promise; Autobahn awaits it
    },
    unserialize: (payload: unknown): unknown => inner.unserialize(payload),
  };
}

interface AutobahnConnection {
  onopen: ((session: AutobahnSession, details: unknown) => void) | null;
  onclose: ((reason: string, details: unknown) => boolean) | null;
  open(): void;
  close(reason?: string, message?: string): void;
}

/** `autobahn.Result`: what a call resolves with when the RESULT has more than one arg or any kwargs. */
export interface AutobahnResult {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** `autobahn.Error`: what a call rejects with on ERROR (a plain object, not a JS Error). */
export interface AutobahnError {
  error: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

interface AutobahnModule {
  Connection: new (options: Record<string, unknown>) => AutobahnConnection;
  serializer: Record<string, (new () => AutobahnSerializer) | undefined>;
  Result: new (args?: unknown[], kwargs?: Record<string, unknown>) => AutobahnResult;
  Error: new (error: string, args?: unknown[], kwargs?: Record<string, unknown>) => AutobahnError;
}

function isAutobahnModule(m: unknown): m is AutobahnModule {
  return (
    isRecord(m) &&
    typeof m.Connection === 'function' &&
    isRecord(m.serializer) &&
    typeof m.Result === 'function' &&
    typeof m.Error === 'function'
  );
}

let autobahnModule: AutobahnModule | undefined;

function loadAutobahn(): AutobahnModule {
  if (autobahnModule) return autobahnModule;
  const require = createRequire(import.meta.url);
  const m: unknown = require('autobahn');
  if (!isAutobahnModule(m)) throw new Error('autobahn did not load as expected');
  // Autobahn logs every close with console.warn ("connection closed lost {...}"); keep test output quiet.
  const log: unknown = require('autobahn/lib/log.js');
  if (isRecord(log) && !process.env.WAMP_TEST_DEBUG) log.warn = () => undefined;
  autobahnModule = m;
  return m;
}

/** The `autobahn.Result` and `autobahn.Error` classes, for `instanceof` checks on what calls give. */
export function autobahnClasses(): Pick<AutobahnModule, 'Result' | 'Error'> {
  const { Result, Error } = loadAutobahn();
  return { Result, Error };
}

function autobahnSerializer(m: AutobahnModule, name: WampSerializerName): AutobahnSerializer {
  const ctorName = { json: 'JSONSerializer', msgpack: 'MsgpackSerializer', cbor: 'CBORSerializer' }[name];
  const Ctor = m.serializer[ctorName];
  if (!Ctor) throw new Error(`Autobahn|JS serializer ${ctorName} is not available`);
  return new Ctor();
}

export interface AutobahnOpenOptions extends OpenOptions {
  /** Extra Connection options, e.g. { authmethods: ['ticket'], authid: 'joe', onchallenge }. */
  connectionOptions?: Record<string, unknown>;
}

/** `autobahn.auth_cra`: WAMP-CRA helpers of Autobahn|JS (crypto-js). */
export interface AutobahnCra {
  /** base64(HMAC-SHA256(key, challenge)); `key` is the secret (unsalted) or what derive_key returned. */
  sign(key: string, challenge: string): string;
  /** base64(PBKDF2-SHA256(secret, salt (UTF-8 text), iterations, keylen)): used as the HMAC key as is. */
  derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string;
}

/** An Ed25519 key pair as tweetnacl (and so Autobahn|JS's `auth_cryptosign`) holds it. */
export interface NaclKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** `autobahn.auth_cryptosign`, plus tweetnacl (Autobahn's own dependency) to make a key from a seed. */
export interface AutobahnCryptosign {
  /** hex(signature(challenge) 64 bytes) + hex(challenge 32 bytes): what AUTHENTICATE carries. */
  sign_challenge(pkey: NaclKeyPair, extra: { challenge: string }): string;
  /** The public key, hex. */
  public_key(pkey: NaclKeyPair): string;
  keyPairFromSeed(seedHex: string): NaclKeyPair;
}

/** Autobahn|JS 22.11.1's WAMP-CRA helpers. */
export function autobahnCra(): AutobahnCra {
  const m = loadAutobahn() as unknown as Record<string, unknown>;
  const cra = asRecord(m.auth_cra);
  if (typeof cra.sign !== 'function' || typeof cra.derive_key !== 'function') {
    throw new Error('autobahn.auth_cra is not available');
  }
  return cra as unknown as AutobahnCra;
}

/**
 * Autobahn|JS 22.11.1's cryptosign helpers. `auth_cryptosign.create_connection` (which builds a
 * Connection with `authmethods: ['cryptosign']` and an authextra of its own) cannot be given
 * `max_retries`, so tests build the Connection themselves with the same authextra.
 */
export function autobahnCryptosign(): AutobahnCryptosign {
  const m = loadAutobahn() as unknown as Record<string, unknown>;
  const cs = asRecord(m.auth_cryptosign);
  if (typeof cs.sign_challenge !== 'function' || typeof cs.public_key !== 'function') {
    throw new Error('autobahn.auth_cryptosign is not available');
  }
  const require = createRequire(createRequire(import.meta.url).resolve('autobahn'));
  const nacl = require('tweetnacl') as {
    sign: { keyPair: { fromSeed(seed: Uint8Array): NaclKeyPair } };
  };
  return {
    sign_challenge: cs.sign_challenge as AutobahnCryptosign['sign_challenge'],
    public_key: cs.public_key as AutobahnCryptosign['public_key'],
    keyPairFromSeed: (seedHex) => nacl.sign.keyPair.fromSeed(Uint8Array.from(Buffer.from(seedHex, 'hex'))),
  };
}

/** Closes an Autobahn|JS session's WebSocket (its private `_socket`, the transport) without GOODBYE. */
function dropAutobahnSocket(session: AutobahnSession): void {
  const socket: unknown = (session as unknown as Record<string, unknown>)._socket;
  if (isRecord(socket) && typeof socket.close === 'function') {
    try {
      (socket.close as (code: number, reason: string) => void).call(socket, 1000, 'dropped by the test');
    } catch {
      // already closed
    }
  }
}

type OpenOutcome<TClient> =
  { kind: 'open'; session: RealClientSession<TClient> } | { kind: 'aborted'; abort: AbortInfo };

/**
 * Opens the connection. Autobahn|JS 22.11 uses the global `WebSocket` whenever one exists, and Node 22+ has one
 * (undici's), which takes no `headers` and no `agent`: the options a transport entry gives for `ws` would be
 * ignored (no Cookie sent, no CA trusted). So when an entry carries them, the global is hidden while Autobahn
 * creates its transport (synchronously, inside `open()`), and it falls back to the `ws` package as on Node 20.
 */
function openWithWsWhenNeeded(conn: AutobahnConnection, connectionOptions?: Record<string, unknown>): void {
  const transports = Array.isArray(connectionOptions?.transports) ? connectionOptions.transports : [];
  const needsWs = transports.some(
    (entry: unknown) => isRecord(entry) && (entry.headers !== undefined || entry.agent !== undefined),
  );
  const global = globalThis as { WebSocket?: unknown };
  const builtIn = Object.getOwnPropertyDescriptor(global, 'WebSocket');
  if (!needsWs || !builtIn) {
    conn.open();
    return;
  }
  delete global.WebSocket;
  try {
    conn.open();
  } finally {
    Object.defineProperty(global, 'WebSocket', builtIn);
  }
}

/**
 * Records what Autobahn|JS sends over its RawSocket transport, which serializes with its own JSON serializer
 * (the tapped one in `serializers` is not used there): from the session's opening on, HELLO excepted.
 */
function tapRawSocketTransport(session: unknown, sent: unknown[][]): void {
  const transport = (session as { _socket?: { send(message: unknown[]): void } })._socket;
  if (!transport) return;
  const send = transport.send.bind(transport);
  transport.send = (message: unknown[]) => {
    sent.push(message);
    send(message);
  };
}

function autobahnOpen(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: AutobahnOpenOptions,
): Promise<OpenOutcome<AutobahnSession>> {
  const autobahn = loadAutobahn();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sent: unknown[][] = [];
  // `rs://host:port`: Autobahn|JS's Node RawSocket transport (JSON only; it makes its own serializer).
  const rawSocket = /^rs:\/\/([^:/]+):(\d+)$/.exec(url);
  const conn = new autobahn.Connection({
    ...(rawSocket
      ? { transports: [{ type: 'rawsocket', host: rawSocket[1], port: Number(rawSocket[2]) }] }
      : { url }),
    realm,
    serializers: [tapAutobahnSerializer(autobahnSerializer(autobahn, serializer), sent)],
    max_retries: 0,
    retry_if_unreachable: false,
    on_user_error: () => undefined,
    on_internal_error: () => undefined,
    ...options.connectionOptions,
  });

  let opened = false;
  let leaving = false;
  const closed = deferred<ClosedInfo>();

  const outcome = new Promise<OpenOutcome<AutobahnSession>>((resolve, reject) => {
    conn.onopen = (session, details) => {
      opened = true;
      if (rawSocket) tapRawSocketTransport(session, sent);
      const close = async (): Promise<string> => {
        if (session.isOpen) {
          leaving = true;
          conn.close();
        }
        const info = await withTimeout(closed.promise, timeoutMs, 'Autobahn|JS leave (GOODBYE reply)');
        if (info.reason === null) throw new Error('Autobahn|JS: transport closed without GOODBYE');
        return info.reason;
      };
      resolve({
        kind: 'open',
        session: {
          sessionId: toIdNumber(session.id),
          details: asRecord(details),
          client: session,
          sent,
          closed: closed.promise,
          close,
          drop: () => dropAutobahnSocket(session),
        },
      });
    };
    conn.onclose = (reason, rawDetails) => {
      const details = asRecord(rawDetails);
      const goodbyeReason = asStringOrNull(details.reason);
      const message = asStringOrNull(details.message) || null;
      if (opened) {
        closed.resolve({ reason: goodbyeReason, message, initiatedByClient: leaving });
      } else if (goodbyeReason !== null) {
        resolve({ kind: 'aborted', abort: { reason: goodbyeReason, message, details } });
      } else {
        reject(new Error(`Autobahn|JS: connection ${reason} before the session opened`));
      }
      return true; // never retry
    };
  });

  openWithWsWhenNeeded(conn, options.connectionOptions);
  return withTimeout(outcome, timeoutMs, `Autobahn|JS open ${url} realm ${realm} (${serializer})`).catch(
    (e: unknown) => {
      try {
        conn.close();
      } catch {
        // already closed
      }
      throw e;
    },
  );
}

/** Opens a session with Autobahn|JS 22.11.1; rejects with SessionAbortedError if the router aborts. */
export async function openAutobahnSession(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: AutobahnOpenOptions = {},
): Promise<RealClientSession<AutobahnSession>> {
  const r = await autobahnOpen(url, realm, serializer, options);
  if (r.kind === 'aborted') throw new SessionAbortedError(r.abort.reason, r.abort.details, 'Autobahn|JS');
  return r.session;
}

/**
 * Expects the router to refuse the session: resolves with what Autobahn|JS saw (ABORT reason/message).
 * Rejects if a session opens (after leaving it) or on timeout.
 */
export async function rejectedAutobahnOpen(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: AutobahnOpenOptions = {},
): Promise<AbortInfo> {
  const r = await autobahnOpen(url, realm, serializer, options);
  if (r.kind === 'aborted') return r.abort;
  await r.session.close().catch(() => undefined);
  throw new Error(`Autobahn|JS: expected ABORT but session ${r.session.sessionId} opened`);
}

// ---------------------------------------------------------------------------------------------
// wampy 8

/** Structural copy of wampy's (unexported) Serializer interface. */
interface WampySerializer {
  protocol: string;
  isBinary: boolean;
  encode(data: unknown): string | ArrayBuffer | Uint8Array;
  decode(data: string | ArrayBuffer | Uint8Array): unknown;
}

type WampyOptions = NonNullable<ConstructorParameters<typeof Wampy>[1]>;

/**
 * Wraps a wampy serializer to remember the last GOODBYE/ABORT the router sent, and every message the
 * client sends.
 */
class TappingSerializer implements WampySerializer {
  lastClosing: { type: 3 | 6; reason: string; details: Record<string, unknown> } | null = null;
  readonly sent: unknown[][] = [];

  constructor(private readonly inner: WampySerializer) {}

  get protocol(): string {
    return this.inner.protocol;
  }

  get isBinary(): boolean {
    return this.inner.isBinary;
  }

  encode(data: unknown): string | ArrayBuffer | Uint8Array {
    if (Array.isArray(data)) this.sent.push(data as unknown[]);
    return this.inner.encode(data);
  }

  decode(data: string | ArrayBuffer | Uint8Array): unknown {
    const msg = this.inner.decode(data);
    if (Array.isArray(msg) && (msg[0] === 3 || msg[0] === 6) && typeof msg[2] === 'string') {
      this.lastClosing = { type: msg[0], reason: msg[2], details: asRecord(msg[1]) };
    }
    return msg;
  }
}

function wampySerializer(name: WampSerializerName): WampySerializer {
  switch (name) {
    case 'json':
      return new JsonSerializer();
    case 'msgpack':
      return new MsgpackSerializer();
    case 'cbor':
      return new CborSerializer();
  }
}

export interface WampyOpenOptions extends OpenOptions {
  /** Extra Wampy options, e.g. { authid, authmethods, onChallenge }. */
  wampyOptions?: Partial<WampyOptions>;
}

async function wampyOpen(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: WampyOpenOptions,
): Promise<OpenOutcome<Wampy>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tap = new TappingSerializer(wampySerializer(serializer));
  let opened = false;
  let leaving = false;
  const closed = deferred<ClosedInfo>();
  const socketClosed = deferred<void>();

  const wampy = new Wampy(url, {
    ws: WsWebSocket as unknown as WampyOptions['ws'],
    realm,
    serializer: tap,
    autoReconnect: false,
    onError: () => undefined,
    ...options.wampyOptions,
    onClose: () => {
      socketClosed.resolve();
      if (opened) {
        const c = tap.lastClosing;
        closed.resolve({
          reason: c ? c.reason : null,
          message: c ? asStringOrNull(c.details.message) : null,
          initiatedByClient: leaving,
        });
      }
    },
  });

  let details: Record<string, unknown>;
  try {
    details = asRecord(
      await withTimeout(wampy.connect(), timeoutMs, `wampy open ${url} realm ${realm} (${serializer})`),
    );
  } catch (e: unknown) {
    const c = tap.lastClosing;
    if (c && c.type === 3) {
      await withTimeout(socketClosed.promise, timeoutMs, 'wampy socket close after ABORT').catch(
        () => undefined,
      );
      return {
        kind: 'aborted',
        abort: { reason: c.reason, message: asStringOrNull(c.details.message), details: c.details },
      };
    }
    try {
      wampy.abort();
    } catch {
      // no socket
    }
    throw e;
  }
  opened = true;

  const close = async (): Promise<string> => {
    if (wampy.getSessionId() !== null) {
      leaving = true;
      // wampy sends [6, {}, "wamp.close.system_shutdown"] and resolves when the socket has closed.
      await withTimeout(wampy.disconnect(), timeoutMs, 'wampy leave (GOODBYE reply)');
    }
    const info = await withTimeout(closed.promise, timeoutMs, 'wampy close');
    if (info.reason === null) throw new Error('wampy: transport closed without GOODBYE');
    return info.reason;
  };

  return {
    kind: 'open',
    session: {
      sessionId: toIdNumber(wampy.getSessionId()),
      details,
      client: wampy,
      sent: tap.sent,
      closed: closed.promise,
      close,
      // with a session open, abort() only closes the socket (no GOODBYE, no ABORT)
      drop: () => {
        try {
          wampy.abort();
        } catch {
          // no socket
        }
      },
    },
  };
}

/** npm `wampy-cra` 0.2.0 (CommonJS, Node build: node:crypto). */
export interface WampyCra {
  /** An `onChallenge(method, info)` for wampcra: salted when the CHALLENGE carries `salt`. */
  sign(secret: string): (method: string, info: Record<string, unknown>) => string;
  deriveKey(secret: string, salt: string, iterations?: number, keylen?: number): string;
  signManual(key: string, challenge: string): string;
}

/** npm `wampy-cryptosign` 0.1.0 (CommonJS, tweetnacl). */
export interface WampyCryptosign {
  /** An `onChallenge(method, info)` for cryptosign; `privateKey` is a hex seed (32 bytes) or secret key (64). */
  sign(privateKey: string): (method: string, info: Record<string, unknown>) => string;
}

export function wampyCra(): WampyCra {
  const m = asRecord(createRequire(import.meta.url)('wampy-cra'));
  if (typeof m.sign !== 'function' || typeof m.deriveKey !== 'function')
    throw new Error('wampy-cra did not load');
  return m as unknown as WampyCra;
}

export function wampyCryptosign(): WampyCryptosign {
  const m = asRecord(createRequire(import.meta.url)('wampy-cryptosign'));
  if (typeof m.sign !== 'function') throw new Error('wampy-cryptosign did not load');
  return m as unknown as WampyCryptosign;
}

/** Opens a session with wampy 8; rejects with SessionAbortedError if the router aborts. */
export async function openWampySession(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: WampyOpenOptions = {},
): Promise<RealClientSession<Wampy>> {
  const r = await wampyOpen(url, realm, serializer, options);
  if (r.kind === 'aborted') throw new SessionAbortedError(r.abort.reason, r.abort.details, 'wampy');
  return r.session;
}

/** Expects the router to refuse the session: resolves with the ABORT wampy received. */
export async function rejectedWampyOpen(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: WampyOpenOptions = {},
): Promise<AbortInfo> {
  const r = await wampyOpen(url, realm, serializer, options);
  if (r.kind === 'aborted') return r.abort;
  await r.session.close().catch(() => undefined);
  throw new Error(`wampy: expected ABORT but session ${r.session.sessionId} opened`);
}

// ---------------------------------------------------------------------------------------------
// Autobahn|Python 22.7.1 (asyncio)

/** The interpreter with Debian's python3-autobahn; `WAMP_TEST_PYTHON` overrides it (e.g. to check the skip path). */
export const PYTHON = process.env.WAMP_TEST_PYTHON ?? '/usr/bin/python3';
export const PYTHON_CLIENT_SCRIPT = fileURLToPath(new URL('./python_client.py', import.meta.url));

const pythonModules: Record<WampSerializerName, string> = {
  json: 'autobahn.asyncio.wamp',
  msgpack: 'autobahn.asyncio.wamp, msgpack',
  cbor: 'autobahn.asyncio.wamp, cbor2',
};
const pythonAvailability = new Map<string, boolean>();

/**
 * True if /usr/bin/python3 can import Autobahn (and, given a serializer, the library it needs:
 * msgpack for msgpack, cbor2 for cbor). Cached per process.
 */
export function pythonAutobahnAvailable(serializer: WampSerializerName = 'json'): boolean {
  const mods = pythonModules[serializer];
  const cached = pythonAvailability.get(mods);
  if (cached !== undefined) return cached;
  const r = spawnSync(PYTHON, ['-c', `import ${mods}`], { stdio: 'ignore', timeout: 10000 });
  const ok = r.status === 0;
  pythonAvailability.set(mods, ok);
  return ok;
}

export interface PythonClientResult {
  /** Session id from WELCOME, if the session was established. */
  joined?: number;
  /** Python type of the session id Autobahn|Python decoded: `int` (a float would have been refused). */
  idType?: string;
  authmethod?: string;
  authid?: string;
  authrole?: string;
  /** WELCOME.Details.authprovider / authextra as Autobahn|Python's SessionDetails give them. */
  authprovider?: string;
  authextra?: Record<string, unknown> | null;
  /** With `actions.auth`: every CHALLENGE the client received (method and extra). */
  challenges: { method: string; extra: Record<string, unknown> }[];
  /** With `actions.auth` for SCRAM: what the script patched in Autobahn's AuthScram (see python_client.py). */
  authPatches?: string[];
  realm?: string;
  /** Every message the client serialized, as lists (bytes as Buffers), in order (HELLO first). */
  sent: unknown[][];
  /** Subscription id, when `actions.subscribe` was given and SUBSCRIBED arrived (the last topic's). */
  subscription?: number;
  /** Subscription id per topic of `actions.subscribe`, once SUBSCRIBED arrived. */
  subscriptions: Record<string, number>;
  /** Publication id, when `actions.publish` was given and PUBLISHED arrived. */
  publication?: number;
  /** Events received on the subscription, in order (bytes as Buffers). */
  received: PythonEvent[];
  /** Every message the client decoded, as lists (bytes as Buffers), in order (WELCOME first). */
  recv: unknown[][];
  /** Outcomes of `actions.call`, in the order the calls ended. */
  calls: PythonCallOutcome[];
  /** Progressive results delivered to `on_progress`, in order. */
  progress: PythonCallProgress[];
  /** Reason of the GOODBYE/ABORT that ended the session (router's GOODBYE reply or ABORT reason). */
  leftReason?: string;
  leftMessage?: string;
  /** Set when the client failed (connection refused, timeout, bad serializer, ...). */
  error?: string;
  /** Every JSON line the script printed, in order. */
  events: Record<string, unknown>[];
  exitCode: number | null;
  /** Everything the script printed, JSON lines and Autobahn's own log lines (e.g. tracebacks). */
  stdout: string;
  stderr: string;
}

/** One EVENT as Autobahn|Python handed it to the subscriber (bytes as Buffers). */
export interface PythonEvent {
  args: unknown[];
  kwargs: Record<string, unknown>;
  publication: number | null;
  /** `EventDetails.publisher` (only when the publisher disclosed itself), else null. */
  publisher?: number | null;
  publisher_authid?: string | null;
  publisher_authrole?: string | null;
  /** `EventDetails.topic`: the EVENT's Details.topic, else the subscribed topic. */
  topic?: string | null;
  /** Python type names of `args` and `kwargs` values as the handler got them, e.g. `bytes`. */
  argTypes?: string[];
  kwargTypes?: Record<string, string>;
}

/** One CALL made by the Python client (`actions.call`). */
export interface PythonCallSpec {
  procedure: string;
  /** Names the call in the outcome; default the procedure. Must be unique within one run. */
  tag?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** `CallOptions(on_progress=...)`: Autobahn then sends `receive_progress: true`. */
  receive_progress?: boolean;
  /** `CallOptions(timeout=...)`, an int: sent as is, so the router reads milliseconds. */
  timeout?: number;
  /** Cancel the call's Future this long after the CALL (Autobahn sends CANCEL without a mode). */
  cancel_after_ms?: number;
  /** Close the transport (no GOODBYE) this long after the CALL. */
  disconnect_after_ms?: number;
  /** Cancel the call's Future once this many progressive results arrived (with `receive_progress`). */
  cancel_after_progress?: number;
  /** Longest wait for the outcome (default 4000 ms), then it is reported `pending`. */
  wait_ms?: number;
}

/** How one call ended, as the Python application saw it. */
export type PythonCallOutcome =
  | { tag: string; outcome: 'result'; type: 'value'; value: unknown }
  | {
      tag: string;
      outcome: 'result';
      type: 'CallResult';
      results: unknown[];
      kwresults: Record<string, unknown>;
    }
  | { tag: string; outcome: 'result'; type: 'none' }
  | {
      tag: string;
      outcome: 'error';
      /** Python class name, e.g. `ApplicationError`. */
      exception: string;
      text: string;
      /** `ApplicationError.error`, `.args`, `.kwargs` (only for ApplicationError). */
      uri?: string;
      args?: unknown[];
      kwargs?: Record<string, unknown>;
    }
  | { tag: string; outcome: 'cancelled'; exception: 'CancelledError' }
  /** No answer within `wait_ms`, or none before the session ended. */
  | { tag: string; outcome: 'pending' };

/** One progressive result, as `on_progress(*args, **kwargs)` got it. */
export interface PythonCallProgress {
  tag: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** What the Python client does once joined, in this order (see python_client.py). */
export interface PythonClientActions {
  /**
   * Authenticate with Autobahn|Python's own authenticator for `method` (see python_client.py "auth").
   * HELLO offers `authmethods` (default `[method]`).
   */
  auth?: PythonAuthSpec;
  /** Subscribe to this topic, or to each (the `subscribed` event is emitted once SUBSCRIBED arrived). */
  subscribe?: string | string[];
  /** Then stay joined until this many events arrived (at most `holdMs`, default 5000 ms). */
  events?: number;
  /**
   * Register these procedures (each prints `registered`; every invocation prints `invoked`), before publishing
   * and calling; see python_client.py "register" for the behaviors.
   */
  register?: PythonRegisterSpec[];
  /** Publish with acknowledge. Uint8Arrays are sent as Python `bytes`. */
  publish?: { topic: string; args?: unknown[]; kwargs?: Record<string, unknown> };
  /**
   * Then these calls, step after step: a step is one call or a list of calls started together, and ends
   * when all of them ended. Stops early if the session ends.
   */
  call?: (PythonCallSpec | PythonCallSpec[])[];
  /**
   * After the calls, stay joined until an EVENT on `topic` whose kwargs contain `kwargs` arrived (at most
   * `holdMs`, default 5000 ms).
   */
  until_event?: { topic: string; kwargs?: Record<string, unknown> };
}

/** One procedure the Python client registers (python_client.py "register"). */
export interface PythonRegisterSpec {
  procedure: string;
  behavior: 'echo' | 'add' | 'fail' | 'stream' | 'wait';
  match?: 'exact' | 'prefix' | 'wildcard';
  invoke?: 'single' | 'roundrobin' | 'random' | 'first' | 'last';
}

/** How the Python client authenticates (python_client.py "auth"). */
export type PythonAuthSpec = {
  authid?: string;
  authrole?: string;
  authextra?: Record<string, unknown>;
  authmethods?: string[];
} & (
  | { method: 'ticket'; ticket: string }
  | { method: 'wampcra'; secret: string }
  /** `privkey`: the 32-byte Ed25519 seed, hex. */
  | { method: 'cryptosign'; privkey: string }
  /**
   * `scram_pbkdf2_salt`: how the patched pbkdf2 branch of AuthScram uses the CHALLENGE's salt: decoded
   * from base64 (default) or as its UTF-8 text; `unpatched` leaves Autobahn 22.7.1's code as is.
   */
  | { method: 'scram'; password: string; scram_pbkdf2_salt?: 'base64' | 'utf8' | 'unpatched' }
);

/**
 * True if /usr/bin/python3 has what Autobahn|Python needs for cryptosign (PyNaCl). Cached per process.
 */
export function pythonCryptosignAvailable(): boolean {
  if (pythonNaclAvailable === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import autobahn.asyncio.wamp, nacl'], {
      stdio: 'ignore',
      timeout: 10000,
    });
    pythonNaclAvailable = r.status === 0;
  }
  return pythonNaclAvailable;
}
let pythonNaclAvailable: boolean | undefined;

/**
 * True if /usr/bin/python3 has argon2-cffi, which Autobahn|Python's AuthScram needs for `argon2id-13`
 * (and, unpatched, for any SCRAM). Cached per process.
 */
export function pythonArgon2Available(): boolean {
  if (pythonArgon2 === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import argon2, passlib'], { stdio: 'ignore', timeout: 10000 });
    pythonArgon2 = r.status === 0;
  }
  return pythonArgon2;
}
let pythonArgon2: boolean | undefined;

/**
 * `{ __result__: tag, path }` as an arg or kwarg value of a call: replaced, when the call is made, by the
 * result of the earlier call `tag` (its first result arg) indexed by `path`. Understood by the Python and
 * the thruway.js drivers.
 */
export function resultOf(
  tag: string,
  ...path: (string | number)[]
): { __result__: string; path: (string | number)[] } {
  return { __result__: tag, path };
}

export interface PythonClientOptions {
  /** Stay joined this long before leaving (max 5000 ms); a router GOODBYE ends it earlier. */
  holdMs?: number;
  /** Kill the process after this long (default 10000 ms; the script itself gives up after 9 s). */
  timeoutMs?: number;
  actions?: PythonClientActions;
  /**
   * Called for every JSON line as soon as the script prints it (e.g. `joined`, `subscribed`), to
   * synchronise with the running client. Bytes are Buffers.
   */
  onEvent?: (event: Record<string, unknown>) => void;
}

/** Uint8Array -> {"__bytes__": base64}, the script's JSON spelling of Python bytes. */
function bytesToPython(v: unknown): unknown {
  // Exact in Python, whatever its size (python_client.py reads it back as an int).
  if (typeof v === 'bigint') return { __int__: v.toString() };
  if (v instanceof Uint8Array) {
    return { __bytes__: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(bytesToPython);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytesToPython(x)]));
  return v;
}

/** {"__bytes__": base64} -> Buffer. */
function bytesFromPython(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(bytesFromPython);
  if (isRecord(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '__bytes__' && typeof v.__bytes__ === 'string') {
      return Buffer.from(v.__bytes__, 'base64');
    }
    if (keys.length === 1 && keys[0] === '__int__' && typeof v.__int__ === 'string') return BigInt(v.__int__);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytesFromPython(x)]));
  }
  return v;
}

/** A JSON line of a driver's output as a record, or undefined for anything else (a traceback, a log line). */
function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const ev: unknown = JSON.parse(line);
    return isRecord(ev) ? ev : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Feeds a driver's stdout chunks to `onEvent` one parsed line at a time, as they arrive (a line may span
 * chunks). A throwing callback must not become an uncaught exception in the stream handler.
 */
function lineHandler(
  parse: (line: string) => Record<string, unknown> | undefined,
  onEvent: (event: Record<string, unknown>) => void,
): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const ev = line.trim() ? parse(line) : undefined;
      if (!ev) continue;
      try {
        onEvent(ev);
      } catch {
        // ignored: see above
      }
    }
  };
}

function asIdOrNull(v: unknown): number | null {
  return typeof v === 'number' || typeof v === 'bigint' ? toIdNumber(v) : null;
}

/** Runs Autobahn|Python: join, (actions), (hold), leave. Never rejects; failures land in `error`. */
export function runPythonClient(
  url: string,
  realm: string,
  serializer: WampSerializerName,
  options: PythonClientOptions = {},
): Promise<PythonClientResult> {
  const args = [PYTHON_CLIENT_SCRIPT, url, realm, serializer];
  if (options.holdMs !== undefined || options.actions) {
    args.push(String(Math.min(Math.max(0, options.holdMs ?? 0), 5000)));
  }
  if (options.actions) args.push(JSON.stringify(bytesToPython(options.actions)));
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedForTimeout = false;
    const parseLine = (line: string): Record<string, unknown> | undefined => {
      if (!line.trim()) return undefined;
      let ev: unknown;
      try {
        ev = JSON.parse(line);
      } catch {
        return undefined; // Autobahn may log tracebacks to stdout
      }
      return isRecord(ev) ? (bytesFromPython(ev) as Record<string, unknown>) : undefined;
    };
    const onLine = options.onEvent && lineHandler(parseLine, options.onEvent);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onLine?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killedForTimeout = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10000);
    let finished = false;
    const finish = (exitCode: number | null, spawnError?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const result: PythonClientResult = {
        events: [],
        sent: [],
        recv: [],
        calls: [],
        progress: [],
        received: [],
        subscriptions: {},
        challenges: [],
        exitCode,
        stdout,
        stderr,
      };
      for (const line of stdout.split('\n')) {
        const ev = parseLine(line);
        if (!ev) continue;
        result.events.push(ev);
        if ('joined' in ev) {
          result.joined = toIdNumber(ev.joined);
          if (typeof ev.idtype === 'string') result.idType = ev.idtype;
          if (typeof ev.authmethod === 'string') result.authmethod = ev.authmethod;
          if (typeof ev.authid === 'string') result.authid = ev.authid;
          if (typeof ev.authrole === 'string') result.authrole = ev.authrole;
          if (typeof ev.realm === 'string') result.realm = ev.realm;
          if (typeof ev.authprovider === 'string') result.authprovider = ev.authprovider;
          if ('authextra' in ev) result.authextra = isRecord(ev.authextra) ? ev.authextra : null;
        }
        if (isRecord(ev.challenge) && typeof ev.challenge.method === 'string') {
          result.challenges.push({ method: ev.challenge.method, extra: asRecord(ev.challenge.extra) });
        }
        if (Array.isArray(ev.auth_patches)) result.authPatches = ev.auth_patches.map(String);
        if (Array.isArray(ev.sent)) result.sent.push(ev.sent as unknown[]);
        if (Array.isArray(ev.recv)) result.recv.push(ev.recv as unknown[]);
        if (isRecord(ev.call) && typeof ev.call.tag === 'string' && typeof ev.call.outcome === 'string') {
          result.calls.push(ev.call as unknown as PythonCallOutcome);
        }
        if (isRecord(ev.call_progress) && typeof ev.call_progress.tag === 'string') {
          result.progress.push({
            tag: ev.call_progress.tag,
            args: Array.isArray(ev.call_progress.args) ? ev.call_progress.args : [],
            kwargs: asRecord(ev.call_progress.kwargs),
          });
        }
        if ('subscribed' in ev) {
          result.subscription = asIdOrNull(ev.subscription) ?? undefined;
          if (typeof ev.subscribed === 'string' && result.subscription !== undefined) {
            result.subscriptions[ev.subscribed] = result.subscription;
          }
        }
        if ('published' in ev) result.publication = asIdOrNull(ev.published) ?? undefined;
        if (isRecord(ev.event)) {
          const e = ev.event;
          result.received.push({
            args: Array.isArray(e.args) ? e.args : [],
            kwargs: asRecord(e.kwargs),
            publication: asIdOrNull(e.publication),
            publisher: asIdOrNull(e.publisher),
            publisher_authid: asStringOrNull(e.publisher_authid),
            publisher_authrole: asStringOrNull(e.publisher_authrole),
            topic: asStringOrNull(e.topic),
            argTypes: Array.isArray(e.arg_types) ? e.arg_types.map(String) : [],
            kwargTypes: Object.fromEntries(
              Object.entries(asRecord(e.kwarg_types)).map(([k, v]) => [k, String(v)]),
            ),
          });
        }
        if (typeof ev.left === 'string') {
          result.leftReason = ev.left;
          if (typeof ev.message === 'string') result.leftMessage = ev.message;
        }
        if (typeof ev.error === 'string' && result.error === undefined) result.error = ev.error;
      }
      if (spawnError) result.error = `spawn failed: ${spawnError.message}`;
      else if (killedForTimeout) result.error = result.error ?? 'killed after timeout';
      resolve(result);
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

// ---------------------------------------------------------------------------------------------
// thruway.js 2.0.7 (RxJS 5), run as a child process

/**
 * The separate npm folder with thruway.js and its peer rxjs 5 (kept apart from the project's rxjs 7:
 * `npm ci --prefix test/interop/thruway-client`), and the driver script in it (see driver.js).
 */
export const THRUWAY_CLIENT_DIR = fileURLToPath(new URL('../interop/thruway-client/', import.meta.url));
export const THRUWAY_DRIVER_SCRIPT = fileURLToPath(
  new URL('../interop/thruway-client/driver.js', import.meta.url),
);

/**
 * Null if thruway.js 2.0.7 and rxjs 5 are installed in {@link THRUWAY_CLIENT_DIR}, else why not (to put in a
 * skipped test's name). Cached per process.
 */
export function thruwaySkipReason(): string | null {
  if (thruwaySkip !== undefined) return thruwaySkip;
  const require = createRequire(THRUWAY_DRIVER_SCRIPT);
  const versionOf = (name: string): string | undefined => {
    try {
      const pkg: unknown = require(`${name}/package.json`);
      return isRecord(pkg) && typeof pkg.version === 'string' ? pkg.version : undefined;
    } catch {
      return undefined;
    }
  };
  const thruway = versionOf('thruway.js');
  const rxjs = versionOf('rxjs');
  thruwaySkip =
    thruway === '2.0.7' && rxjs?.startsWith('5.')
      ? null
      : `SKIPPED: thruway.js 2.0.7 with rxjs 5 is not installed in test/interop/thruway-client ` +
        `(found thruway.js ${thruway ?? 'none'}, rxjs ${rxjs ?? 'none'}; run npm ci --prefix test/interop/thruway-client)`;
  return thruwaySkip;
}
let thruwaySkip: string | null | undefined;

/** One CALL made by the thruway.js driver. Placeholders: see {@link resultOf}. */
export interface ThruwayCallSpec {
  procedure: string;
  /** Names the call in the outcome; default the procedure. Unique within one run. */
  tag?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Use `client.progressiveCall` (sends `receive_progress: true`) instead of `client.call`. */
  receive_progress?: boolean;
  /** Unsubscribe the call's Rx subscription once this many values arrived (thruway.js then sends CANCEL). */
  cancel_after_progress?: number;
  /** Unsubscribe this long after the call started. */
  cancel_after_ms?: number;
  /** Longest wait for the outcome (default 4000 ms), then it is reported `pending`. */
  wait_ms?: number;
}

/** One value a thruway.js call Observable emitted (a ResultMessage's args and argskw). */
export interface ThruwayCallValue {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * How one thruway.js call ended. `values` are all the values its Observable emitted: thruway.js deletes
 * `details.progress`, so progressive results and the final one look alike (the final one is the last).
 */
export type ThruwayCallOutcome =
  | {
      tag: string;
      outcome: 'result';
      values: ThruwayCallValue[];
      args: unknown[];
      kwargs: Record<string, unknown>;
    }
  | {
      tag: string;
      outcome: 'error';
      values: ThruwayCallValue[];
      /** `WampErrorException.errorUri`; null for a non-WAMP error (then `message`). */
      uri: string | null;
      /** `WampErrorException.args`, as the application gets them. */
      args?: unknown[];
      /** `WampErrorException.argskw`, as the application gets them. */
      kwargs?: Record<string, unknown>;
      message?: string;
    }
  /** The test unsubscribed. */
  | { tag: string; outcome: 'cancelled'; values: ThruwayCallValue[] }
  | { tag: string; outcome: 'pending'; values: ThruwayCallValue[] };

export interface ThruwayEvent {
  topic: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  publication: number | null;
}

/** What the thruway.js driver does once the session is open, in this order (see driver.js). */
export interface ThruwayClientActions {
  subscribe?: string | string[];
  call?: (ThruwayCallSpec | ThruwayCallSpec[])[];
  /** Then wait until an EVENT on `topic` whose kwargs contain `kwargs` arrived (at most `hold_ms`). */
  until_event?: { topic: string; kwargs?: Record<string, unknown> };
  /** Longest wait for `until_event` (default 3000 ms), or how long to stay without it. */
  hold_ms?: number;
  /** Register these procedures first (each prints `registered`; see driver.js "register"). */
  register?: { procedure: string; behavior: 'echo' | 'add' | 'fail' | 'stream' | 'wait' }[];
}

export interface ThruwayClientResult {
  /** Session id from WELCOME. */
  joined?: number;
  /** WELCOME.Details. */
  details?: Record<string, unknown>;
  /** Every WAMP message the client sent / received, as raw arrays, in order (HELLO / WELCOME first). */
  sent: unknown[][];
  recv: unknown[][];
  /** Subscription id per topic, once SUBSCRIBED arrived. */
  subscriptions: Record<string, number>;
  received: ThruwayEvent[];
  /** Outcomes of `actions.call`, in the order the calls ended. */
  calls: ThruwayCallOutcome[];
  /** True when the driver closed the client and its socket closed. */
  closed: boolean;
  /** Set when the driver failed (connection refused, timeout, no SUBSCRIBED, ...). */
  error?: string;
  /** Every JSON line the driver printed, in order. */
  events: Record<string, unknown>[];
  exitCode: number | null;
  stdout: string;
  /** thruway.js's own console.log lines ("WebSocket connection has opened", "closing socket"). */
  stderr: string;
}

/** Runs the thruway.js driver (json only): join, (actions), close. Never rejects; failures land in `error`. */
export function runThruwayClient(
  url: string,
  realm: string,
  options: {
    actions?: ThruwayClientActions;
    timeoutMs?: number;
    /** Called for every JSON line as soon as the driver prints it (e.g. `registered`). */
    onEvent?: (event: Record<string, unknown>) => void;
  } = {},
): Promise<ThruwayClientResult> {
  const args = [THRUWAY_DRIVER_SCRIPT, url, realm, JSON.stringify(options.actions ?? {})];
  return new Promise((resolve) => {
    // cwd: the driver's folder, so that it resolves thruway.js, rxjs 5 and ws 6 from there
    const child = spawn(process.execPath, args, {
      cwd: THRUWAY_CLIENT_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killedForTimeout = false;
    const onLine = options.onEvent && lineHandler(parseJsonLine, options.onEvent);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onLine?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killedForTimeout = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 13000);
    let finished = false;
    const finish = (exitCode: number | null, spawnError?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const result: ThruwayClientResult = {
        sent: [],
        recv: [],
        subscriptions: {},
        received: [],
        calls: [],
        closed: false,
        events: [],
        exitCode,
        stdout,
        stderr,
      };
      for (const line of stdout.split('\n')) {
        let ev: unknown;
        try {
          ev = JSON.parse(line);
        } catch {
          continue;
        }
        if (!isRecord(ev)) continue;
        result.events.push(ev);
        if ('joined' in ev) {
          result.joined = asIdOrNull(ev.joined) ?? undefined;
          result.details = asRecord(ev.details);
        }
        if (Array.isArray(ev.sent)) result.sent.push(ev.sent as unknown[]);
        if (Array.isArray(ev.recv)) result.recv.push(ev.recv as unknown[]);
        if (typeof ev.subscribed === 'string') {
          const id = asIdOrNull(ev.subscription);
          if (id !== null) result.subscriptions[ev.subscribed] = id;
        }
        if (isRecord(ev.event) && typeof ev.event.topic === 'string') {
          result.received.push({
            topic: ev.event.topic,
            args: Array.isArray(ev.event.args) ? ev.event.args : [],
            kwargs: asRecord(ev.event.kwargs),
            publication: asIdOrNull(ev.event.publication),
          });
        }
        if (isRecord(ev.call) && typeof ev.call.tag === 'string' && typeof ev.call.outcome === 'string') {
          result.calls.push(ev.call as unknown as ThruwayCallOutcome);
        }
        if (ev.closed === true) result.closed = true;
        if (typeof ev.error === 'string' && result.error === undefined) result.error = ev.error;
      }
      if (spawnError) result.error = `spawn failed: ${spawnError.message}`;
      else if (killedForTimeout) result.error = result.error ?? 'killed after timeout';
      resolve(result);
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

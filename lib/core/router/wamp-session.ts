import { quoteUri } from '../protocol/quote-uri.js';
import { decodeMessage } from '../protocol/message-decoder.js';
import { WampMessageType } from '../protocol/message-type.enum.js';
import type {
  AuthenticateMessage,
  HelloDetails,
  HelloMessage,
  WampArgs,
  WampDict,
  WampKwargs,
  WampMessage,
} from '../protocol/wamp-message.interface.js';
import { WampProtocolError } from '../protocol/wamp-protocol.error.js';
import { WampCloseUri, WampErrorUri } from '../protocol/wamp-uris.js';
import { isValidId, MAX_ID } from '../protocol/wamp-id.js';
import { SerializationError } from '../serializers/serialization.error.js';
import { WampAbortError } from './wamp-abort.error.js';
import type { WampChallengeResponse, WampIdentity } from './wamp-authenticator.interface.js';
import type { WampAction, WampAuthorizer } from './wamp-authorizer.interface.js';
import type { ConnectionCloseReason, WampConnection } from './wamp-connection.interface.js';
import type { OutgoingEvent } from './outgoing-event.js';
import type { WampPeer } from './wamp-peer.interface.js';
import type { WampRealm } from './wamp-realm.js';
import type { WampRouterContext } from './wamp-router-context.interface.js';
import type { WampTransportInfo } from './wamp-transport-info.interface.js';

/**
 * Where a session is in its life:
 * - `hello`: transport open, waiting for HELLO;
 * - `authenticating`: CHALLENGE sent (or an authenticator is deciding), waiting for it;
 * - `established`: WELCOME sent, requests are served;
 * - `closing`: the router sent GOODBYE and waits for the reply;
 * - `closed`: state disposed, anything that still arrives is ignored.
 */
export type WampSessionState = 'hello' | 'authenticating' | 'established' | 'closing' | 'closed';

/**
 * The client's requests: their IDs come from the client's one sequential counter, and the router answers
 * them with ERROR (so a size or URI problem is reported to the request rather than aborting).
 */
const CLIENT_REQUEST_TYPES: ReadonlySet<WampMessageType> = new Set([
  WampMessageType.PUBLISH,
  WampMessageType.SUBSCRIBE,
  WampMessageType.UNSUBSCRIBE,
  WampMessageType.CALL,
  WampMessageType.REGISTER,
  WampMessageType.UNREGISTER,
]);

/** Messages a session may queue while an asynchronous authorization is pending. */
const MAX_HELD_MESSAGES = 1024;

/** The action each authorized request type asks for. */
const ACTION_OF: ReadonlyMap<WampMessageType, WampAction> = new Map([
  [WampMessageType.CALL, 'call'],
  [WampMessageType.REGISTER, 'register'],
  [WampMessageType.SUBSCRIBE, 'subscribe'],
  [WampMessageType.PUBLISH, 'publish'],
]);

/**
 * The role features the router acts on, as `role.feature`. Only these are kept from HELLO: a client announcing
 * thousands of features must not make its session hold them.
 */
const FEATURES_READ: readonly (readonly [role: string, feature: string])[] = [
  ['callee', 'call_canceling'],
  ['callee', 'progressive_call_results'],
  ['callee', 'progressive_call_invocations'],
];

/** Shared by every session that announced no feature the router reads. */
const NO_FEATURES: ReadonlySet<string> = new Set();

interface PendingChallenge {
  resolve(response: WampChallengeResponse): void;
  reject(error: Error): void;
}

/**
 * One WAMP session, router side: the state machine of the spec's session lifecycle (HELLO, optional
 * CHALLENGE/AUTHENTICATE, WELCOME, GOODBYE/ABORT) on top of one connection, and the dispatcher of an
 * established session's requests to its realm's broker and dealer.
 *
 * Every protocol violation ends the session the same way: ABORT `wamp.error.protocol_violation` with a
 * readable message, state disposed, later input ignored, transport closed. Nothing a client sends can
 * throw out of {@link WampSession.handleFrame}.
 */
export class WampSession implements WampPeer {
  /** Session ID announced in WELCOME (random in [1, 2^53 - 1]). */
  readonly id: number;
  private currentState: WampSessionState = 'hello';
  private realmJoined?: WampRealm;
  private grantedIdentity?: WampIdentity;
  private hello?: HelloDetails;
  private announcedFeatures: ReadonlySet<string> = NO_FEATURES;
  private expectedRequestId = 1;
  private pendingChallenge?: PendingChallenge;
  private handshakeTimer?: NodeJS.Timeout;
  private goodbyeTimer?: NodeJS.Timeout;
  private goodbyeReplied?: () => void;
  /** Created when first asked for: most sessions never look at their signal, and each one costs memory. */
  private lifetime?: AbortController;
  private ended = false;
  /** Raw messages received while an asynchronous authorization is pending, in arrival order. */
  private held?: unknown[];

  constructor(
    /** The connection this session speaks over. */
    readonly connection: WampConnection,
    private readonly router: WampRouterContext,
  ) {
    this.id = router.ids.next();
    const { helloTimeout } = router.options;
    if (helloTimeout > 0) {
      this.handshakeTimer = setTimeout(() => this.onHandshakeTimeout(), helloTimeout);
      this.handshakeTimer.unref();
    }
  }

  /** Where the session is in its lifecycle. */
  get state(): WampSessionState {
    return this.currentState;
  }

  /** The name of the realm joined (set once WELCOME was sent). */
  get realm(): string | undefined {
    return this.realmJoined?.name;
  }

  /** The realm joined, with its broker, dealer and authorizer (set once WELCOME was sent). */
  get joinedRealm(): WampRealm | undefined {
    return this.realmJoined;
  }

  /** Who the authenticator said this session is (set once WELCOME was sent). */
  get identity(): WampIdentity | undefined {
    return this.grantedIdentity;
  }

  /** The role features announced in HELLO that the router acts on (see {@link WampPeer.features}). */
  get features(): ReadonlySet<string> {
    return this.announcedFeatures;
  }

  /** HELLO.Details as the client sent them (untrusted), while the session is being established. */
  get helloDetails(): HelloDetails | undefined {
    return this.hello;
  }

  /** The transport the session arrived on. */
  get transport(): WampTransportInfo {
    return this.connection.transport;
  }

  /** Fires when the session ends, however it ends (GOODBYE, ABORT, violation, transport loss, shutdown). */
  get signal(): AbortSignal {
    if (!this.lifetime) {
      this.lifetime = new AbortController();
      if (this.ended) this.lifetime.abort();
    }
    return this.lifetime.signal;
  }

  /** Whether the session is established: WELCOME sent, not closing or closed. */
  get isOpen(): boolean {
    return this.currentState === 'established';
  }

  /**
   * Hands an EVENT to the connection in this session's encoding (cached in the event for every peer of the same
   * serializer); skipped when the event cannot be encoded with it (the event reported why) or the session is gone.
   */
  deliverEvent(event: OutgoingEvent): boolean {
    if (this.currentState === 'closed') return false;
    const frame = event.frameFor(this.connection.serializer);
    if (frame === undefined) return false;
    this.connection.sendEvent(frame);
    return true;
  }

  /** Sends an EVENT on `topic` on each of this session's subscriptions matching it; see {@link WampPeer.sendEvent}. */
  sendEvent(topic: string, args?: WampArgs, kwargs?: WampKwargs): number {
    return this.realmJoined?.broker.sendToSession(this, topic, args, kwargs) ?? 0;
  }

  /**
   * Sends one message unless the session is closed (then it is dropped: the peer is gone). Returns `false`
   * when the message cannot be encoded for this session's serializer (a value from application code that the
   * format cannot carry, such as a bigint beyond 64 bits or nesting too deep); that is logged, and the caller
   * decides what the peer gets instead. Never throws.
   */
  send(message: WampMessage): boolean {
    if (this.currentState === 'closed') return true;
    try {
      this.connection.send(message);
      return true;
    } catch (error) {
      this.router.options.logger.error(
        `Session ${this.id}: cannot send ${messageName(message.type)} as ${this.connection.serializer.protocol}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      return false;
    }
  }

  /**
   * Handles one frame from the transport: checks the size limit, decodes it with the connection's
   * serializer, and processes each message it carries. Never throws.
   */
  handleFrame(frame: Buffer): void {
    if (this.currentState === 'closed') return;
    // Size first: a frame over the limit is refused without decoding it, whatever its bytes would cost.
    if (frame.length > this.router.options.maxPayload) {
      this.rejectOversized(frame);
      return;
    }
    let messages: unknown[];
    try {
      messages = this.connection.serializer.decode(frame);
    } catch (error) {
      const reason = error instanceof SerializationError ? error.message : 'undecodable frame';
      this.protocolViolation(`Frame is not valid ${this.connection.serializer.protocol}: ${reason}`);
      return;
    }
    for (let index = 0; index < messages.length && !this.isClosed(); index++) {
      this.receive(messages[index]);
    }
  }

  /** Processes one message (a raw array as the serializer produced it). Never throws. */
  receive(raw: unknown): void {
    if (this.currentState === 'closed') return;
    if (this.held) {
      if (this.held.length >= MAX_HELD_MESSAGES) {
        this.abort(WampErrorUri.RUNTIME_ERROR, 'Too many messages queued while authorization is pending.');
        return;
      }
      this.held.push(raw);
      return;
    }
    let message: WampMessage;
    try {
      message = decodeMessage(raw, this.router.decoderOptions);
    } catch (error) {
      this.onDecodeError(error, raw);
      return;
    }
    try {
      this.dispatch(message);
    } catch (error) {
      // A bug in a handler must not take the process (or other sessions) down with it.
      this.internalError(`handling message ${message.type}`, error);
    }
  }

  /** Logs an unexpected failure and ends this session with ABORT `wamp.error.runtime_error`. Never throws. */
  private internalError(activity: string, error: unknown): void {
    try {
      const stack = error instanceof Error ? error.stack : String(error);
      this.router.options.logger.error(`Session ${this.id}: internal error while ${activity}`, stack);
      this.abort(WampErrorUri.RUNTIME_ERROR, 'Internal router error.', 'protocol_error');
    } catch {
      // Nothing is left to report to: the session is as closed as it can be made.
    }
  }

  /**
   * Ends the session politely: sends GOODBYE with `reason`, waits for the client's GOODBYE (at most
   * `goodbyeTimeout` ms), then closes the transport. Resolves when the transport has been closed.
   */
  close(reason: string = WampCloseUri.CLOSE_REALM, message?: string): Promise<void> {
    if (this.currentState === 'closed') return Promise.resolve();
    if (this.currentState !== 'established') {
      // No session to say goodbye to yet: ABORT is the only close a joining client understands.
      this.abort(reason, message ?? 'The router closed the connection.');
      return Promise.resolve();
    }
    this.currentState = 'closing';
    this.connection.send({
      type: WampMessageType.GOODBYE,
      details: message === undefined ? {} : { message },
      reason,
    });
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(this.goodbyeTimer);
        this.goodbyeReplied = undefined;
        this.dispose('normal', 'goodbye');
        resolve();
      };
      this.goodbyeReplied = finish;
      this.goodbyeTimer = setTimeout(finish, this.router.options.goodbyeTimeout);
      this.goodbyeTimer.unref();
    });
  }

  /** Ends the session at once with ABORT `reason` and closes the transport. */
  abort(
    reason: string,
    message: string,
    closeReason: ConnectionCloseReason = 'normal',
    details: WampDict = {},
  ): void {
    if (this.currentState === 'closed') return;
    this.router.options.metrics?.aborted(reason);
    // Details may come from application code (an authenticator's WampAbortError): if they cannot be encoded,
    // the ABORT goes without them rather than the session staying open.
    if (!this.send({ type: WampMessageType.ABORT, details: { ...details, message }, reason })) {
      this.send({ type: WampMessageType.ABORT, details: { message }, reason });
    }
    this.dispose(closeReason, reason);
  }

  /** Ends the session with ABORT `wamp.error.protocol_violation` and the given explanation. */
  protocolViolation(message: string): void {
    this.abort(WampErrorUri.PROTOCOL_VIOLATION, message, 'protocol_error');
  }

  /** Called by the transport when the connection is gone: disposes the session without sending anything. */
  transportClosed(): void {
    if (this.currentState === 'closed') return;
    this.goodbyeReplied?.();
    this.dispose(undefined, 'transport closed');
  }

  /** Read through a method so TypeScript does not keep a narrowing that a nested call may have changed. */
  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  private dispatch(message: WampMessage): void {
    switch (this.currentState) {
      case 'hello':
        this.dispatchBeforeHello(message);
        return;
      case 'authenticating':
        this.dispatchWhileAuthenticating(message);
        return;
      case 'established':
        this.dispatchEstablished(message);
        return;
      case 'closing':
        // After sending GOODBYE, the spec has the router ignore everything but the GOODBYE reply.
        if (message.type === WampMessageType.GOODBYE) this.goodbyeReplied?.();
        else if (message.type === WampMessageType.ABORT) this.transportClosed();
        return;
      default:
        return;
    }
  }

  private dispatchBeforeHello(message: WampMessage): void {
    if (message.type === WampMessageType.HELLO) {
      this.join(message).catch((error: unknown) => this.internalError('joining', error));
    } else if (message.type === WampMessageType.ABORT) {
      // The client gave up joining: nothing to answer.
      this.dispose('normal', 'client abort');
    } else {
      this.protocolViolation(`Expected HELLO as the first message, got ${messageName(message.type)}.`);
    }
  }

  private dispatchWhileAuthenticating(message: WampMessage): void {
    if (message.type === WampMessageType.AUTHENTICATE && this.pendingChallenge) {
      const pending = this.pendingChallenge;
      this.pendingChallenge = undefined;
      pending.resolve(toChallengeResponse(message));
    } else if (message.type === WampMessageType.ABORT) {
      this.dispose('normal', 'client abort');
    } else if (message.type === WampMessageType.AUTHENTICATE) {
      this.protocolViolation('AUTHENTICATE received, but no CHALLENGE is pending.');
    } else {
      this.protocolViolation(
        `${messageName(message.type)} received while the session is being authenticated.`,
      );
    }
  }

  private dispatchEstablished(message: WampMessage): void {
    // A CALL with an ID already used may continue a progressive call invocation (the spec's "continuation
    // candidate"): the dealer decides, and refuses it if it continues nothing.
    let continuation = false;
    if (this.router.options.checkRequestIds && CLIENT_REQUEST_TYPES.has(message.type)) {
      const request = (message as { request: number }).request;
      if (message.type === WampMessageType.CALL && request < this.expectedRequestId) {
        continuation = true;
      } else if (request !== this.expectedRequestId) {
        this.protocolViolation(
          `Request ID ${request} is out of sequence: expected ${this.expectedRequestId} ` +
            '(request IDs must count up from 1 within a session).',
        );
        return;
      } else {
        // Client request IDs run up to 2^53 inclusive (the spec's range), then wrap to 1.
        this.expectedRequestId = this.expectedRequestId === MAX_ID ? 1 : this.expectedRequestId + 1;
      }
    }
    const realm = this.realmJoined as WampRealm;
    const action = realm.authorizer ? ACTION_OF.get(message.type) : undefined;
    if (action) {
      const uri =
        (message as { procedure?: string; topic?: string }).procedure ?? (message as { topic: string }).topic;
      const verdict = (realm.authorizer as WampAuthorizer)(this, action, uri);
      if (verdict === false) {
        this.refuseUnauthorized(message, action, uri);
        return;
      }
      if (verdict !== true) {
        this.awaitAuthorization(verdict, message, action, uri, continuation);
        return;
      }
    }
    this.route(message, realm, continuation);
  }

  /** Holds later messages until the authorizer answers, then routes or refuses, then replays them in order. */
  private awaitAuthorization(
    verdict: Promise<boolean>,
    message: WampMessage,
    action: WampAction,
    uri: string,
    continuation: boolean,
  ): void {
    this.held = [];
    verdict
      .catch((error: unknown) => {
        this.router.options.logger.error(
          `Session ${this.id}: authorizer failed for ${action} "${uri}"`,
          error instanceof Error ? error.stack : String(error),
        );
        return false;
      })
      .then((allowed) => {
        const queue = this.held ?? [];
        this.held = undefined;
        if (this.isClosed()) return;
        if (allowed) this.route(message, this.realmJoined as WampRealm, continuation);
        else this.refuseUnauthorized(message, action, uri);
        while (queue.length > 0 && !this.held && !this.isClosed()) this.receive(queue.shift());
        if (this.held) (this.held as unknown[]).push(...queue);
      })
      // An asynchronous continuation has no caller to throw to: a failure ends this session, never the process.
      .catch((error: unknown) => this.internalError(`handling message ${message.type}`, error));
  }

  private refuseUnauthorized(message: WampMessage, action: WampAction, uri: string): void {
    // A broker answers a PUBLISH only when the publisher asked for an acknowledgement.
    if (message.type === WampMessageType.PUBLISH && message.options.acknowledge !== true) return;
    this.send({
      type: WampMessageType.ERROR,
      requestType: message.type,
      request: (message as { request: number }).request,
      details: {},
      error: WampErrorUri.NOT_AUTHORIZED,
      args: [`Not authorized to ${action} ${quoteUri(uri)}.`],
    });
  }

  /** `continuation`: a CALL whose request ID is not new (see `WampDealer.call`). */
  private route(message: WampMessage, realm: WampRealm, continuation = false): void {
    switch (message.type) {
      case WampMessageType.CALL:
        realm.dealer.call(this, message, continuation);
        return;
      case WampMessageType.CANCEL:
        realm.dealer.cancel(this, message);
        return;
      case WampMessageType.REGISTER:
        realm.dealer.register(this, message);
        return;
      case WampMessageType.UNREGISTER:
        realm.dealer.unregister(this, message);
        return;
      case WampMessageType.YIELD:
        if (message.options.progress === true) this.connection.producing?.();
        realm.dealer.yield(this, message);
        return;
      case WampMessageType.ERROR:
        if (message.requestType !== WampMessageType.INVOCATION) {
          this.protocolViolation(
            `ERROR from a client may only answer an INVOCATION (68), not ${messageName(message.requestType)}.`,
          );
          return;
        }
        realm.dealer.invocationError(this, message);
        return;
      case WampMessageType.PUBLISH:
        this.connection.producing?.();
        realm.broker.publish(this, message);
        return;
      case WampMessageType.SUBSCRIBE:
        realm.broker.subscribe(this, message);
        return;
      case WampMessageType.UNSUBSCRIBE:
        realm.broker.unsubscribe(this, message);
        return;
      case WampMessageType.GOODBYE:
        this.connection.send({
          type: WampMessageType.GOODBYE,
          details: {},
          reason: WampCloseUri.GOODBYE_AND_OUT,
        });
        this.dispose('normal', 'goodbye');
        return;
      case WampMessageType.ABORT:
        this.dispose('normal', 'client abort');
        return;
      case WampMessageType.HELLO:
        this.protocolViolation('HELLO received on a session that is already established.');
        return;
      case WampMessageType.AUTHENTICATE:
        this.protocolViolation('AUTHENTICATE received on a session that is already established.');
        return;
      default:
        this.protocolViolation(
          `${messageName(message.type)} is a message a router sends, not one it accepts.`,
        );
    }
  }

  private async join(hello: HelloMessage): Promise<void> {
    this.hello = hello.details;
    const realm = this.router.realms.get(hello.realm);
    if (!realm) {
      this.abort(WampErrorUri.NO_SUCH_REALM, `Realm ${quoteUri(hello.realm)} does not exist on this router.`);
      return;
    }
    this.currentState = 'authenticating';
    let identity: WampIdentity;
    try {
      identity = await realm.authenticator({
        realm: realm.name,
        sessionId: this.id,
        details: hello.details,
        transport: this.connection.transport,
        challenge: (authMethod, extra) => this.challenge(authMethod, extra),
      });
    } catch (error) {
      if (this.isClosed()) return;
      this.router.options.metrics?.authenticationFailed(
        realm.name,
        error instanceof WampAbortError ? error.reason : WampErrorUri.AUTHENTICATION_FAILED,
      );
      if (error instanceof WampAbortError) {
        this.abort(error.reason, error.message, 'normal', error.details);
      } else {
        this.router.options.logger.error(
          `Session ${this.id}: authenticator failed`,
          error instanceof Error ? error.stack : String(error),
        );
        this.abort(WampErrorUri.AUTHENTICATION_FAILED, 'Authentication failed.');
      }
      return;
    }
    if (this.currentState !== 'authenticating') return;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.grantedIdentity = identity;
    this.realmJoined = realm;
    this.currentState = 'established';
    this.announcedFeatures = featuresOf(hello.details);
    // HELLO.Details served authentication; real clients send about 1 KB of role features, not kept per session.
    this.hello = undefined;
    realm.attach(this);
    const details: Record<string, unknown> = {
      realm: realm.name,
      authid: identity.authid,
      authrole: identity.authrole,
      authmethod: identity.authmethod,
      authprovider: identity.authprovider,
      roles: realm.roles,
      agent: this.router.options.agent,
    };
    if (identity.authextra !== undefined) details.authextra = identity.authextra;
    this.connection.send({ type: WampMessageType.WELCOME, session: this.id, details });
    realm.welcomed(this);
  }

  private challenge(authMethod: string, extra: WampDict): Promise<WampChallengeResponse> {
    if (this.currentState !== 'authenticating') {
      return Promise.reject(new WampAbortError(WampErrorUri.AUTHENTICATION_FAILED, 'Session is gone.'));
    }
    if (this.pendingChallenge) {
      return Promise.reject(new Error('A CHALLENGE is already pending for this session.'));
    }
    return new Promise<WampChallengeResponse>((resolve, reject) => {
      this.pendingChallenge = { resolve, reject };
      this.connection.send({ type: WampMessageType.CHALLENGE, authMethod, extra });
    });
  }

  private onDecodeError(error: unknown, raw: unknown): void {
    if (error instanceof WampProtocolError) {
      if (
        error.uri === WampErrorUri.INVALID_URI &&
        this.currentState === 'established' &&
        error.requestType !== undefined &&
        error.request !== undefined
      ) {
        // A broker answers a PUBLISH only when the publisher asked for an acknowledgement.
        if (error.requestType === WampMessageType.PUBLISH && !acknowledged(raw)) return;
        this.connection.send({
          type: WampMessageType.ERROR,
          requestType: error.requestType,
          request: error.request,
          details: {},
          error: WampErrorUri.INVALID_URI,
          args: [error.message],
        });
        return;
      }
      if (this.currentState === 'closing') return;
      this.protocolViolation(error.message);
      return;
    }
    const stack = error instanceof Error ? error.stack : String(error);
    this.router.options.logger.error(`Session ${this.id}: decoder failed unexpectedly`, stack);
    this.protocolViolation('Malformed message.');
  }

  private rejectOversized(frame: Buffer): void {
    const limit = this.router.options.maxPayload;
    const explanation = `Message of ${frame.length} bytes exceeds the limit of ${limit} bytes.`;
    // The spec's payload_size_exceeded goes to the request when there is one to answer; a session that
    // is not established, or an oversized message with no request to answer, has broken the protocol.
    // The request is read from the frame's first bytes only: the rest is never decoded.
    if (this.currentState === 'established') {
      const head = this.connection.serializer.peekRequest?.(frame);
      if (head && CLIENT_REQUEST_TYPES.has(head.type) && isValidId(head.request)) {
        this.connection.send({
          type: WampMessageType.ERROR,
          requestType: head.type,
          request: head.request,
          details: {},
          error: WampErrorUri.PAYLOAD_SIZE_EXCEEDED,
          args: [explanation],
        });
        return;
      }
    }
    this.protocolViolation(explanation);
  }

  private onHandshakeTimeout(): void {
    this.handshakeTimer = undefined;
    if (this.currentState !== 'hello' && this.currentState !== 'authenticating') return;
    const limit = this.router.options.helloTimeout;
    this.abort(
      WampErrorUri.TIMEOUT,
      this.currentState === 'hello'
        ? `No HELLO received within ${limit} ms.`
        : `Authentication did not complete within ${limit} ms.`,
    );
  }

  private dispose(closeReason: ConnectionCloseReason | undefined, reason: string): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.goodbyeTimer);
    this.handshakeTimer = undefined;
    this.goodbyeTimer = undefined;
    if (this.pendingChallenge) {
      this.pendingChallenge.reject(
        new WampAbortError(WampErrorUri.AUTHENTICATION_FAILED, 'Session is gone.'),
      );
      this.pendingChallenge = undefined;
    }
    this.realmJoined?.detach(this);
    this.router.sessionClosed(this);
    this.ended = true;
    this.lifetime?.abort();
    if (closeReason !== undefined) this.connection.close(closeReason, reason.slice(0, 120));
  }
}

/** The features of {@link FEATURES_READ} that HELLO.Details announce as `true`, as `role.feature`. */
function featuresOf(details: HelloDetails): ReadonlySet<string> {
  const roles = asDict(details.roles);
  if (!roles) return NO_FEATURES;
  const announced: string[] = [];
  for (const [role, feature] of FEATURES_READ) {
    const features = asDict(asDict(roles[role])?.features);
    if (features?.[feature] === true) announced.push(`${role}.${feature}`);
  }
  return announced.length === 0 ? NO_FEATURES : new Set(announced);
}

/** `value` as a dict of its own keys, or undefined when it is not one. */
function asDict(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/** Whether a raw (already known to be well-formed) PUBLISH asked for `acknowledge: true`. */
function acknowledged(raw: unknown): boolean {
  const options = Array.isArray(raw) ? (raw[2] as { acknowledge?: unknown } | undefined) : undefined;
  return options?.acknowledge === true;
}

function toChallengeResponse(message: AuthenticateMessage): WampChallengeResponse {
  return { signature: message.signature, extra: message.extra };
}

const MESSAGE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(WampMessageType)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [value as number, name]),
);

/** `CALL (48)` for log and error texts. */
function messageName(type: number): string {
  const name = MESSAGE_NAMES.get(type);
  return name === undefined ? String(type) : `${name} (${type})`;
}

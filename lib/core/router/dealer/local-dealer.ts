import { quoteUri } from '../../protocol/quote-uri.js';
import { WampMessageType } from '../../protocol/message-type.enum.js';
import type {
  CallMessage,
  CancelMessage,
  ErrorMessage,
  RegisterMessage,
  UnregisterMessage,
  YieldMessage,
} from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import { UriMatchIndex } from '../uri-index/uri-match-index.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import { CalleeSession, RemoteInvocation } from './callee-session.js';
import { PendingCall } from './pending-call.js';
import { Registration, type RemoteCallee } from './registration.js';
import type { LocalProcedure } from './wamp-call.interface.js';

/** URI of the ERROR a caller gets beyond its in-flight cap (not a spec URI: the spec defines none). */
export const TOO_MANY_CALLS_URI = 'nestjs_wamp.error.too_many_calls';
/** URI of the ERROR a REGISTER gets beyond the session's registration cap. */
export const TOO_MANY_REGISTRATIONS_URI = 'nestjs_wamp.error.too_many_registrations';
/** URI of the ERROR a CALL gets when its callee already has as many invocations in flight as it may. */
export const TOO_MANY_INVOCATIONS_URI = 'nestjs_wamp.error.too_many_invocations';

/** INVOCATION.Details of a chunk of a progressive call invocation, and of its final chunk. */
const CHUNK_DETAILS = Object.freeze({ progress: true });
const FINAL_CHUNK_DETAILS = Object.freeze({});

/** How many ended progressive calls per caller are remembered, to discard their late chunks. */
const CLOSED_STREAMS_KEPT = 64;

/** URIs under this prefix belong to the router (meta API): no client registers them or receives their calls. */
const RESERVED_PREFIX = 'wamp.';

/** Settings of the in-process dealer. */
export interface LocalDealerOptions {
  /** Calls one session may have in flight; beyond it CALL gets ERROR `nestjs_wamp.error.too_many_calls`. */
  readonly maxCallsPerSession: number;
  /** Dealer-side timeout (ms) applied when the caller sets none; 0 = none. */
  readonly defaultCallTimeout: number;
  /** Registrations one session may hold; beyond it REGISTER gets `nestjs_wamp.error.too_many_registrations`. */
  readonly maxRegistrationsPerSession: number;
  /** Invocations a client callee may have unanswered; beyond it CALL gets `nestjs_wamp.error.too_many_invocations`. */
  readonly maxInvocationsPerCallee: number;
  /** How long (ms) a CANCEL in mode `kill` waits for the callee's answer before the caller gets `canceled`. */
  readonly interruptTimeout: number;
  readonly logger: WampLogger;
}

/**
 * The in-process dealer: one registration table per realm, and the call machinery every callee shares —
 * progressive results, CANCEL (skip / kill / killnowait), dealer-side timeouts, caller disclosure, the
 * per-session in-flight cap, and clean-up when a caller or a callee leaves mid-call.
 *
 * A registration is `{ procedure, match, invoke, callees }`: server-side procedures (Nest handlers) register
 * with {@link LocalDealer.registerProcedure}, client sessions with REGISTER; a call finds its registration by
 * the spec's precedence (exact, longest prefix, best wildcard), the registration picks a callee by its
 * invocation policy, and the call runs through the same {@link PendingCall} whichever kind of callee it is. A
 * client callee gets INVOCATION and answers with YIELD or ERROR.
 */
export class LocalDealer implements WampDealer {
  readonly features: Readonly<Record<string, boolean>> = {
    progressive_call_results: true,
    call_canceling: true,
    call_timeout: true,
    caller_identification: true,
    pattern_based_registration: true,
    shared_registration: true,
    progressive_call_invocations: true,
  };
  private readonly registrations = new UriMatchIndex<Registration>();
  private readonly registrationsById = new Map<number, Registration>();
  private readonly callees = new Map<WampPeer, CalleeSession>();
  /** The registrations each client callee holds (released together when it leaves). */
  private readonly registrationsOf = new Map<CalleeSession, Set<Registration>>();
  private readonly callsBySession = new Map<WampPeer, Map<number, PendingCall<RemoteInvocation>>>();
  /**
   * Request IDs of each caller's progressive calls that ended while it could still be sending chunks: a late
   * chunk is discarded rather than taken for a new call. The last {@link CLOSED_STREAMS_KEPT} per session.
   */
  private readonly closedStreams = new Map<WampPeer, number[]>();
  private readonly settle = (call: PendingCall<RemoteInvocation>): void => {
    const remote = call.remote;
    if (remote) {
      clearTimeout(remote.killTimer);
      remote.callee.invocations.delete(remote.request);
      if (remote.acceptsChunks && call.caller.isOpen) this.rememberClosedStream(call.caller, call.request);
    }
    const calls = this.callsBySession.get(call.caller);
    if (!calls) return;
    calls.delete(call.request);
    if (calls.size === 0) this.callsBySession.delete(call.caller);
  };

  constructor(
    private readonly nextId: () => number,
    private readonly options: LocalDealerOptions,
  ) {}

  /**
   * Registers a server-side procedure under an exact URI. Throws when the URI is taken (a duplicate
   * handler is a startup error, never a silent replacement). Returns a function that unregisters it.
   */
  registerProcedure(procedure: string, invoke: LocalProcedure): () => void {
    const existing = this.registrations.get(procedure, 'exact');
    if (existing) {
      throw new Error(
        `Procedure "${procedure}" is already registered${existing.local ? '' : ' by a client session'}.`,
      );
    }
    const registration = new Registration(this.nextId(), procedure, 'exact', 'single');
    registration.callees.push({ kind: 'local', procedure: invoke });
    this.registrations.set(procedure, 'exact', registration);
    this.registrationsById.set(registration.id, registration);
    return () => {
      if (this.registrations.get(procedure, 'exact') !== registration) return;
      this.registrations.delete(procedure, 'exact');
      this.registrationsById.delete(registration.id);
    };
  }

  /** Whether a procedure (of this process or a client) is registered under exactly `procedure`. */
  hasProcedure(procedure: string): boolean {
    return this.registrations.get(procedure, 'exact') !== undefined;
  }

  private rememberClosedStream(caller: WampPeer, request: number): void {
    let closed = this.closedStreams.get(caller);
    if (!closed) this.closedStreams.set(caller, (closed = []));
    if (closed.length >= CLOSED_STREAMS_KEPT) closed.shift();
    closed.push(request);
  }

  /** Number of calls in flight (all sessions). */
  get callsInFlight(): number {
    let count = 0;
    for (const calls of this.callsBySession.values()) count += calls.size;
    return count;
  }

  /** Number of registrations (procedures of this process and of clients, a shared one counted once). */
  get registrationCount(): number {
    return this.registrationsById.size;
  }

  call(session: WampPeer, message: CallMessage, continuation = false): void {
    let calls = this.callsBySession.get(session);
    const inFlight = calls?.get(message.request);
    if (inFlight) {
      this.continueCall(session, inFlight, message);
      return;
    }
    if (this.closedStreams.get(session)?.includes(message.request)) {
      // A chunk of a progressive call that already ended (the caller could not know yet): discarded, as the
      // spec asks; the caller has its RESULT or ERROR.
      return;
    }
    if (continuation) {
      session.protocolViolation(
        `CALL with request ID ${message.request} is not a new request and continues no progressive call.`,
      );
      return;
    }
    const registration = this.registrations.best(message.procedure);
    if (!registration || (!registration.local && message.procedure.startsWith(RESERVED_PREFIX))) {
      this.reject(
        session,
        message.request,
        WampErrorUri.NO_SUCH_PROCEDURE,
        `No procedure is registered under ${quoteUri(message.procedure)}.`,
      );
      return;
    }
    if (calls && calls.size >= this.options.maxCallsPerSession) {
      this.reject(
        session,
        message.request,
        TOO_MANY_CALLS_URI,
        `Too many calls in flight: this session may have at most ${this.options.maxCallsPerSession}.`,
        { limit: this.options.maxCallsPerSession },
      );
      return;
    }
    // The spec makes a streamed CALL from a caller that did not announce progressive_call_invocations a protocol
    // violation; wampy 8 streams (progressiveCall) without announcing it, so it is accepted (README: Conformance).
    const streamed = message.options.progress === true;
    const callee = registration.pick();
    if (!callee) {
      this.reject(
        session,
        message.request,
        WampErrorUri.NO_SUCH_PROCEDURE,
        `No procedure is registered under ${quoteUri(message.procedure)}.`,
      );
      return;
    }
    if (streamed && (callee.kind === 'local' || !callee.session.takesChunks)) {
      this.reject(
        session,
        message.request,
        WampErrorUri.FEATURE_NOT_SUPPORTED,
        `The procedure ${quoteUri(message.procedure)} does not accept progressive call invocations ` +
          (callee.kind === 'local'
            ? '(it is a procedure of the application).'
            : '(its callee did not announce progressive_call_invocations and call_canceling).'),
      );
      return;
    }
    if (callee.kind === 'remote' && callee.session.invocations.size >= this.options.maxInvocationsPerCallee) {
      this.reject(
        session,
        message.request,
        TOO_MANY_INVOCATIONS_URI,
        `The callee of ${quoteUri(message.procedure)} has ${this.options.maxInvocationsPerCallee} invocations ` +
          'in flight, as many as it may.',
        { limit: this.options.maxInvocationsPerCallee },
      );
      return;
    }
    if (!calls) this.callsBySession.set(session, (calls = new Map()));
    const call = new PendingCall<RemoteInvocation>(session, message, this.settle);
    calls.set(message.request, call);
    const timeout =
      message.options.timeout !== undefined && message.options.timeout > 0
        ? message.options.timeout
        : this.options.defaultCallTimeout;
    const forwardTimeout = callee.kind === 'remote' && callee.forwardTimeout && timeout > 0;
    if (timeout > 0 && !forwardTimeout) {
      call.startTimer(timeout, () => {
        call.interrupt('timeout');
        call.error(WampErrorUri.TIMEOUT, [`The call did not complete within ${timeout} ms.`]);
      });
    }
    if (callee.kind === 'remote') {
      this.invokeRemote(call, registration, callee, forwardTimeout ? timeout : 0);
      return;
    }
    try {
      callee.procedure(call);
    } catch (error) {
      this.options.logger.error(
        `Procedure "${message.procedure}" threw synchronously`,
        error instanceof Error ? error.stack : String(error),
      );
      call.interrupt('procedure failed');
      call.error(WampErrorUri.RUNTIME_ERROR, ['Internal error.']);
    }
  }

  /**
   * A CALL with the request ID of a call in flight: the next chunk of a progressive call invocation, forwarded to
   * the same callee as the same invocation (`progress: true` until the caller's final chunk). Anything else
   * reusing an ID in flight is a protocol violation.
   */
  private continueCall(session: WampPeer, call: PendingCall<RemoteInvocation>, message: CallMessage): void {
    const invocation = call.remote;
    if (!invocation?.acceptsChunks) {
      session.protocolViolation(`CALL reuses request ID ${message.request} of a call still in flight.`);
      return;
    }
    if (message.procedure !== call.procedure) {
      session.protocolViolation(
        `CALL continuing request ${message.request} names ${quoteUri(message.procedure)}, not ` +
          `${quoteUri(call.procedure)}.`,
      );
      return;
    }
    invocation.acceptsChunks = message.options.progress === true;
    const sent = invocation.callee.peer.send({
      type: WampMessageType.INVOCATION,
      request: invocation.request,
      registration: invocation.registration,
      details: invocation.acceptsChunks ? CHUNK_DETAILS : FINAL_CHUNK_DETAILS,
      args: message.args,
      kwargs: message.kwargs,
    });
    if (!sent) {
      call.interrupt('arguments not encodable');
      call.error(WampErrorUri.RUNTIME_ERROR, [
        `The call's arguments cannot be encoded as ${invocation.callee.peer.transport.protocol} for the callee.`,
      ]);
    }
  }

  /** Sends INVOCATION to a client callee; its YIELD or ERROR comes back through {@link LocalDealer.yield}. */
  private invokeRemote(
    call: PendingCall<RemoteInvocation>,
    registration: Registration,
    callee: RemoteCallee,
    timeout: number,
  ): void {
    const session = callee.session;
    const invocation = new RemoteInvocation(session.nextRequest(), registration.id, call, session);
    invocation.acceptsChunks = call.options.progress === true;
    call.remote = invocation;
    session.invocations.set(invocation.request, invocation);
    const details: Record<string, unknown> = {};
    if (registration.match !== 'exact') details.procedure = call.procedure;
    if (invocation.acceptsChunks) details.progress = true;
    if (call.receiveProgress && session.sendsProgress) details.receive_progress = true;
    if (timeout > 0) details.timeout = timeout;
    const caller = call.disclosure ?? (callee.discloseCaller ? disclosureOf(call.caller) : undefined);
    if (caller) {
      details.caller = caller.caller;
      if (caller.caller_authid !== undefined) details.caller_authid = caller.caller_authid;
      if (caller.caller_authrole !== undefined) details.caller_authrole = caller.caller_authrole;
    }
    call.onInterrupt(() => this.interruptCallee(invocation));
    const sent = session.peer.send({
      type: WampMessageType.INVOCATION,
      request: invocation.request,
      registration: registration.id,
      details,
      args: call.args.length > 0 || Object.keys(call.kwargs).length > 0 ? call.args : undefined,
      kwargs: Object.keys(call.kwargs).length > 0 ? call.kwargs : undefined,
    });
    if (!sent) {
      call.error(WampErrorUri.RUNTIME_ERROR, [
        `The call's arguments cannot be encoded as ${session.peer.transport.protocol} for the callee.`,
      ]);
    }
  }

  /**
   * Asks a client callee to stop (INTERRUPT) when it announced `call_canceling` and has not answered yet; a
   * callee without the feature is left to finish, and its answer is discarded (the spec's `skip`).
   */
  private interruptCallee(invocation: RemoteInvocation): void {
    const callee = invocation.callee;
    if (invocation.answered || !callee.canCancel || !callee.peer.isOpen) return;
    const call = invocation.call;
    callee.peer.send({
      type: WampMessageType.INTERRUPT,
      request: invocation.request,
      options: {
        mode: call.interruptMode,
        reason: call.interruptReason === 'timeout' ? WampErrorUri.TIMEOUT : WampErrorUri.CANCELED,
      },
    });
  }

  /**
   * CANCEL as the spec defines it. `skip` answers the caller at once and lets the procedure run on, its result
   * discarded. `killnowait` interrupts the procedure (INTERRUPT to a client callee that supports cancelling)
   * and answers at once. `kill` interrupts and, for a client callee that supports cancelling, waits for its
   * answer (at most `interruptTimeout`); a server-side procedure's interrupt is synchronous, so `kill` answers
   * as soon as its teardown ran. A CANCEL for a call that already ended is ignored.
   */
  cancel(session: WampPeer, message: CancelMessage): void {
    const call = this.callsBySession.get(session)?.get(message.request);
    if (!call) return;
    const mode = message.options.mode ?? 'killnowait';
    const remote = call.remote;
    if (mode === 'kill' && remote?.callee.canCancel) {
      if (remote.killing) return;
      remote.killing = true;
      call.interrupt('canceled', 'kill');
      const limit = this.options.interruptTimeout;
      remote.killTimer = setTimeout(
        () =>
          call.error(WampErrorUri.CANCELED, [`The callee did not answer the interrupt within ${limit} ms.`]),
        limit,
      );
      remote.killTimer.unref();
      return;
    }
    if (mode !== 'skip') call.interrupt('canceled');
    call.error(WampErrorUri.CANCELED, [`The call was canceled (mode ${mode}).`]);
  }

  register(session: WampPeer, message: RegisterMessage): void {
    const { procedure, request } = message;
    const match = message.options.match ?? 'exact';
    const invoke = message.options.invoke ?? 'single';
    if (procedure.startsWith(RESERVED_PREFIX)) {
      this.reject(
        session,
        request,
        WampErrorUri.INVALID_URI,
        `${quoteUri(procedure)} is reserved for the router: URIs under "wamp." cannot be registered.`,
        undefined,
        WampMessageType.REGISTER,
      );
      return;
    }
    let callee = this.callees.get(session);
    const held = callee && this.registrationsOf.get(callee);
    if (held && held.size >= this.options.maxRegistrationsPerSession) {
      this.reject(
        session,
        request,
        TOO_MANY_REGISTRATIONS_URI,
        `Too many registrations: this session may hold at most ${this.options.maxRegistrationsPerSession}.`,
        { limit: this.options.maxRegistrationsPerSession },
        WampMessageType.REGISTER,
      );
      return;
    }
    let registration = this.registrations.get(procedure, match);
    if (registration) {
      const refusal = this.sharingRefusal(registration, invoke, callee);
      if (refusal) {
        this.reject(session, request, refusal.uri, refusal.message, undefined, WampMessageType.REGISTER);
        return;
      }
    } else {
      registration = new Registration(this.nextId(), procedure, match, invoke);
      this.registrations.set(procedure, match, registration);
      this.registrationsById.set(registration.id, registration);
    }
    if (!callee) this.callees.set(session, (callee = new CalleeSession(session)));
    let registrations = this.registrationsOf.get(callee);
    if (!registrations) this.registrationsOf.set(callee, (registrations = new Set()));
    registration.callees.push({
      kind: 'remote',
      session: callee,
      discloseCaller: message.options.disclose_caller === true,
      forwardTimeout: message.options.forward_timeout === true,
    });
    registrations.add(registration);
    session.send({ type: WampMessageType.REGISTERED, request, registration: registration.id });
  }

  /** Why a REGISTER may not join an existing registration of the same URI and match policy, if it may not. */
  private sharingRefusal(
    registration: Registration,
    invoke: Registration['invoke'],
    callee: CalleeSession | undefined,
  ): { uri: string; message: string } | undefined {
    const uri = quoteUri(registration.procedure);
    if (registration.local) {
      return {
        uri: WampErrorUri.PROCEDURE_ALREADY_EXISTS,
        message: `${uri} is a procedure of the application; it cannot be registered by a client.`,
      };
    }
    if (callee && registration.calleeOf(callee)) {
      return {
        uri: WampErrorUri.PROCEDURE_ALREADY_EXISTS,
        message: `This session has already registered ${uri} (registration ${registration.id}).`,
      };
    }
    if (registration.invoke === 'single') {
      return {
        uri: WampErrorUri.PROCEDURE_ALREADY_EXISTS,
        message: `${uri} is already registered (invocation policy "single").`,
      };
    }
    if (registration.invoke !== invoke) {
      return {
        uri: WampErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY,
        message: `${uri} is registered with invocation policy "${registration.invoke}", not "${invoke}".`,
      };
    }
    return undefined;
  }

  unregister(session: WampPeer, message: UnregisterMessage): void {
    const callee = this.callees.get(session);
    const registration = this.registrationsById.get(message.registration);
    if (!callee || !registration || !this.registrationsOf.get(callee)?.has(registration)) {
      this.reject(
        session,
        message.request,
        WampErrorUri.NO_SUCH_REGISTRATION,
        `This session holds no registration ${message.registration}.`,
        undefined,
        WampMessageType.UNREGISTER,
      );
      return;
    }
    this.removeCallee(registration, callee);
    // Invocations already sent may still be answered: they end the calls as usual.
    if (!this.registrationsOf.has(callee) && callee.invocations.size === 0) this.callees.delete(session);
    session.send({ type: WampMessageType.UNREGISTERED, request: message.request });
  }

  private removeCallee(registration: Registration, callee: CalleeSession): void {
    registration.remove(callee);
    const registrations = this.registrationsOf.get(callee);
    registrations?.delete(registration);
    if (registrations?.size === 0) this.registrationsOf.delete(callee);
    if (registration.callees.length > 0) return;
    this.registrations.delete(registration.procedure, registration.match);
    this.registrationsById.delete(registration.id);
  }

  yield(session: WampPeer, message: YieldMessage): void {
    const invocation = this.invocationOf(session, message.request, 'YIELD');
    if (!invocation) return;
    const call = invocation.call;
    if (message.options.progress === true) {
      call.progress(message.args, message.kwargs);
      return;
    }
    invocation.answered = true;
    call.result(message.args, message.kwargs);
  }

  invocationError(session: WampPeer, message: ErrorMessage): void {
    const invocation = this.invocationOf(session, message.request, 'ERROR');
    if (!invocation) return;
    invocation.answered = true;
    invocation.call.error(message.error, message.args, message.kwargs);
  }

  /**
   * The unsettled invocation a callee's YIELD or ERROR answers. An answer to an invocation that already ended
   * (cancelled, timed out, or its caller gone) is ignored, as the spec asks; one to an invocation this session
   * was never sent is a protocol violation.
   */
  private invocationOf(session: WampPeer, request: number, kind: string): RemoteInvocation | undefined {
    const callee = this.callees.get(session);
    const invocation = callee?.invocations.get(request);
    if (invocation) return invocation;
    if (!callee?.wasSent(request)) session.protocolViolation(`${kind} for unknown invocation ${request}.`);
    return undefined;
  }

  /**
   * Ends every call in flight with ERROR `uri` and interrupts its procedure (router shutdown after the grace
   * period for calls to finish ran out).
   */
  abortAll(uri: string, message: string): void {
    for (const calls of [...this.callsBySession.values()]) {
      for (const call of [...calls.values()]) {
        call.interrupt('router shutdown');
        call.error(uri, [message]);
      }
    }
  }

  /**
   * The session left. As a caller, every call it had in flight is abandoned and its procedure interrupted
   * (INTERRUPT to a client callee). As a callee, its registrations go, and the calls it had not answered end
   * with ERROR `wamp.error.canceled`.
   */
  detach(session: WampPeer): void {
    this.closedStreams.delete(session);
    const calls = this.callsBySession.get(session);
    if (calls) {
      this.callsBySession.delete(session);
      for (const call of [...calls.values()]) call.abandon('caller left');
    }
    const callee = this.callees.get(session);
    if (!callee) return;
    this.callees.delete(session);
    for (const registration of [...(this.registrationsOf.get(callee) ?? [])])
      this.removeCallee(registration, callee);
    for (const invocation of [...callee.invocations.values()]) {
      invocation.answered = true;
      invocation.call.error(WampErrorUri.CANCELED, ['The callee left before answering.']);
    }
  }

  private reject(
    session: WampPeer,
    request: number,
    uri: string,
    message: string,
    kwargs?: Record<string, unknown>,
    requestType: WampMessageType = WampMessageType.CALL,
  ): void {
    // The explanation travels as args[0], where clients (Autobahn, wampy) surface it, as Crossbar does.
    session.send({
      type: WampMessageType.ERROR,
      requestType,
      request,
      details: {},
      error: uri,
      args: [message],
      kwargs,
    });
  }
}

/** The caller's identity for a callee that asked for it with `disclose_caller`. */
function disclosureOf(caller: WampPeer): {
  caller: number;
  caller_authid?: string;
  caller_authrole?: string;
} {
  return {
    caller: caller.id,
    caller_authid: caller.identity?.authid,
    caller_authrole: caller.identity?.authrole,
  };
}

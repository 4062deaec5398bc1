import { traceCarrierOf, type RealmTracing } from '../tracing/wamp-router-tracing.interface.js';
import { quoteUri } from '../../protocol/quote-uri.js';
import { WampMessageType } from '../../protocol/message-type.enum.js';
import type {
  CallMessage,
  CancelMessage,
  ErrorMessage,
  RegisterMessage,
  UnregisterMessage,
  WampMatchPolicy,
  YieldMessage,
} from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import type { RealmMetrics } from '../metrics/wamp-router-metrics.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { DealerInvocation } from './callee-session.js';
import { CalleeSessions } from './callee-sessions.js';
import type { DealerCluster } from './dealer-cluster.interface.js';
import { PendingCall } from './pending-call.js';
import type { ClusterCallee, DealerCallee, InvocationPolicy, Registration } from './registration.js';
import { RegistrationTable, type RegistrationRefusal } from './registration-table.js';
import { DealerRegistrations } from './dealer-registrations.js';
import { CLUSTER_UNAVAILABLE_URI } from '../cluster-error-uri.js';
import type { LocalProcedure } from './wamp-call.interface.js';

/** URI of the ERROR a caller gets beyond its in-flight cap (not a spec URI: the spec defines none). */
export const TOO_MANY_CALLS_URI = 'nestjs_wamp.error.too_many_calls';
/** URI of the ERROR a CALL gets when its callee already has as many invocations in flight as it may. */
export const TOO_MANY_INVOCATIONS_URI = 'nestjs_wamp.error.too_many_invocations';

/** How many ended progressive calls per caller are remembered, to discard their late chunks. */
const CLOSED_STREAMS_KEPT = 64;

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
  /** The session ID the application's own procedures are attributed to in the registration meta API. Default 0. */
  readonly routerSession?: number;
  /**
   * The other instances of a cluster: registrations are claimed across them, and calls reach callees connected
   * to them. Without it, the dealer serves this process only.
   */
  readonly cluster?: DealerCluster;
  /** How registration IDs are derived (in a cluster, alike on every instance). Default: random. */
  readonly registrationId?: (procedure: string, match: WampMatchPolicy) => number;
  /** Where calls are counted and timed, and the realm they are counted under; none when metrics are off. */
  readonly realmMetrics?: RealmMetrics;
  /** Where calls open spans, and the realm they belong to; none when tracing is off. */
  readonly realmTracing?: RealmTracing;
}

/**
 * The in-process dealer: the call machinery every callee shares — progressive results and invocations, CANCEL
 * (skip / kill / killnowait), dealer-side timeouts, caller disclosure, the per-session limits, and clean-up when
 * a caller or a callee leaves mid-call — over a {@link RegistrationTable} and the {@link CalleeSessions}.
 *
 * A registration is `{ procedure, match, invoke, callees }`: the application's procedures (Nest handlers)
 * register with {@link LocalDealer.registerProcedure}, client sessions with REGISTER. A call finds its
 * registration by the spec's precedence (exact, longest prefix, best wildcard), the registration picks a callee
 * by its invocation policy, and the call runs through the same {@link PendingCall} whichever kind of callee it
 * is: a procedure of the application is called in process, a client callee gets INVOCATION and answers with
 * YIELD or ERROR.
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
  /** What the registration meta API reads and listens to. */
  readonly registrations: DealerRegistrations;
  private readonly table: RegistrationTable;
  private readonly callees = new CalleeSessions();
  private readonly callsBySession = new Map<WampPeer, Map<number, PendingCall<DealerInvocation>>>();
  /**
   * Request IDs of each caller's progressive calls that ended while it could still be sending chunks: a late
   * chunk is discarded rather than taken for a new call. The last {@link CLOSED_STREAMS_KEPT} per session.
   */
  private readonly closedStreams = new Map<WampPeer, number[]>();
  private readonly settle = (call: PendingCall<DealerInvocation>): void => {
    if (call.startedAt !== undefined) this.countFinished(call, call.startedAt);
    call.span?.end(call.outcome ?? WampErrorUri.CANCELED);
    const remote = call.remote;
    if (remote) {
      if (remote.kind === 'forwarded') remote.settled();
      else {
        clearTimeout(remote.killTimer);
        remote.callee.invocations.delete(remote.request);
      }
      if (remote.acceptsChunks && call.caller.isOpen) this.rememberClosedStream(call.caller, call.request);
    }
    const calls = this.callsBySession.get(call.caller);
    if (!calls) return;
    calls.delete(call.request);
    if (calls.size === 0) this.callsBySession.delete(call.caller);
  };

  constructor(
    nextId: () => number,
    private readonly options: LocalDealerOptions,
  ) {
    this.table = new RegistrationTable(
      nextId,
      options.maxRegistrationsPerSession,
      options.registrationId,
      (id, procedure) =>
        options.logger.warn(`Registration ID ${id} of "${procedure}" is taken: a random one is used.`),
    );
    this.registrations = new DealerRegistrations(this.table, options.routerSession ?? 0, options.logger);
  }

  /**
   * Registers a server-side procedure under an exact URI. Throws when the URI is taken (a duplicate
   * handler is a startup error, never a silent replacement). Returns a function that unregisters it.
   */
  registerProcedure(procedure: string, invoke: LocalProcedure): () => void {
    const registration = this.table.addProcedure(procedure, invoke);
    this.registrations.report('created', registration);
    this.registrations.report('registered', registration);
    return () => {
      if (!this.table.removeProcedure(registration)) return;
      this.registrations.report('unregistered', registration);
      this.registrations.report('deleted', registration);
    };
  }

  /** Whether a procedure (of this process or a client) is registered under exactly `procedure`. */
  hasProcedure(procedure: string): boolean {
    return this.table.hasExact(procedure);
  }

  /** Number of calls in flight (all sessions). */
  get callsInFlight(): number {
    let count = 0;
    for (const calls of this.callsBySession.values()) count += calls.size;
    return count;
  }

  /** Number of registrations (procedures of this process and of clients, a shared one counted once). */
  get registrationCount(): number {
    return this.table.size;
  }

  call(session: WampPeer, message: CallMessage, continuation = false): void {
    this.route(session, message, continuation, false);
  }

  /**
   * A CALL another instance of the cluster forwarded here for a callee connected to this one (`caller` stands
   * for its caller): routed among this instance's callees only, then handled as any call.
   */
  callForwarded(caller: WampPeer, message: CallMessage): void {
    this.route(caller, message, false, true);
  }

  private route(session: WampPeer, message: CallMessage, continuation: boolean, hereOnly: boolean): void {
    let calls = this.callsBySession.get(session);
    const inFlight = calls?.get(message.request);
    if (inFlight) {
      this.continueCall(session, inFlight, message);
      return;
    }
    if (this.closedStreams.size > 0 && this.closedStreams.get(session)?.includes(message.request)) {
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
    const registration = this.table.route(message.procedure);
    const callee = registration?.pick(hereOnly);
    if (!registration || !callee) {
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
    if (message.options.progress === true && !takesChunks(callee)) {
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
    const call = new PendingCall<DealerInvocation>(session, message, this.settle);
    const metrics = this.options.realmMetrics;
    if (metrics) {
      call.startedAt = performance.now();
      call.registrationUri = registration.procedure;
      metrics.recorder.callStarted(metrics.realm, registration.procedure);
    }
    const tracing = this.options.realmTracing;
    if (tracing) {
      call.span = tracing.tracer.startCall(
        {
          realm: tracing.realm,
          procedure: registration.procedure,
          calledUri: message.procedure,
          callee: callee.kind === 'local' ? 'application' : callee.kind === 'remote' ? 'client' : 'instance',
          callerSession: session.id,
        },
        traceCarrierOf(message.options),
      );
    }
    calls.set(message.request, call);
    const timeout =
      message.options.timeout !== undefined && message.options.timeout > 0
        ? message.options.timeout
        : this.options.defaultCallTimeout;
    if (callee.kind === 'cluster') {
      // The callee's instance runs the timeout, as for its own callers (and forwards it if the callee asked).
      call.remote = this.options.cluster?.forward(call, callee, timeout);
      return;
    }
    const forwardTimeout = callee.kind === 'remote' && callee.forwardTimeout && timeout > 0;
    if (timeout > 0 && !forwardTimeout) {
      call.startTimer(timeout, () => {
        call.interrupt('timeout');
        call.error(WampErrorUri.TIMEOUT, [`The call did not complete within ${timeout} ms.`]);
      });
    }
    if (callee.kind === 'remote') {
      this.callees.invoke(call, registration, callee, forwardTimeout ? timeout : 0);
      return;
    }
    if (call.span) call.span.run(() => this.runLocal(call, callee.procedure, registration));
    else this.runLocal(call, callee.procedure, registration);
  }

  private runLocal(
    call: PendingCall<DealerInvocation>,
    procedure: LocalProcedure,
    registration: Registration,
  ): void {
    try {
      procedure(call);
    } catch (error) {
      this.options.logger.error(
        `Procedure "${registration.procedure}" threw synchronously`,
        error instanceof Error ? error.stack : String(error),
      );
      call.interrupt('procedure failed');
      call.error(WampErrorUri.RUNTIME_ERROR, ['Internal error.']);
    }
  }

  /**
   * A CALL with the request ID of a call in flight: the next chunk of a progressive call invocation. Anything
   * else reusing an ID in flight is a protocol violation.
   */
  private continueCall(session: WampPeer, call: PendingCall<DealerInvocation>, message: CallMessage): void {
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
    if (invocation.kind === 'forwarded') invocation.sendChunk(message);
    else this.callees.sendChunk(invocation, message);
  }

  private rememberClosedStream(caller: WampPeer, request: number): void {
    let closed = this.closedStreams.get(caller);
    if (!closed) this.closedStreams.set(caller, (closed = []));
    if (closed.length >= CLOSED_STREAMS_KEPT) closed.shift();
    closed.push(request);
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
    if (remote?.kind === 'forwarded') {
      // The callee's instance applies the mode and answers.
      remote.cancel(mode);
      return;
    }
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
    const cluster = this.options.cluster;
    if (!cluster) {
      this.join(session, message);
      return;
    }
    // In a cluster, what this instance knows is checked first (most refusals need nobody else), then the URI is
    // claimed across instances, atomically: two instances registering it at once cannot both win.
    const callee = this.callees.of(session);
    const refused = this.table.refusal(callee, message, true);
    if (refused) {
      this.refuseRegistration(session, message, refused);
      return;
    }
    const { procedure } = message;
    const match = message.options.match ?? 'exact';
    const invoke = message.options.invoke ?? 'single';
    // Counted toward the session's limit while the cluster decides: a burst of REGISTERs cannot outrun it.
    callee.claiming++;
    cluster
      .claim(procedure, match, invoke)
      .finally(() => callee.claiming--)
      .then(
        (holder) => {
          if (!session.isOpen) this.releaseIfUnused(procedure, match);
          else if (holder !== undefined)
            this.refuseRegistration(session, message, clusterRefusal(procedure, invoke, holder));
          else if (!this.join(session, message, true)) this.releaseIfUnused(procedure, match);
        },
        (error: unknown) =>
          this.refuseRegistration(session, message, {
            refused: true,
            uri: CLUSTER_UNAVAILABLE_URI,
            message:
              `The other instances could not be asked whether ${quoteUri(procedure)} is free ` +
              `(${error instanceof Error ? error.message : String(error)}); try again.`,
          }),
      );
  }

  /**
   * Adds the session to the registration and answers REGISTERED; false when refused (answered ERROR).
   * `claimed`: the cluster granted the URI, so what this instance still lists of other instances' callees
   * standing in the way is out of date (they left; the news is on its way) and gives way.
   */
  private join(session: WampPeer, message: RegisterMessage, claimed = false): boolean {
    const callee = this.callees.of(session);
    const outcome = this.table.join(callee, message, claimed);
    if ('refused' in outcome) {
      this.refuseRegistration(session, message, outcome);
      return false;
    }
    session.send({ type: WampMessageType.REGISTERED, request: message.request, registration: outcome.id });
    if (outcome.callees.length === 1) this.registrations.report('created', outcome, session.id);
    this.registrations.report('registered', outcome, session.id);
    this.options.cluster?.joined(outcome, session.id, callee.takesChunks);
    return true;
  }

  private refuseRegistration(
    session: WampPeer,
    message: RegisterMessage,
    refusal: RegistrationRefusal,
  ): void {
    const callee = this.callees.get(session);
    // A session that never was a callee leaves nothing behind; one that was keeps its record (late answers).
    if (callee && !this.table.holds(callee) && !callee.wasSent(1) && callee.claiming === 0) {
      this.callees.forget(session);
    }
    this.reject(
      session,
      message.request,
      refusal.uri,
      refusal.message,
      refusal.kwargs,
      WampMessageType.REGISTER,
    );
  }

  /** Gives up this instance's claim on a URI when none of its clients serves it any more. */
  private releaseIfUnused(procedure: string, match: WampMatchPolicy): void {
    if (!this.table.lookup(procedure, match)?.clientCount)
      void this.options.cluster?.release(procedure, match);
  }

  unregister(session: WampPeer, message: UnregisterMessage): void {
    const callee = this.callees.get(session);
    const left = callee && this.table.leave(callee, message.registration);
    if (!left) {
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
    // The record stays until the session leaves: invocations already sent may still be answered (ending their
    // calls as usual), and a late answer to one that ended must be ignored, not taken for a forgery.
    const cluster = this.options.cluster;
    if (!cluster || left.clientCount > 0) {
      session.send({ type: WampMessageType.UNREGISTERED, request: message.request });
      this.reportLeft(left, session.id);
      return;
    }
    // The last callee here: the URI is free in the whole cluster once UNREGISTERED arrives, as on one router.
    const answer = (): void => {
      session.send({ type: WampMessageType.UNREGISTERED, request: message.request });
      this.reportLeft(left, session.id, false);
    };
    cluster.release(left.procedure, left.match).then(answer, answer);
  }

  yield(session: WampPeer, message: YieldMessage): void {
    const invocation = this.callees.answered(session, message.request, 'YIELD');
    if (!invocation) return;
    if (message.options.progress === true) {
      invocation.call.progress(message.args, message.kwargs);
      return;
    }
    invocation.answered = true;
    invocation.call.result(message.args, message.kwargs);
  }

  invocationError(session: WampPeer, message: ErrorMessage): void {
    const invocation = this.callees.answered(session, message.request, 'ERROR');
    if (!invocation) return;
    invocation.answered = true;
    invocation.call.error(message.error, message.args, message.kwargs);
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
    this.callees.forget(session);
    const released = this.table.releaseAll(callee);
    for (const invocation of [...callee.invocations.values()]) {
      invocation.answered = true;
      invocation.call.error(WampErrorUri.CANCELED, ['The callee left before answering.']);
    }
    for (const registration of released) this.reportLeft(registration, session.id);
  }

  /** Reports a callee removed from `registration`, and the registration's end when it was the last. */
  private reportLeft(registration: Registration, session: number, release = true): void {
    this.registrations.report('unregistered', registration, session);
    if (registration.callees.length === 0) this.registrations.report('deleted', registration, session);
    const cluster = this.options.cluster;
    if (!cluster) return;
    cluster.left(registration, session);
    if (release && registration.clientCount === 0) {
      void cluster.release(registration.procedure, registration.match);
    }
  }

  /**
   * A client callee of another instance joined a registration (as that instance announced): calls may reach it
   * from now on, and the registration meta API lists it. Its own instance reports the change to meta
   * subscribers (the report reaches every instance), so this one does not.
   */
  addClusterCallee(
    callee: ClusterCallee,
    procedure: string,
    match: WampMatchPolicy,
    invoke: InvocationPolicy,
  ): void {
    this.table.addClusterCallee(callee, procedure, match, invoke);
  }

  /** A client callee of another instance left a registration. */
  removeClusterCallee(node: string, session: number, procedure: string, match: WampMatchPolicy): void {
    this.table.removeClusterCallee(node, session, procedure, match);
  }

  /** Another instance left the cluster: its callees are no longer called. Returns how many registrations lost one. */
  forgetNode(node: string): number {
    return this.table.forgetNode(node);
  }

  /**
   * What this instance's client callees serve, for another instance that asks: each registration with a client
   * callee here, and those callees as `[session, takesChunks]`.
   */
  *clientRegistrations(): Iterable<{
    readonly registration: Registration;
    readonly callees: [number, boolean][];
  }> {
    for (const registration of this.table.values()) {
      if (registration.clientCount === 0) continue;
      const callees: [number, boolean][] = [];
      for (const callee of registration.callees) {
        if (callee.kind === 'remote') callees.push([callee.session.peer.id, callee.session.takesChunks]);
      }
      yield { registration, callees };
    }
  }

  /** Counts a routed call that ended: with its answer's outcome, or canceled when it ended unanswered. */
  private countFinished(call: PendingCall<DealerInvocation>, startedAt: number): void {
    const metrics = this.options.realmMetrics;
    if (!metrics) return;
    metrics.recorder.callFinished(
      metrics.realm,
      call.registrationUri ?? call.procedure,
      call.outcome ?? WampErrorUri.CANCELED,
      (performance.now() - startedAt) / 1000,
    );
  }

  private reject(
    session: WampPeer,
    request: number,
    uri: string,
    message: string,
    kwargs?: Record<string, unknown>,
    requestType: WampMessageType = WampMessageType.CALL,
  ): void {
    if (requestType === WampMessageType.CALL)
      this.options.realmMetrics?.recorder.callRefused(this.options.realmMetrics.realm, uri);
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

/** Whether `callee` takes a progressive call invocation (a caller streaming chunks). */
function takesChunks(callee: DealerCallee): boolean {
  if (callee.kind === 'local') return false;
  return callee.kind === 'cluster' ? callee.takesChunks : callee.session.takesChunks;
}

/** Why a REGISTER may not proceed: another instance holds its URI with the policy `holder`. */
function clusterRefusal(procedure: string, invoke: InvocationPolicy, holder: string): RegistrationRefusal {
  const uri = quoteUri(procedure);
  if (holder === 'single' || invoke === 'single') {
    return {
      refused: true,
      uri: WampErrorUri.PROCEDURE_ALREADY_EXISTS,
      message: `${uri} is already registered on another instance (invocation policy "${holder}").`,
    };
  }
  return {
    refused: true,
    uri: WampErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY,
    message: `${uri} is registered on another instance with invocation policy "${holder}", not "${invoke}".`,
  };
}

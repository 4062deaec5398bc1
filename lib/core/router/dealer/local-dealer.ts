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
import type { WampDealer } from '../wamp-dealer.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import { PendingCall } from './pending-call.js';
import type { LocalProcedure } from './wamp-call.interface.js';

/** URI of the ERROR a caller gets beyond its in-flight cap (not a spec URI: the spec defines none). */
export const TOO_MANY_CALLS_URI = 'nestjs_wamp.error.too_many_calls';

/** Settings of the in-process dealer. */
export interface LocalDealerOptions {
  /** Calls one session may have in flight; beyond it CALL gets ERROR `nestjs_wamp.error.too_many_calls`. */
  readonly maxCallsPerSession: number;
  /** Dealer-side timeout (ms) applied when the caller sets none; 0 = none. */
  readonly defaultCallTimeout: number;
  readonly logger: WampLogger;
}

interface Registration {
  readonly id: number;
  readonly procedure: string;
  readonly invoke: LocalProcedure;
}

/**
 * The in-process dealer: one registration table per realm, and the call machinery every callee shares —
 * progressive results, CANCEL (skip / kill / killnowait), dealer-side timeouts, caller disclosure, the
 * per-session in-flight cap, and clean-up when a caller leaves mid-call.
 *
 * Server-side procedures (Nest handlers) register with {@link LocalDealer.registerProcedure}. Client
 * callees (REGISTER / INVOCATION / YIELD) are not accepted in this version; they are meant to plug into the
 * same table and the same {@link PendingCall} machinery.
 */
export class LocalDealer implements WampDealer {
  readonly features: Readonly<Record<string, boolean>> = {
    progressive_call_results: true,
    call_canceling: true,
    call_timeout: true,
    caller_identification: true,
  };
  private readonly procedures = new Map<string, Registration>();
  private readonly callsBySession = new Map<WampPeer, Map<number, PendingCall>>();
  private readonly settle = (call: PendingCall): void => {
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
    if (this.procedures.has(procedure)) throw new Error(`Procedure "${procedure}" is already registered.`);
    const registration: Registration = { id: this.nextId(), procedure, invoke };
    this.procedures.set(procedure, registration);
    return () => {
      if (this.procedures.get(procedure) === registration) this.procedures.delete(procedure);
    };
  }

  /** Whether a procedure is registered under `procedure`. */
  hasProcedure(procedure: string): boolean {
    return this.procedures.has(procedure);
  }

  /** Number of calls in flight (all sessions). */
  get callsInFlight(): number {
    let count = 0;
    for (const calls of this.callsBySession.values()) count += calls.size;
    return count;
  }

  call(session: WampPeer, message: CallMessage): void {
    const registration = this.procedures.get(message.procedure);
    if (!registration) {
      this.reject(
        session,
        message.request,
        WampErrorUri.NO_SUCH_PROCEDURE,
        `No procedure is registered under ${quoteUri(message.procedure)}.`,
      );
      return;
    }
    let calls = this.callsBySession.get(session);
    if (calls?.has(message.request)) {
      session.protocolViolation(`CALL reuses request ID ${message.request} of a call still in flight.`);
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
    if (!calls) this.callsBySession.set(session, (calls = new Map()));
    const call = new PendingCall(session, message, this.settle);
    calls.set(message.request, call);
    const timeout =
      message.options.timeout !== undefined && message.options.timeout > 0
        ? message.options.timeout
        : this.options.defaultCallTimeout;
    if (timeout > 0) {
      call.startTimer(timeout, () => {
        call.interrupt('timeout');
        call.error(WampErrorUri.TIMEOUT, [`The call did not complete within ${timeout} ms.`]);
      });
    }
    try {
      registration.invoke(call);
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
   * CANCEL as the spec defines it for a callee that supports cancelling. For server-side procedures the
   * interrupt is synchronous (the abort signal fires and the stream is unsubscribed at once), so `kill`
   * answers as soon as that teardown ran, like `killnowait`; `skip` answers at once and lets the procedure
   * run on, discarding its result. A CANCEL for a call that already ended is ignored.
   */
  cancel(session: WampPeer, message: CancelMessage): void {
    const call = this.callsBySession.get(session)?.get(message.request);
    if (!call) return;
    const mode = message.options.mode ?? 'killnowait';
    if (mode !== 'skip') call.interrupt('canceled');
    call.error(WampErrorUri.CANCELED, [`The call was canceled (mode ${mode}).`]);
  }

  register(session: WampPeer, message: RegisterMessage): void {
    this.reject(
      session,
      message.request,
      WampErrorUri.NOT_AUTHORIZED,
      'This router does not accept client-registered procedures.',
      undefined,
      WampMessageType.REGISTER,
    );
  }

  unregister(session: WampPeer, message: UnregisterMessage): void {
    this.reject(
      session,
      message.request,
      WampErrorUri.NO_SUCH_REGISTRATION,
      `Registration ${message.registration} does not exist.`,
      undefined,
      WampMessageType.UNREGISTER,
    );
  }

  yield(session: WampPeer, message: YieldMessage): void {
    session.protocolViolation(`YIELD for unknown invocation ${message.request}.`);
  }

  invocationError(session: WampPeer, message: ErrorMessage): void {
    session.protocolViolation(`ERROR for unknown invocation ${message.request}.`);
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

  /** The caller left: every call it had in flight is abandoned and its procedure interrupted. */
  detach(session: WampPeer): void {
    const calls = this.callsBySession.get(session);
    if (!calls) return;
    this.callsBySession.delete(session);
    for (const call of [...calls.values()]) call.abandon('caller left');
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

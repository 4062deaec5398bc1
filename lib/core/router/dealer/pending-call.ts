import type { TraceCarrier, WampTraceSpan } from '../tracing/wamp-router-tracing.interface.js';
import { WampMessageType } from '../../protocol/message-type.enum.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { CallMessage, WampArgs, WampDict, WampKwargs } from '../../protocol/wamp-message.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { WampCall, WampCallerDisclosure } from './wamp-call.interface.js';

/** Largest delay `setTimeout` honours. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

const EMPTY_ARGS: WampArgs = Object.freeze([]) as WampArgs;
const EMPTY_KWARGS: WampKwargs = Object.freeze({});
/** RESULT.Details of every progressive result: one shared object rather than one per frame of a stream. */
const PROGRESS_DETAILS = Object.freeze({ progress: true });

/**
 * The dealer's record of one call in flight: it owns the timeout timer and the abort signal and makes sure
 * the caller gets exactly one final RESULT or ERROR. Finishing removes it from the dealer (`onSettled`).
 */
export class PendingCall<TRemote = unknown> implements WampCall {
  readonly procedure: string;
  readonly request: number;
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
  readonly options: CallMessage['options'];
  readonly receiveProgress: boolean;
  readonly disclosure?: WampCallerDisclosure;
  /** Created on first use: most calls never look at their signal, and one per call showed in profiles. */
  private controller?: AbortController;
  private timer?: NodeJS.Timeout;
  private done = false;
  private wasInterrupted = false;
  /** Why the call was interrupted (`timeout`, `canceled`, `caller left`, ...), once it was. */
  interruptReason?: string;
  /** How the callee is asked to stop: `kill` when the caller waits for its answer, else `killnowait`. */
  interruptMode: 'kill' | 'killnowait' = 'killnowait';
  /** What the dealer routes the call to when it is not a procedure in this process (a client callee's invocation). */
  remote?: TRemote;
  /**
   * How the call ended, for metrics: `result`, the ERROR URI, or `caller_gone`; set just before it settles.
   * Undefined while it runs.
   */
  outcome?: string;
  /** When the call was routed (`performance.now()`), when metrics time calls; undefined otherwise. */
  startedAt?: number;
  /** The URI of the registration it was routed to, when metrics count calls. */
  registrationUri?: string;
  /** The router's span for this call, when tracing is on; ended when the call settles. */
  span?: WampTraceSpan;

  /** The span's trace context for the callee (see {@link WampCall.traceCarrier}); undefined without tracing. */
  get traceCarrier(): TraceCarrier | undefined {
    return this.span?.carrier;
  }
  private interruptListeners?: (() => void)[];

  constructor(
    readonly caller: WampPeer,
    message: CallMessage,
    private readonly onSettled: (call: PendingCall<TRemote>) => void,
  ) {
    this.procedure = message.procedure;
    this.request = message.request;
    this.args = message.args ?? EMPTY_ARGS;
    this.kwargs = message.kwargs ?? EMPTY_KWARGS;
    this.options = message.options;
    this.receiveProgress = message.options.receive_progress === true;
    if (message.options.disclose_me === true) {
      const identity = caller.identity;
      this.disclosure = {
        caller: caller.id,
        caller_authid: identity?.authid,
        caller_authrole: identity?.authrole,
      };
    }
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  get settled(): boolean {
    return this.done;
  }

  get interrupted(): boolean {
    return this.wasInterrupted;
  }

  onInterrupt(listener: () => void): void {
    if (this.wasInterrupted) listener();
    else (this.interruptListeners ??= []).push(listener);
  }

  /** Starts the dealer-side timer (`call_timeout`): on expiry the procedure is aborted and the caller gets `timeout`. */
  startTimer(milliseconds: number, onExpired: () => void): void {
    // setTimeout fires at once for delays above 2^31 - 1 ms: a longer timeout (24.8 days) means "no timeout".
    if (milliseconds > MAX_TIMER_DELAY) return;
    this.timer = setTimeout(onExpired, milliseconds);
    this.timer.unref();
  }

  progress(args?: WampArgs, kwargs?: WampKwargs): void {
    if (this.done || !this.receiveProgress) return;
    const sent = this.caller.send({
      type: WampMessageType.RESULT,
      request: this.request,
      details: PROGRESS_DETAILS,
      args,
      kwargs,
    });
    if (!sent) {
      // The stream cannot go on as the caller asked: end it with an error rather than skip values silently.
      this.interrupt('result not encodable');
      this.failUnencodable();
    }
  }

  result(args?: WampArgs, kwargs?: WampKwargs): void {
    if (this.done) return;
    const sent = this.caller.send({
      type: WampMessageType.RESULT,
      request: this.request,
      details: {},
      args,
      kwargs,
    });
    if (sent) {
      this.outcome = 'result';
      this.finish();
    } else this.failUnencodable();
  }

  error(uri: string, args?: WampArgs, kwargs?: WampKwargs, details: WampDict = {}): void {
    if (this.done) return;
    const sent = this.caller.send({
      type: WampMessageType.ERROR,
      requestType: WampMessageType.CALL,
      request: this.request,
      details,
      error: uri,
      args,
      kwargs,
    });
    if (sent) {
      this.outcome = uri;
      this.finish();
    } else this.failUnencodable();
  }

  /**
   * A RESULT or ERROR the caller's serializer cannot carry (the session logged why): the caller still gets
   * one final answer, `wamp.error.runtime_error`, instead of waiting forever.
   */
  private failUnencodable(): void {
    if (this.done) return;
    this.outcome = WampErrorUri.RUNTIME_ERROR;
    if (!this.finish()) return;
    this.caller.send({
      type: WampMessageType.ERROR,
      requestType: WampMessageType.CALL,
      request: this.request,
      details: {},
      error: WampErrorUri.RUNTIME_ERROR,
      args: [`The procedure's answer cannot be encoded as ${this.caller.transport.protocol}.`],
    });
  }

  /**
   * Fires the procedure's abort signal, and the interrupt listeners (for a client callee, the dealer's, which
   * sends INTERRUPT). Only the first interrupt counts.
   */
  interrupt(reason: string, mode: 'kill' | 'killnowait' = 'killnowait'): void {
    if (this.wasInterrupted) return;
    this.wasInterrupted = true;
    this.interruptReason = reason;
    this.interruptMode = mode;
    // Created here if nobody asked yet, so a signal requested later still reports the interrupt.
    this.controller ??= new AbortController();
    this.controller.abort(new Error(reason));
    const listeners = this.interruptListeners;
    this.interruptListeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Ends the call without answering anyone (the caller is gone) and interrupts the procedure. */
  abandon(reason: string): void {
    if (this.done) return;
    this.outcome = 'caller_gone';
    if (!this.finish()) return;
    this.interrupt(reason);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    clearTimeout(this.timer);
    this.onSettled(this);
    return true;
  }
}

import type { TraceCarrier } from '../tracing/wamp-router-tracing.interface.js';
import type { CallOptions, WampArgs, WampDict, WampKwargs } from '../../protocol/wamp-message.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';

/** The caller's identity, disclosed to the procedure only when the caller set `disclose_me: true`. */
export interface WampCallerDisclosure {
  readonly caller: number;
  readonly caller_authid?: string;
  readonly caller_authrole?: string;
}

/**
 * One call as a server-side procedure sees it, and the only way for it to answer: a stream of
 * {@link WampCall.progress} reports ended by exactly one {@link WampCall.result} or {@link WampCall.error}.
 * Answers after the call ended (cancelled, timed out, caller gone) are dropped silently.
 */
export interface WampCall {
  /** The calling session. */
  readonly caller: WampPeer;
  /** Procedure URI as called. */
  readonly procedure: string;
  /** The caller's request ID. */
  readonly request: number;
  /** Positional arguments (empty list when none were sent). */
  readonly args: WampArgs;
  /** Keyword arguments (empty dict when none were sent). */
  readonly kwargs: WampKwargs;
  /** CALL.Options as sent. */
  readonly options: CallOptions;
  /** Whether the caller asked for progressive results (`receive_progress: true`). */
  readonly receiveProgress: boolean;
  /** The caller's identity when it asked to disclose it, else `undefined`. */
  readonly disclosure?: WampCallerDisclosure;
  /**
   * The trace context of the router's span for this call, when tracing is on: what goes on to the callee
   * (INVOCATION.Details, or the CALL forwarded to another instance).
   */
  readonly traceCarrier?: TraceCarrier;
  /** Fires on CANCEL (kill / killnowait), timeout, or loss of the caller's session. */
  readonly signal: AbortSignal;
  /** Whether the call was interrupted (the same events as {@link WampCall.signal}). */
  readonly interrupted: boolean;
  /** Whether the call has ended (answered, cancelled, timed out or caller gone). */
  readonly settled: boolean;
  /**
   * Runs `listener` once when the call is interrupted (at once if it already was). The same events as
   * {@link WampCall.signal}, without an `AbortController` and event listener per call: for the transport's
   * own hot path, where most calls are never interrupted.
   */
  onInterrupt(listener: () => void): void;
  /** Sends a progressive result if the caller asked for them (else does nothing). */
  progress(args?: WampArgs, kwargs?: WampKwargs): void;
  /** Ends the call with RESULT. */
  result(args?: WampArgs, kwargs?: WampKwargs): void;
  /** Ends the call with ERROR `uri`. */
  error(uri: string, args?: WampArgs, kwargs?: WampKwargs, details?: WampDict): void;
}

/**
 * A procedure implemented inside the router process (e.g. a Nest `@MessagePattern` handler). It starts
 * the work and answers through the {@link WampCall} whenever it is done; it must not throw.
 */
export type LocalProcedure = (call: WampCall) => void;

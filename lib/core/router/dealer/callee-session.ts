import { MAX_ID } from '../../protocol/wamp-id.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { ForwardedInvocation } from './forwarded-invocation.interface.js';
import type { PendingCall } from './pending-call.js';

/** Where a call in flight went: a client callee of this instance, or another instance of the cluster. */
export type DealerInvocation = RemoteInvocation | ForwardedInvocation;

/**
 * One INVOCATION sent to a client callee: the call it serves, and where the callee's YIELD or ERROR goes. Kept
 * in its {@link CalleeSession} under the invocation's request ID until the call settles.
 */
export class RemoteInvocation {
  /** Tells it from an invocation forwarded to another instance. */
  readonly kind = 'client';
  /** Whether the callee has given its final answer (YIELD without `progress`, or ERROR). */
  answered = false;
  /** Whether a CANCEL in mode `kill` is waiting for the callee's answer. */
  killing = false;
  /** Bounds the wait of a `kill`: the caller gets ERROR `canceled` when the callee stays silent. */
  killTimer?: NodeJS.Timeout;
  /** Whether the caller is streaming input (progressive call invocations) and has not sent its final chunk. */
  acceptsChunks = false;

  constructor(
    /** INVOCATION.Request: from the callee session's own sequence. */
    readonly request: number,
    /** INVOCATION.Registration: repeated on every chunk of a progressive call invocation. */
    readonly registration: number,
    readonly call: PendingCall<DealerInvocation>,
    readonly callee: CalleeSession,
  ) {}
}

/**
 * The dealer's channel to a client session acting as a callee: the invocations it has not answered, its
 * INVOCATION request IDs (sequential from 1 per session, as the spec asks), and the callee features it
 * announced in HELLO that change what the dealer sends it.
 */
export class CalleeSession {
  /** Invocations sent and not yet settled, by INVOCATION.Request. */
  readonly invocations = new Map<number, RemoteInvocation>();
  /** Whether it announced `call_canceling`: without it, the spec's cancel mode is `skip` (no INTERRUPT). */
  readonly canCancel: boolean;
  /** Whether it announced `progressive_call_results`: only then is `receive_progress` passed on. */
  readonly sendsProgress: boolean;
  /**
   * Whether it accepts progressive call invocations (a caller streaming input chunks to one invocation): it
   * announced `progressive_call_invocations` and `call_canceling`, as the spec requires for them.
   */
  readonly takesChunks: boolean;
  /** REGISTERs waiting for the cluster's answer: they count toward the session's registration limit. */
  claiming = 0;
  private lastRequest = 0;
  private wrapped = false;

  constructor(readonly peer: WampPeer) {
    this.canCancel = peer.features.has('callee.call_canceling');
    this.sendsProgress = peer.features.has('callee.progressive_call_results');
    this.takesChunks = this.canCancel && peer.features.has('callee.progressive_call_invocations');
  }

  /** The next INVOCATION.Request for this callee. */
  nextRequest(): number {
    if (this.lastRequest >= MAX_ID) {
      this.lastRequest = 0;
      this.wrapped = true;
    }
    return ++this.lastRequest;
  }

  /**
   * Whether `request` was sent to this callee at some point: a late YIELD or ERROR for it (after a cancel or a
   * timeout ended the call) is ignored, while one for an ID never sent is a protocol violation.
   */
  wasSent(request: number): boolean {
    return this.wrapped || (request >= 1 && request <= this.lastRequest);
  }
}

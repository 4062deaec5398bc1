import type { CallMessage } from '../../protocol/wamp-message.interface.js';

/**
 * A call the dealer handed to another instance of the cluster, whose dealer invokes the callee there and
 * answers: that instance runs the timeout, the cancel modes and the invocation limits as for its own callers,
 * and this one passes on what the caller sends and what comes back.
 */
export interface ForwardedInvocation {
  readonly kind: 'forwarded';
  /** Whether the caller is still streaming chunks of a progressive call invocation. */
  acceptsChunks: boolean;
  /** Passes on the next chunk of a progressive call invocation. */
  sendChunk(message: CallMessage): void;
  /** Passes on the caller's CANCEL; the other instance answers it. */
  cancel(mode: 'skip' | 'kill' | 'killnowait'): void;
  /** The call ended on this instance (answered, or its caller left): stop waiting for the other's answer. */
  settled(): void;
}

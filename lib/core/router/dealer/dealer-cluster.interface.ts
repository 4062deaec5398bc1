import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { ForwardedInvocation } from './forwarded-invocation.interface.js';
import type { ClusterCallee, InvocationPolicy, Registration } from './registration.js';
import type { WampCall } from './wamp-call.interface.js';

/**
 * What the dealer needs from the other instances of a cluster: the right to register a URI (decided across
 * instances, so `single` means one callee in the whole cluster), telling the others of its callees, and taking
 * a call to a callee connected elsewhere. Implemented over the backplane; a dealer without it serves one process.
 */
export interface DealerCluster {
  /**
   * Asks for the right to add a callee of this instance to the registration of `procedure` with `invoke`:
   * resolves `undefined` when granted, else the invocation policy it is held with elsewhere.
   */
  claim(procedure: string, match: WampMatchPolicy, invoke: InvocationPolicy): Promise<string | undefined>;
  /** This instance has no callee of that registration any more; resolves once the others may claim it. */
  release(procedure: string, match: WampMatchPolicy): Promise<void>;
  /** Tells the other instances that a client callee of this instance joined `registration`. */
  joined(registration: Registration, session: number, takesChunks: boolean): void;
  /** Tells the other instances that a client callee of this instance left `registration`. */
  left(registration: Registration, session: number): void;
  /** Sends `call` to the instance of `callee`; `timeout` (ms, 0 for none) is for that instance to run. */
  forward(call: WampCall, callee: ClusterCallee, timeout: number): ForwardedInvocation;
}

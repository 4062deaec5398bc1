import type {
  CallMessage,
  CancelMessage,
  ErrorMessage,
  RegisterMessage,
  UnregisterMessage,
  YieldMessage,
} from '../protocol/wamp-message.interface.js';
import type { LocalProcedure } from './dealer/wamp-call.interface.js';
import type { RegistrationCatalog } from './registration-catalog.interface.js';
import type { WampPeer } from './wamp-peer.interface.js';

/**
 * The dealer role of one realm: routes CALLs to procedures and their results back. Server-side Nest
 * handlers and client-registered callees share one dealer (one registration table, one cancel/timeout/
 * progress machinery).
 */
export interface WampDealer {
  /** Features announced in WELCOME `roles.dealer.features`: only what works. */
  readonly features: Readonly<Record<string, boolean>>;
  /**
   * What the dealer tells about its registrations (the registration meta API is built on it). Optional: a
   * dealer without it has no registration meta API, and WELCOME does not announce one.
   */
  readonly registrations?: RegistrationCatalog;
  /**
   * Registers a procedure implemented in this process (a Nest handler) under an exact URI; throws if the
   * URI is taken. Returns a function that unregisters it.
   */
  registerProcedure(procedure: string, invoke: LocalProcedure): () => void;
  /**
   * Routes a CALL. `continuation` is set when the session knows the request ID is not new (`checkRequestIds`):
   * the CALL may then only continue a progressive call invocation.
   */
  call(session: WampPeer, message: CallMessage, continuation?: boolean): void;
  cancel(session: WampPeer, message: CancelMessage): void;
  register(session: WampPeer, message: RegisterMessage): void;
  unregister(session: WampPeer, message: UnregisterMessage): void;
  yield(session: WampPeer, message: YieldMessage): void;
  /** ERROR from a callee answering an INVOCATION. */
  invocationError(session: WampPeer, message: ErrorMessage): void;
  /** Number of calls in flight (all sessions). */
  readonly callsInFlight: number;
  /** Ends every call in flight with ERROR `uri` and interrupts its procedure (shutdown). */
  abortAll(uri: string, message: string): void;
  /** Releases everything the session held (calls, registrations). Called once when it ends. */
  detach(session: WampPeer): void;
}

import type {
  CallMessage,
  CancelMessage,
  ErrorMessage,
  RegisterMessage,
  UnregisterMessage,
  YieldMessage,
} from '../protocol/wamp-message.interface.js';
import type { LocalProcedure } from './dealer/wamp-call.interface.js';
import type { WampSession } from './wamp-session.js';

/**
 * The dealer role of one realm: routes CALLs to procedures and their results back. Server-side Nest
 * handlers and client-registered callees share one dealer (one registration table, one cancel/timeout/
 * progress machinery).
 */
export interface WampDealer {
  /** Features announced in WELCOME `roles.dealer.features`: only what works. */
  readonly features: Readonly<Record<string, boolean>>;
  /**
   * Registers a procedure implemented in this process (a Nest handler) under an exact URI; throws if the
   * URI is taken. Returns a function that unregisters it.
   */
  registerProcedure(procedure: string, invoke: LocalProcedure): () => void;
  call(session: WampSession, message: CallMessage): void;
  cancel(session: WampSession, message: CancelMessage): void;
  register(session: WampSession, message: RegisterMessage): void;
  unregister(session: WampSession, message: UnregisterMessage): void;
  yield(session: WampSession, message: YieldMessage): void;
  /** ERROR from a callee answering an INVOCATION. */
  invocationError(session: WampSession, message: ErrorMessage): void;
  /** Number of calls in flight (all sessions). */
  readonly callsInFlight: number;
  /** Ends every call in flight with ERROR `uri` and interrupts its procedure (shutdown). */
  abortAll(uri: string, message: string): void;
  /** Releases everything the session held (calls, registrations). Called once when it ends. */
  detach(session: WampSession): void;
}

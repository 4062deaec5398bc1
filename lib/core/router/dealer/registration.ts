import type { RegisterOptions, WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { RegistrationFacts } from '../registration-catalog.interface.js';
import type { CalleeSession } from './callee-session.js';
import type { LocalProcedure } from './wamp-call.interface.js';

/** How a shared registration picks the callee of each call (REGISTER.Options.invoke). */
export type InvocationPolicy = NonNullable<RegisterOptions['invoke']>;

/** A client session serving a registration, with the options of its REGISTER. */
export interface RemoteCallee {
  readonly kind: 'remote';
  readonly session: CalleeSession;
  /** REGISTER.Options.disclose_caller: the caller's identity goes in every INVOCATION. */
  readonly discloseCaller: boolean;
  /** REGISTER.Options.forward_timeout: the callee runs CALL.Options.timeout itself. */
  readonly forwardTimeout: boolean;
}

/** A procedure in this process (a Nest handler) serving a registration. */
export interface LocalCallee {
  readonly kind: 'local';
  readonly procedure: LocalProcedure;
}

/** Where a registration's calls go; the dealer's call machinery is the same for both. */
export type DealerCallee = RemoteCallee | LocalCallee;

/**
 * One registration: a URI with its match policy, its invocation policy, and the callees serving it in the
 * order they registered (the order `first`, `last` and `roundrobin` follow). Callees of one registration are
 * either one procedure in this process or client sessions, never both: the application's own procedures are
 * `single`.
 */
export class Registration {
  /** Callees in registration order (added with {@link Registration.add}). */
  readonly callees: DealerCallee[] = [];
  /** The client callees by session: membership in O(1) however many sessions share the registration. */
  private readonly remote = new Map<CalleeSession, RemoteCallee>();
  /** When it was created, as an ISO 8601 string (for the registration meta API). */
  readonly created = new Date().toISOString();
  private nextIndex = 0;

  constructor(
    /** Registration ID (router scope), the same for every callee of a shared registration. */
    readonly id: number,
    /** The URI or pattern registered. */
    readonly procedure: string,
    readonly match: WampMatchPolicy,
    readonly invoke: InvocationPolicy,
  ) {}

  /** What the registration meta API tells about it. */
  get facts(): RegistrationFacts {
    return {
      id: this.id,
      created: this.created,
      uri: this.procedure,
      match: this.match,
      invoke: this.invoke,
    };
  }

  /** Whether a procedure in this process serves it (an application handler). */
  get local(): boolean {
    return this.callees[0]?.kind === 'local';
  }

  /** The callee of the next call, by the invocation policy; undefined when none is left. */
  pick(): DealerCallee | undefined {
    const callees = this.callees;
    switch (this.invoke) {
      case 'last':
        return callees[callees.length - 1];
      case 'random':
        return callees[Math.floor(Math.random() * callees.length)];
      case 'roundrobin': {
        if (this.nextIndex >= callees.length) this.nextIndex = 0;
        return callees[this.nextIndex++];
      }
      default:
        return callees[0];
    }
  }

  /** Adds a callee at the end of the order. */
  add(callee: DealerCallee): void {
    this.callees.push(callee);
    if (callee.kind === 'remote') this.remote.set(callee.session, callee);
  }

  /** The entry of a client session among the callees. */
  calleeOf(session: CalleeSession): RemoteCallee | undefined {
    return this.remote.get(session);
  }

  /**
   * Removes a client session from the callees; a `roundrobin` rotation goes on with the callee after it.
   * Returns whether it was one.
   */
  remove(session: CalleeSession): boolean {
    const entry = this.remote.get(session);
    if (!entry) return false;
    this.remote.delete(session);
    const index = this.callees.indexOf(entry);
    this.callees.splice(index, 1);
    if (index < this.nextIndex) this.nextIndex--;
    return true;
  }
}

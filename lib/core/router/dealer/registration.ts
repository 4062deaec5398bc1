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

/**
 * A client session on another instance of the cluster serving a registration: its calls are forwarded to that
 * instance, whose dealer invokes it.
 */
export interface ClusterCallee {
  readonly kind: 'cluster';
  /** The instance the callee is connected to (its backplane node ID). */
  readonly node: string;
  /** The callee's session ID. */
  readonly session: number;
  /** Whether it accepts progressive call invocations (see {@link CalleeSession.takesChunks}). */
  readonly takesChunks: boolean;
}

/** Where a registration's calls go; the dealer's call machinery is the same for every kind. */
export type DealerCallee = RemoteCallee | LocalCallee | ClusterCallee;

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
  /** The callees on other instances, by `"<node> <session>"`. */
  private readonly cluster = new Map<string, ClusterCallee>();
  /** How many callees each other instance has here. */
  private readonly perNode = new Map<string, number>();
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

  /** Number of client callees connected to this instance. */
  get clientCount(): number {
    return this.remote.size;
  }

  /**
   * The callee of the next call, by the invocation policy; undefined when none is left. `hereOnly` leaves out
   * callees on other instances (for a call another instance forwarded here: it already chose this one).
   */
  pick(hereOnly = false): DealerCallee | undefined {
    if (hereOnly && this.cluster.size > 0) {
      const here = this.callees.filter((callee) => callee.kind !== 'cluster');
      return here[this.invoke === 'roundrobin' ? this.nextIndex++ % here.length : this.indexFor(here.length)];
    }
    const callees = this.callees;
    if (this.invoke === 'roundrobin') {
      if (this.nextIndex >= callees.length) this.nextIndex = 0;
      return callees[this.nextIndex++];
    }
    return callees[this.indexFor(callees.length)];
  }

  /** The index `first`, `last`, `random` and `single` pick among `count` callees. */
  private indexFor(count: number): number {
    if (this.invoke === 'last') return count - 1;
    if (this.invoke === 'random') return Math.floor(Math.random() * count);
    return 0;
  }

  /** Adds a callee at the end of the order. */
  add(callee: DealerCallee): void {
    this.callees.push(callee);
    if (callee.kind === 'remote') this.remote.set(callee.session, callee);
    else if (callee.kind === 'cluster') {
      this.cluster.set(`${callee.node} ${callee.session}`, callee);
      this.perNode.set(callee.node, (this.perNode.get(callee.node) ?? 0) + 1);
    }
  }

  /** Whether the session `session` of instance `node` is among the callees. */
  hasClusterCallee(node: string, session: number): boolean {
    return this.cluster.has(`${node} ${session}`);
  }

  /** Whether any callee of instance `node` serves it. */
  hasNode(node: string): boolean {
    return this.perNode.has(node);
  }

  /**
   * Removes the callee `session` of instance `node` (or, without `session`, every callee of that instance);
   * returns whether one was removed.
   */
  removeCluster(node: string, session?: number): boolean {
    if (session !== undefined) {
      const entry = this.cluster.get(`${node} ${session}`);
      if (!entry) return false;
      this.cluster.delete(`${node} ${session}`);
      this.dropFromOrder(this.callees.indexOf(entry));
      const left = (this.perNode.get(node) ?? 1) - 1;
      if (left > 0) this.perNode.set(node, left);
      else this.perNode.delete(node);
      return true;
    }
    if (!this.perNode.delete(node)) return false;
    for (let index = this.callees.length - 1; index >= 0; index--) {
      const callee = this.callees[index];
      if (callee.kind !== 'cluster' || callee.node !== node) continue;
      this.cluster.delete(`${node} ${callee.session}`);
      this.dropFromOrder(index);
    }
    return true;
  }

  /** Takes the callee at `index` out of the order; a `roundrobin` rotation goes on with the one after it. */
  private dropFromOrder(index: number): void {
    this.callees.splice(index, 1);
    if (index < this.nextIndex) this.nextIndex--;
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
    this.dropFromOrder(this.callees.indexOf(entry));
    return true;
  }
}

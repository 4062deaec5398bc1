import { quoteUri } from '../../protocol/quote-uri.js';
import type { RegisterMessage } from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import { UriMatchIndex } from '../uri-index/uri-match-index.js';
import type { CalleeSession } from './callee-session.js';
import { Registration, type ClusterCallee } from './registration.js';
import type { LocalProcedure } from './wamp-call.interface.js';

/** URI of the ERROR a REGISTER gets beyond the session's registration cap. */
export const TOO_MANY_REGISTRATIONS_URI = 'nestjs_wamp.error.too_many_registrations';

/** URIs under this prefix belong to the router (meta API): no client registers them or receives their calls. */
const RESERVED_PREFIX = 'wamp.';

/** Why a REGISTER was refused: the ERROR's URI, its message (args[0]) and kwargs. */
export interface RegistrationRefusal {
  readonly refused: true;
  readonly uri: string;
  readonly message: string;
  readonly kwargs?: Record<string, unknown>;
}

/**
 * A realm's registrations: the application's procedures and the clients', in one URI index (exact, prefix and
 * wildcard), by ID, and by client callee (released together when it leaves). Decides who may register what:
 * the application owns its URIs, `wamp.` is the router's, `single` registrations are not shared, a shared one
 * keeps its invocation policy, and a session holds at most `maxPerSession`.
 */
export class RegistrationTable {
  private readonly index = new UriMatchIndex<Registration>();
  private readonly byId = new Map<number, Registration>();
  private readonly heldBy = new Map<CalleeSession, Set<Registration>>();
  /** The registrations each other instance of the cluster has callees in. */
  private readonly byNode = new Map<string, Set<Registration>>();

  constructor(
    private readonly nextId: () => number,
    private readonly maxPerSession: number,
    /** How a registration's ID is derived (in a cluster, alike on every instance); random when absent. */
    private readonly deriveId?: (procedure: string, match: Registration['match']) => number,
    private readonly onIdTaken?: (id: number, procedure: string) => void,
  ) {}

  /** Number of registrations (a shared one counted once). */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Registers a procedure of the application under an exact URI; throws when the URI is taken. Returns the
   * registration (removed with {@link RegistrationTable.removeProcedure}).
   */
  addProcedure(procedure: string, invoke: LocalProcedure): Registration {
    const existing = this.index.get(procedure, 'exact');
    if (existing) {
      throw new Error(
        `Procedure "${procedure}" is already registered${existing.local ? '' : ' by a client session'}.`,
      );
    }
    const registration = new Registration(this.newId(procedure, 'exact'), procedure, 'exact', 'single');
    registration.add({ kind: 'local', procedure: invoke });
    this.add(registration);
    return registration;
  }

  /** Removes a procedure of the application; false when it was already removed. */
  removeProcedure(registration: Registration): boolean {
    if (this.byId.get(registration.id) !== registration) return false;
    this.delete(registration);
    return true;
  }

  /** The registration with this ID. */
  get(id: number): Registration | undefined {
    return this.byId.get(id);
  }

  /** The registration of exactly this URI and match policy. */
  lookup(uri: string, match: Registration['match']): Registration | undefined {
    return this.index.get(uri, match);
  }

  /** The registration a CALL of `procedure` reaches by the spec's precedence, whoever its callee is. */
  best(procedure: string): Registration | undefined {
    return this.index.best(procedure);
  }

  /** Every registration, in creation order. */
  values(): IterableIterator<Registration> {
    return this.byId.values();
  }

  /** Whether a procedure (of the application or a client) is registered under exactly `procedure`. */
  hasExact(procedure: string): boolean {
    return this.index.get(procedure, 'exact') !== undefined;
  }

  /** The registration a CALL of `procedure` reaches, by the spec's precedence; none for `wamp.` on clients. */
  route(procedure: string): Registration | undefined {
    const registration = this.index.best(procedure);
    if (registration && !registration.local && procedure.startsWith(RESERVED_PREFIX)) return undefined;
    return registration;
  }

  /**
   * Why `callee` may not register the URI of `message` as things stand, if it may not; changes nothing.
   * `clusterDecides`: a registration held only by callees of other instances is no reason here (the cluster's
   * claim decides; this instance's view of the others may be out of date).
   */
  refusal(
    callee: CalleeSession,
    message: RegisterMessage,
    clusterDecides = false,
  ): RegistrationRefusal | undefined {
    const { procedure, options } = message;
    if (procedure.startsWith(RESERVED_PREFIX)) {
      return refusal(
        WampErrorUri.INVALID_URI,
        `${quoteUri(procedure)} is reserved for the router: URIs under "wamp." cannot be registered.`,
      );
    }
    const held = this.heldBy.get(callee);
    if ((held?.size ?? 0) + callee.claiming >= this.maxPerSession) {
      return refusal(
        TOO_MANY_REGISTRATIONS_URI,
        `Too many registrations: this session may hold at most ${this.maxPerSession}.`,
        { limit: this.maxPerSession },
      );
    }
    const registration = this.index.get(procedure, options.match ?? 'exact');
    if (!registration || (clusterDecides && isOnlyElsewhere(registration))) return undefined;
    return sharingRefusal(registration, options.invoke ?? 'single', callee);
  }

  /** Makes `callee` a callee of the URI of `message` (a new registration or a shared one), or says why not. */
  join(callee: CalleeSession, message: RegisterMessage, claimed = false): Registration | RegistrationRefusal {
    const { procedure, options } = message;
    const match = options.match ?? 'exact';
    let registration = this.index.get(procedure, match);
    if (
      claimed &&
      registration &&
      isOnlyElsewhere(registration) &&
      sharingRefusal(registration, options.invoke ?? 'single', callee)
    ) {
      // The cluster granted the URI: the other instances' callees listed here have left (the news is late).
      this.delete(registration);
      registration = undefined;
    }
    const refused = this.refusal(callee, message);
    if (refused) return refused;
    if (!registration) {
      registration = new Registration(
        this.newId(procedure, match),
        procedure,
        match,
        options.invoke ?? 'single',
      );
      this.add(registration);
    }
    const held = this.heldBy.get(callee);
    registration.add({
      kind: 'remote',
      session: callee,
      discloseCaller: options.disclose_caller === true,
      forwardTimeout: options.forward_timeout === true,
    });
    if (held) held.add(registration);
    else this.heldBy.set(callee, new Set([registration]));
    return registration;
  }

  /** Removes `callee` from registration `id`; `undefined` when it is not one of its callees. */
  leave(callee: CalleeSession, id: number): Registration | undefined {
    const registration = this.byId.get(id);
    if (!registration || !this.heldBy.get(callee)?.has(registration)) return undefined;
    this.removeCallee(registration, callee);
    return registration;
  }

  /** Whether `callee` holds any registration. */
  holds(callee: CalleeSession): boolean {
    return this.heldBy.has(callee);
  }

  /** Removes `callee` from every registration it holds (it left); returns them. */
  releaseAll(callee: CalleeSession): Registration[] {
    const held = [...(this.heldBy.get(callee) ?? [])];
    for (const registration of held) this.removeCallee(registration, callee);
    return held;
  }

  /**
   * Adds a callee on another instance (as that instance announced it): to the registration of the URI, made if
   * there is none. Returns the registration, or `undefined` when the URI is one of this application's own
   * procedures (every instance has them, so no client holds the URI anywhere) or the callee is known already.
   */
  addClusterCallee(
    callee: ClusterCallee,
    procedure: string,
    match: Registration['match'],
    invoke: Registration['invoke'],
  ): Registration | undefined {
    let registration = this.index.get(procedure, match);
    if (registration?.local || registration?.hasClusterCallee(callee.node, callee.session)) return undefined;
    if (!registration) {
      registration = new Registration(this.newId(procedure, match), procedure, match, invoke);
      this.add(registration);
    }
    registration.add(callee);
    let held = this.byNode.get(callee.node);
    if (!held) this.byNode.set(callee.node, (held = new Set()));
    held.add(registration);
    return registration;
  }

  /** Removes the callee `session` of instance `node` from the registration of the URI; returns it if it was one. */
  removeClusterCallee(
    node: string,
    session: number,
    procedure: string,
    match: Registration['match'],
  ): Registration | undefined {
    const registration = this.index.get(procedure, match);
    if (!registration?.removeCluster(node, session)) return undefined;
    if (!registration.hasNode(node)) this.byNode.get(node)?.delete(registration);
    if (registration.callees.length === 0) this.delete(registration);
    return registration;
  }

  /** Removes every callee of instance `node` (it left the cluster); returns how many registrations it was in. */
  forgetNode(node: string): number {
    const held = this.byNode.get(node);
    if (!held) return 0;
    this.byNode.delete(node);
    for (const registration of held) {
      if (this.byId.get(registration.id) !== registration) continue;
      registration.removeCluster(node);
      if (registration.callees.length === 0) this.delete(registration);
    }
    return held.size;
  }

  /** The ID of a new registration: derived when the table knows how, random otherwise or if it is taken. */
  private newId(procedure: string, match: Registration['match']): number {
    if (!this.deriveId) return this.nextId();
    const id = this.deriveId(procedure, match);
    if (!this.byId.has(id)) return id;
    this.onIdTaken?.(id, procedure);
    return this.nextId();
  }

  private removeCallee(registration: Registration, callee: CalleeSession): void {
    registration.remove(callee);
    const held = this.heldBy.get(callee);
    held?.delete(registration);
    if (held?.size === 0) this.heldBy.delete(callee);
    if (registration.callees.length === 0) this.delete(registration);
  }

  private add(registration: Registration): void {
    this.index.set(registration.procedure, registration.match, registration);
    this.byId.set(registration.id, registration);
  }

  private delete(registration: Registration): void {
    this.index.delete(registration.procedure, registration.match);
    this.byId.delete(registration.id);
  }
}

function refusal(uri: string, message: string, kwargs?: Record<string, unknown>): RegistrationRefusal {
  return { refused: true, uri, message, kwargs };
}

/** Why a REGISTER may not join an existing registration of the same URI and match policy, if it may not. */
function sharingRefusal(
  registration: Registration,
  invoke: Registration['invoke'],
  callee: CalleeSession,
): RegistrationRefusal | undefined {
  const uri = quoteUri(registration.procedure);
  if (registration.local) {
    return refusal(
      WampErrorUri.PROCEDURE_ALREADY_EXISTS,
      `${uri} is a procedure of the application; it cannot be registered by a client.`,
    );
  }
  if (registration.calleeOf(callee)) {
    return refusal(
      WampErrorUri.PROCEDURE_ALREADY_EXISTS,
      `This session has already registered ${uri} (registration ${registration.id}).`,
    );
  }
  if (registration.invoke === 'single') {
    return refusal(
      WampErrorUri.PROCEDURE_ALREADY_EXISTS,
      `${uri} is already registered (invocation policy "single").`,
    );
  }
  if (registration.invoke !== invoke) {
    return refusal(
      WampErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY,
      `${uri} is registered with invocation policy "${registration.invoke}", not "${invoke}".`,
    );
  }
  return undefined;
}

/** Whether only callees of other instances serve `registration` (none of this instance, no application procedure). */
function isOnlyElsewhere(registration: Registration): boolean {
  return registration.clientCount === 0 && !registration.local;
}

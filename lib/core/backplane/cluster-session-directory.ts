import type { SessionDirectory, SessionKill } from '../router/meta/session-directory.js';
import { sessionMetaDetails, type SessionMetaDetails } from '../router/meta/session-meta-details.js';
import type { WampLogger } from '../router/wamp-logger.interface.js';
import type { WampPeer } from '../router/wamp-peer.interface.js';
import type { WampRealm, WampRealmObserver } from '../router/wamp-realm.js';
import { decodeBackplaneMessage, encodeBackplaneMessage } from './backplane-codec.js';
import type { ClusterMembership } from './cluster-membership.js';
import type { WampBackplane } from './wamp-backplane.interface.js';

const SESSIONS = 'sessions';
const ON_LEAVE = 'wamp.session.on_leave';
/** How many leases the claim on a lost instance lasts: longer than any survivor takes to notice the loss. */
const LOSS_CLAIM_LEASES = 10;

/** What one other instance has told about its sessions. */
interface InstanceSessions {
  sessions: Map<number, SessionMetaDetails>;
}

/**
 * The sessions of a realm across every instance of a cluster, for the session meta API: this instance's own,
 * plus what the others announce over the backplane (joins, leaves, and a snapshot when an instance starts). An
 * instance the {@link ClusterMembership} loses (silent for the lease, or left) is forgotten with its sessions.
 * `kill` ends a session wherever it is: here, or by asking its instance.
 */
export class ClusterSessionDirectory implements SessionDirectory, WampRealmObserver {
  private readonly others = new Map<string, InstanceSessions>();
  private readonly channel: string;
  private stopReceiving?: () => void;
  private stopWatching?: () => void;

  constructor(
    private readonly realm: WampRealm,
    private readonly local: SessionDirectory,
    private readonly backplane: WampBackplane,
    private readonly membership: ClusterMembership,
    private readonly logger: WampLogger,
  ) {
    this.channel = `wamp/${realm.name}/sessions`;
  }

  /** Starts listening and asks the others for their sessions; returns a function that stops. */
  start(): () => void {
    this.stopReceiving = this.backplane.subscribe(this.channel, (payload, from) =>
      this.receive(payload, from),
    );
    this.stopWatching = this.membership.onLost((node) => this.forget(node));
    // Back after a loss of connection: joins and leaves announced meanwhile may be lost; everyone tells again.
    const stopResyncing = this.membership.onReconnected(() => this.send(['sync']));
    this.send(['sync']);
    return () => {
      stopResyncing();
      this.stopWatching?.();
      this.stopReceiving?.();
    };
  }

  get size(): number {
    let size = this.local.size;
    for (const other of this.others.values()) size += other.sessions.size;
    return size;
  }

  *values(): Iterable<SessionMetaDetails> {
    yield* this.local.values();
    for (const other of this.others.values()) yield* other.sessions.values();
  }

  get(id: number): SessionMetaDetails | undefined {
    const here = this.local.get(id);
    if (here) return here;
    for (const other of this.others.values()) {
      const there = other.sessions.get(id);
      if (there) return there;
    }
    return undefined;
  }

  kill(id: number, how: SessionKill): boolean {
    if (this.local.kill(id, how)) return true;
    if (![...this.others.values()].some((other) => other.sessions.has(id))) return false;
    this.send(['kill', id, how.reason, how.message ?? null, how.silent]);
    return true;
  }

  joined(session: WampPeer): void {
    this.send(['joined', sessionMetaDetails(session)]);
  }

  left(session: WampPeer): void {
    this.send(['left', session.id]);
  }

  private send(body: unknown[]): void {
    this.backplane
      .broadcast(this.channel, encodeBackplaneMessage(SESSIONS, body))
      .catch((error: unknown) =>
        this.logger.warn(`Backplane: session directory not told (${String(error)})`),
      );
  }

  private receive(payload: Uint8Array, from: string): void {
    if (from === this.backplane.nodeId) return;
    let body: unknown[];
    try {
      const message = decodeBackplaneMessage(payload);
      if (message.kind !== SESSIONS || !Array.isArray(message.body)) return;
      body = message.body;
    } catch (error) {
      this.logger.error(`Backplane: a session message from instance ${from} was dropped`, String(error));
      return;
    }
    const other = this.instance(from);
    switch (body[0]) {
      case 'joined': {
        const details = body[1] as SessionMetaDetails;
        if (typeof details?.session === 'number') other.sessions.set(details.session, details);
        return;
      }
      case 'left':
        other.sessions.delete(body[1] as number);
        return;
      case 'sync':
        // A new instance asks: everyone answers with what it has.
        this.send(['snapshot', [...this.local.values()]]);
        return;
      case 'snapshot':
        other.sessions = new Map(
          ((body[1] as SessionMetaDetails[]) ?? []).map((details) => [details.session, details]),
        );
        return;
      case 'kill': {
        const [, id, reason, message, silent] = body as [string, number, string, string | null, boolean];
        this.local.kill(id, { reason, message: message ?? undefined, silent: silent === true });
        return;
      }
      default:
      // A verb of a later version: being heard of is all it says here.
    }
  }

  private instance(node: string): InstanceSessions {
    this.membership.heard(node);
    let other = this.others.get(node);
    if (!other) this.others.set(node, (other = { sessions: new Map() }));
    return other;
  }

  /**
   * A lost instance's sessions are no longer listed, and their `wamp.session.on_leave` is published by one
   * surviving instance: the first to claim the loss (the claim outlives the others' noticing it).
   */
  private forget(node: string): void {
    const other = this.others.get(node);
    if (!other) return;
    this.others.delete(node);
    this.logger.warn(
      `Backplane: the ${other.sessions.size} session(s) of instance ${node} are no longer listed in realm "${this.realm.name}".`,
    );
    if (other.sessions.size === 0) return;
    const { backplane, membership } = this;
    backplane
      .claim(
        `wamp/${this.realm.name}/lost/${node}`,
        backplane.nodeId,
        true,
        LOSS_CLAIM_LEASES * membership.leaseMs,
      )
      .then(
        (holder) => {
          if (holder !== undefined) return; // another instance announces them
          for (const details of other.sessions.values()) {
            this.realm.broker.publishFromServer(ON_LEAVE, [
              details.session,
              details.authid,
              details.authrole,
            ]);
          }
        },
        (error: unknown) =>
          this.logger.warn(
            `Backplane: the sessions of lost instance ${node} were not announced as left (${String(error)})`,
          ),
      );
  }
}

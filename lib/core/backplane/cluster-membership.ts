import type { WampLogger } from '../router/wamp-logger.interface.js';
import { decodeBackplaneMessage, encodeBackplaneMessage } from './backplane-codec.js';
import type { WampBackplane } from './wamp-backplane.interface.js';

const CHANNEL = 'wamp/members';
const MEMBERS = 'members';

/**
 * Which other instances of the cluster are alive, for everything that must let go of what an instance held
 * when it is gone: its callees, the calls forwarded to it, its sessions. Each instance says it is alive every
 * third of the lease (and that it leaves, when it shuts down); one not heard of for a whole lease is lost, and
 * the listeners are told once. Hearing of it again later makes it a member again.
 */
export class ClusterMembership {
  private readonly lastSeen = new Map<string, number>();
  private readonly lostListeners = new Set<(node: string) => void>();
  private readonly beatListeners = new Set<() => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private heartbeat?: NodeJS.Timeout;
  private stopReceiving?: () => void;
  private stopWatching?: () => void;
  private disconnected = false;

  constructor(
    private readonly backplane: WampBackplane,
    /** How long (ms) an instance may stay silent before it is taken for lost. */
    readonly leaseMs: number,
    private readonly logger: WampLogger,
  ) {}

  /** Starts saying this instance is alive and listening for the others. */
  start(): void {
    this.stopReceiving = this.backplane.subscribe(CHANNEL, (payload, from) => this.receive(payload, from));
    this.stopWatching = this.backplane.onConnectionChange?.((connected) => this.connectionChanged(connected));
    this.send('alive');
    this.heartbeat = setInterval(
      () => {
        this.send('alive');
        this.expire();
        for (const listener of [...this.beatListeners]) listener();
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  /** Stops, telling the others that this instance leaves (they let go of it at once rather than after the lease). */
  stop(): void {
    clearInterval(this.heartbeat);
    this.stopReceiving?.();
    this.stopWatching?.();
    this.lostListeners.clear();
    this.beatListeners.clear();
    this.reconnectListeners.clear();
    this.send('leaving');
  }

  /** Another instance was heard of (any message from it counts as a sign of life). */
  heard(node: string): void {
    if (node !== this.backplane.nodeId) this.lastSeen.set(node, Date.now());
  }

  /** Tells `listener` of each instance lost (silent for a lease, or left); returns a function that stops. */
  onLost(listener: (node: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Runs `listener` on every heartbeat (a third of the lease): for what must be renewed. */
  onHeartbeat(listener: () => void): () => void {
    this.beatListeners.add(listener);
    return () => this.beatListeners.delete(listener);
  }

  /**
   * Runs `listener` each time the backplane is back after a loss of connection: what was said meanwhile may be
   * lost (a restarted Redis keeps nothing), so what each instance holds is told again. Returns a function that
   * stops.
   */
  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  private connectionChanged(connected: boolean): void {
    if (!connected) {
      this.disconnected = true;
      return;
    }
    if (!this.disconnected) return;
    this.disconnected = false;
    this.send('alive');
    for (const listener of [...this.reconnectListeners]) listener();
  }

  private send(verb: 'alive' | 'leaving'): void {
    this.backplane
      .broadcast(CHANNEL, encodeBackplaneMessage(MEMBERS, verb))
      .catch((error: unknown) => this.logger.warn(`Backplane: could not say "${verb}" (${String(error)})`));
  }

  private receive(payload: Uint8Array, from: string): void {
    if (from === this.backplane.nodeId) return;
    let verb: unknown;
    try {
      const message = decodeBackplaneMessage(payload);
      if (message.kind !== MEMBERS) return;
      verb = message.body;
    } catch (error) {
      this.logger.error(`Backplane: a membership message from instance ${from} was dropped`, String(error));
      return;
    }
    if (verb === 'leaving') this.lose(from, 'left the cluster');
    else this.heard(from);
  }

  private expire(): void {
    const now = Date.now();
    for (const [node, seen] of this.lastSeen) {
      if (now - seen > this.leaseMs) this.lose(node, `not heard of for ${this.leaseMs} ms`);
    }
  }

  private lose(node: string, why: string): void {
    if (!this.lastSeen.delete(node)) return;
    this.logger.warn(`Backplane: instance ${node} ${why}; what it held is let go.`);
    for (const listener of [...this.lostListeners]) {
      try {
        listener(node);
      } catch (error) {
        this.logger.error(
          `Backplane: letting go of instance ${node} failed`,
          error instanceof Error ? error.stack : String(error),
        );
      }
    }
  }
}

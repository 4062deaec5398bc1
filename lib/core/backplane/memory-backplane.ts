import { randomUUID } from 'node:crypto';
import { RetentionStore, type WampRetentionStore } from '../router/broker/retention-store.js';
import type { WampBackplane } from './wamp-backplane.interface.js';

type Receiver = (payload: Uint8Array, from: string) => void;

/** One instance's claim on a key of a {@link MemoryBackplaneHub}. */
interface ClaimHolder {
  readonly tag: string;
  readonly exclusive: boolean;
  readonly expires: number;
}

/** Bounds of the retained events a {@link MemoryBackplaneHub} keeps per realm. */
export interface MemoryBackplaneLimits {
  readonly maxRetainedTopics: number;
  readonly maxRetainedBytes: number;
}

/**
 * The "server" of the in-memory backplane: what several routers in one process share. It delivers every
 * broadcast asynchronously (as a network would: never inside the sender's call), in order per channel, and
 * copies each payload, so instances share no object. For tests and for trying a cluster without Redis or NATS.
 *
 * @example
 * const hub = new MemoryBackplaneHub();
 * const first = new WampRouter({ ...options, backplane: new MemoryBackplane(hub) });
 * const second = new WampRouter({ ...options, backplane: new MemoryBackplane(hub) });
 */
export class MemoryBackplaneHub {
  private readonly channels = new Map<string, Set<Receiver>>();
  private readonly stores = new Map<string, RetentionStore>();
  private readonly claims = new Map<string, Map<string, ClaimHolder>>();
  private readonly queue: [string, Uint8Array, string][] = [];
  private flushing = false;

  constructor(
    private readonly limits: MemoryBackplaneLimits = {
      maxRetainedTopics: 1000,
      maxRetainedBytes: 8 * 1024 * 1024,
    },
  ) {}

  /** Queues a payload for every receiver of `channel`; delivered in a later turn, in order. */
  send(channel: string, payload: Uint8Array, from: string): void {
    this.queue.push([channel, Uint8Array.from(payload), from]);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  /** Adds a receiver of `channel`. */
  receive(channel: string, receiver: Receiver): () => void {
    let receivers = this.channels.get(channel);
    if (!receivers) this.channels.set(channel, (receivers = new Set()));
    receivers.add(receiver);
    return () => {
      receivers.delete(receiver);
      if (receivers.size === 0) this.channels.delete(channel);
    };
  }

  /** The realm's retention store, one for every instance. */
  retentionStore(realm: string): WampRetentionStore {
    let store = this.stores.get(realm);
    if (!store) this.stores.set(realm, (store = new RetentionStore(this.limits)));
    return store;
  }

  /** Claims `key` for `node` (see {@link WampBackplane.claim}); decided at once, as one Redis script would. */
  claim(key: string, node: string, tag: string, exclusive: boolean, leaseMs: number): string | undefined {
    const now = Date.now();
    let holders = this.claims.get(key);
    if (!holders) this.claims.set(key, (holders = new Map()));
    for (const [holder, claim] of holders) {
      if (claim.expires <= now) holders.delete(holder);
      else if (holder !== node && (exclusive || claim.exclusive || claim.tag !== tag)) return claim.tag;
    }
    holders.set(node, { tag, exclusive, expires: now + leaseMs });
    return undefined;
  }

  /** Gives up `node`'s claim on `key`. */
  release(key: string, node: string): void {
    const holders = this.claims.get(key);
    holders?.delete(node);
    if (holders?.size === 0) this.claims.delete(key);
  }

  private flush(): void {
    // Everything queued until now goes out in this turn, in order; what receivers send meanwhile waits.
    const batch = this.queue.splice(0);
    for (const [channel, payload, from] of batch) {
      for (const receiver of [...(this.channels.get(channel) ?? [])]) receiver(payload, from);
    }
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else this.flushing = false;
  }
}

/**
 * One instance's end of a {@link MemoryBackplaneHub}: several routers in one process behave as one, through the
 * same {@link WampBackplane} port as the Redis and NATS engines.
 */
export class MemoryBackplane implements WampBackplane {
  readonly nodeId: string;
  private readonly stops = new Set<() => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private closed = false;
  private isConnected = true;

  constructor(
    private readonly hub: MemoryBackplaneHub,
    nodeId: string = randomUUID(),
  ) {
    this.nodeId = nodeId;
  }

  broadcast(channel: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('MemoryBackplane: closed.'));
    if (!this.isConnected) return Promise.reject(new Error('MemoryBackplane: disconnected.'));
    this.hub.send(channel, payload, this.nodeId);
    return Promise.resolve();
  }

  subscribe(channel: string, receive: (payload: Uint8Array, from: string) => void): () => void {
    const stop = this.hub.receive(channel, (payload, from) => {
      if (!this.closed && this.isConnected) receive(payload, from);
    });
    this.stops.add(stop);
    return () => {
      stop();
      this.stops.delete(stop);
    };
  }

  retentionStore(realm: string): WampRetentionStore {
    return this.hub.retentionStore(realm);
  }

  claim(key: string, tag: string, exclusive: boolean, leaseMs: number): Promise<string | undefined> {
    if (this.closed) return Promise.reject(new Error('MemoryBackplane: closed.'));
    if (!this.isConnected) return Promise.reject(new Error('MemoryBackplane: disconnected.'));
    return Promise.resolve(this.hub.claim(key, this.nodeId, tag, exclusive, leaseMs));
  }

  release(key: string): Promise<void> {
    if (this.closed || !this.isConnected) return Promise.resolve();
    this.hub.release(key, this.nodeId);
    return Promise.resolve();
  }

  /** Whether this instance is connected to the others now. */
  get connected(): boolean {
    return this.isConnected;
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /**
   * Cuts this instance off from the hub, or joins it again, as a network partition would (for tests): while cut
   * off it neither sends nor receives, and its router is told.
   */
  setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    for (const listener of [...this.connectionListeners]) listener(connected);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const stop of this.stops) stop();
    this.stops.clear();
    return Promise.resolve();
  }
}

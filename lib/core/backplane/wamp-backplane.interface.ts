import type { WampRetentionStore } from '../router/broker/retention-store.js';

/**
 * What the instances of one router share: the port a Redis, NATS or in-memory engine implements so that several
 * processes behind a load balancer behave as one WAMP router. The router speaks to it in channels of opaque
 * bytes (it encodes and versions its own messages), so an engine only carries them:
 *
 * - `broadcast` / `subscribe`: every instance, this one included, receives what any instance broadcasts on a
 *   channel, in the order each sender sent it (publications, cluster events);
 * - `retentionStore`: retained events every instance reads and writes;
 * - `claim` / `release`: leases on names that only one kind of holder may have at a time (a procedure URI
 *   registered `single` on one instance, or shared with one invocation policy by several), decided atomically.
 *
 * @example
 * WampModule.forRoot({ backplane: new MemoryBackplane(hub) })
 */
export interface WampBackplane {
  /** This instance's ID in the cluster: unique, stable for the life of the process. */
  readonly nodeId: string;
  /**
   * Sends `payload` on `channel` to every instance, this one included, after the ones this instance sent before
   * on that channel. Resolves once the engine took it; rejects when it cannot (the caller reports it).
   */
  broadcast(channel: string, payload: Uint8Array): Promise<void>;
  /** Receives every payload broadcast on `channel`, with the sending instance's ID; returns a function that stops. */
  subscribe(channel: string, receive: (payload: Uint8Array, from: string) => void): () => void;
  /** A retention store for `realm` that every instance shares. */
  retentionStore(realm: string): WampRetentionStore;
  /**
   * Claims `key` for this instance with `tag`, atomically. Granted (resolves `undefined`) when no other
   * instance holds a live claim on it, or when every other holder claimed it with the same `tag` and neither
   * side is `exclusive`; otherwise resolves the tag of a holder that stands in the way. A granted claim lasts
   * `leaseMs` and is renewed by claiming again (a claim by its holder always renews it); it lapses when its
   * instance stops renewing it (a killed process), so nothing stays taken forever.
   */
  claim(key: string, tag: string, exclusive: boolean, leaseMs: number): Promise<string | undefined>;
  /** Gives up this instance's claim on `key` (nothing happens when it holds none). */
  release(key: string): Promise<void>;
  /** Lets go of what the engine opened (called once, after the router closed its sessions). */
  close(): Promise<void>;
  /**
   * Tells `listener` each time the engine loses or regains its connection to the others (optional: an engine
   * without it is taken as always connected). The router uses it so that an instance cut off for longer than
   * `backplaneLease` stops serving a view of the cluster that no longer holds. Returns a function that stops.
   */
  onConnectionChange?(listener: (connected: boolean) => void): () => void;
  /**
   * Whether the engine is connected now (optional, with `onConnectionChange`): an engine that connects in the
   * background starts `false`, so that an instance that never reaches its backplane stops serving after
   * `backplaneLease` just as one that lost it.
   */
  readonly connected?: boolean;
}

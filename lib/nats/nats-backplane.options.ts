import type { NatsConnection } from '@nats-io/transport-node';
import type { WampLogger } from '../core/router/wamp-logger.interface.js';

/**
 * How a {@link NatsBackplane} reaches NATS and what it keeps there. The server needs JetStream (`nats-server
 * -js`): channels and retained events live in streams, registration claims in a key-value bucket.
 *
 * @example
 * new NatsBackplane({ servers: 'nats://127.0.0.1:4222' })
 * new NatsBackplane({ connection: await connect({ servers }), subjectPrefix: 'myapp-wamp' })
 */
export interface NatsBackplaneOptions {
  /** Server URL(s). Ignored when `connection` is given. Default `nats://127.0.0.1:4222`. */
  readonly servers?: string | string[];
  /** Your own connection (`@nats-io/transport-node`'s `connect`). The backplane never closes it. */
  readonly connection?: NatsConnection;
  /** This instance's ID in the cluster. Default: a random UUID. */
  readonly nodeId?: string;
  /**
   * First token of every subject, and the start of the streams' and bucket's names (`-channels`, `-retained`,
   * `-claims`), so that clusters sharing a server stay apart: 1 to 64 letters, digits, `-` and `_`. Default
   * `nestjs-wamp`.
   */
  readonly subjectPrefix?: string;
  /** Messages each channel keeps in the channels' stream: how far an instance that lost NATS can catch up. Default 10000. */
  readonly streamLength?: number;
  /** Retained events a realm keeps in memory on each instance (as the option `maxRetainedTopics`). Default 1000. */
  readonly maxRetainedTopics?: number;
  /** Approximate bytes of retained events a realm keeps on each instance. Default 8 MiB. */
  readonly maxRetainedBytes?: number;
  /** Retentions the retained stream keeps, from which an instance that starts rebuilds its retained events. Default 20000. */
  readonly retainedStreamLength?: number;
  /** Where connection problems are reported. Default: `console`. */
  readonly logger?: WampLogger;
}

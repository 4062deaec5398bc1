import type { Redis } from 'ioredis';
import type { WampLogger } from '../core/router/wamp-logger.interface.js';

/**
 * How a {@link RedisBackplane} reaches Redis and what it keeps there.
 *
 * @example
 * new RedisBackplane({ url: 'redis://127.0.0.1:6379' })
 * new RedisBackplane({ client: existingIoredisClient, keyPrefix: 'myapp:wamp:' })
 */
export interface RedisBackplaneOptions {
  /** `redis://[user:password@]host:port[/db]`. Ignored when `client` is given. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /**
   * Your own ioredis client. The backplane writes through it and reads through a duplicate of it (blocking
   * reads need their own connection); it closes the duplicate, never your client.
   */
  readonly client?: Redis;
  /** This instance's ID in the cluster. Default: a random UUID. */
  readonly nodeId?: string;
  /** Prefix of every key the backplane uses. Default `nestjs-wamp:`. */
  readonly keyPrefix?: string;
  /** Entries each channel's stream keeps (`XADD MAXLEN ~`): how far an instance that lost Redis for a while can catch up. Default 10000. */
  readonly streamLength?: number;
  /** Retained events a realm keeps in memory on each instance (as the option `maxRetainedTopics`). Default 1000. */
  readonly maxRetainedTopics?: number;
  /** Approximate bytes of retained events a realm keeps on each instance. Default 8 MiB. */
  readonly maxRetainedBytes?: number;
  /**
   * Retentions kept in each realm's retained stream, from which an instance that starts rebuilds its retained
   * events. Default 20000.
   */
  readonly retainedStreamLength?: number;
  /** Where connection problems are reported. Default: `console`. */
  readonly logger?: WampLogger;
}

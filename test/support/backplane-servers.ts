import type { WampBackplane, WampLogger } from '../../lib/core/index.js';
import { NatsBackplane } from '../../lib/nats/index.js';
import { RedisBackplane } from '../../lib/redis/index.js';
import { natsSkipReason, startNats } from './nats-server.js';
import { redisSkipReason, startRedis } from './redis-server.js';
import { recordingLogger } from './router-options.js';

/** A backplane server process of a test, on a loopback port of its own. */
export interface BackplaneServer {
  readonly url: string;
  /** Stops the server (SIGKILL: as a crash would) and waits for the process to end. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (nothing kept from before). */
  restart(): Promise<void>;
}

/** How an instance's backplane is made in a test. */
export interface BackplaneSettings {
  readonly nodeId?: string;
  /** Keeps clusters sharing one server apart (Redis key prefix, NATS subject prefix). */
  readonly prefix?: string;
  readonly logger?: WampLogger;
}

/** An engine with a server: how to start the server and make a backplane on it. */
export interface ServerEngine {
  readonly name: string;
  /** Why the tests on this engine are skipped (its server is not installed). */
  readonly skip?: string;
  start(): Promise<BackplaneServer>;
  backplane(url: string, settings?: BackplaneSettings): WampBackplane;
}

/** The engines that run against a real server the test starts: Redis and NATS. */
export const SERVER_ENGINES: readonly ServerEngine[] = [
  {
    name: 'Redis',
    skip: redisSkipReason,
    start: startRedis,
    backplane: (url, { nodeId, prefix, logger } = {}) =>
      new RedisBackplane({
        url,
        nodeId,
        keyPrefix: prefix === undefined ? undefined : `${prefix}:`,
        logger: logger ?? recordingLogger(),
      }),
  },
  {
    name: 'NATS',
    skip: natsSkipReason,
    start: startNats,
    backplane: (servers, { nodeId, prefix, logger } = {}) =>
      new NatsBackplane({ servers, nodeId, subjectPrefix: prefix, logger: logger ?? recordingLogger() }),
  },
];

import { MemoryBackplane, MemoryBackplaneHub, type WampBackplane } from '../../lib/core/index.js';
import { RedisBackplane } from '../../lib/redis/index.js';
import { redisSkipReason, startRedis, type RedisProcess } from './redis-server.js';
import { recordingLogger } from './router-options.js';

/** A backplane engine for a cluster suite: how to make one instance's backplane, and what to start and stop. */
export interface BackplaneEngine {
  readonly name: string;
  /** Why the suite is skipped on this engine (its server is not installed). */
  readonly skip?: string;
  start(): Promise<void>;
  /** The backplane of instance `node` of cluster `cluster` (instances of different clusters never hear each other). */
  backplane(node: string, cluster?: string): WampBackplane;
  stop(): Promise<void>;
}

/**
 * The engines every cluster suite runs on: in memory, and Redis on a redis-server of the suite's own (skipped
 * with the reason when it is not installed). `name` keeps the suite's Redis keys apart from other suites'.
 */
export function backplaneEngines(name: string): BackplaneEngine[] {
  const hubs = new Map<string, MemoryBackplaneHub>();
  let redis: RedisProcess | undefined;
  return [
    {
      name: 'in memory',
      start: async () => undefined,
      backplane: (node, cluster = 'default') => {
        let hub = hubs.get(cluster);
        if (!hub) hubs.set(cluster, (hub = new MemoryBackplaneHub()));
        return new MemoryBackplane(hub, node);
      },
      stop: async () => undefined,
    },
    {
      name: 'Redis',
      skip: redisSkipReason,
      start: async () => {
        redis = await startRedis();
      },
      backplane: (node, cluster = 'default') =>
        new RedisBackplane({
          url: redis!.url,
          nodeId: node,
          keyPrefix: `${name}-${cluster}:`,
          logger: recordingLogger(),
        }),
      stop: async () => {
        await redis?.kill();
      },
    },
  ];
}

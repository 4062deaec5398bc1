import 'reflect-metadata';
import { RedisBackplane } from '../../lib/redis/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { redisSkipReason, startRedis, type RedisProcess } from '../support/redis-server.js';
import { recordingLogger } from '../support/router-options.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import {
  failOnUnhandledRejections,
  figuresTable,
  judge,
  measured,
  type Figure,
} from './support/attack-control.js';

/**
 * The backplane attacked (issue 17): a client on instance B pipelines a burst of publications that instance A
 * receives through Redis, up to a thousand entries per read, each fanned out to 20 subscribers on A, while the
 * canary runs on A. The control sends the same bytes to A directly, without a backplane (where fair reading
 * spreads them). A delivers what it reads from Redis for at most 5 ms per turn of its event loop.
 */

const figures: Figure[] = [];

failOnUnhandledRejections();

afterAll(() => {
  process.stdout.write(figuresTable('Backplane attacks', figures));
});

const BURST = 5_000;
/** Readers of the topic on the target instance: each entry read from Redis fans out to all of them. */
const READERS = 20;

/** Reads the whole burst, in order, and closes. */
async function readAll(reader: RawWampClient): Promise<void> {
  for (let index = 0; index < BURST; index++) {
    const event = (await reader.next(30_000)) as [number, number, number, object, [string, number]];
    if (event[0] !== 36 || event[4][1] !== index) {
      throw new Error(`event ${index}: ${JSON.stringify(event).slice(0, 100)}`);
    }
  }
  reader.terminate();
}

/** {@link READERS} readers on `target` take every event of the burst that a client on `source` publishes. */
async function burst(target: RunningApp, source: RunningApp): Promise<void> {
  const readers: RawWampClient[] = [];
  for (let index = 0; index < READERS; index++) {
    const { client: reader } = await RawWampClient.join(target.url);
    reader.send([32, 1, {}, 'com.burst.topic']);
    expect(((await reader.next()) as number[])[0]).toBe(33);
    readers.push(reader);
  }
  await new Promise((resolve) => setTimeout(resolve, 1200)); // the subscriptions reach every instance's reader
  const reading = readers.map(readAll);
  const { client: attacker } = await RawWampClient.join(source.url);
  for (let index = 0; index < BURST; index++) {
    attacker.send([16, index + 1, {}, 'com.burst.topic', ['x'.repeat(150), index]]);
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(reading);
  attacker.terminate();
}

if (redisSkipReason) {
  it.skip(`[skipped: ${redisSkipReason}] backplane attacks`, () => undefined);
} else {
  describe('backplane attacks, each against its control', () => {
    let redis: RedisProcess;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis.kill();
    });

    it('5,000 pipelined PUBLISHes through Redis to 20 subscribers on another instance (control: straight to it)', async () => {
      const backplane = (): RedisBackplane =>
        new RedisBackplane({ url: redis.url, keyPrefix: 'attack:', logger: recordingLogger() });
      const under = await measured({ wamp: { backplane: backplane() } }, async (running) => {
        const other = await startApp({ wamp: { backplane: backplane() } });
        try {
          await burst(running, other);
        } finally {
          await other.app.close();
        }
      });
      const control = await measured({}, (running) => burst(running, running));
      judge(
        figures,
        '5,000 PUBLISHes pipelined on instance B, fanned out to 20 subscribers on A through Redis (control: on A, no backplane)',
        'all 100,000 EVENTs in order',
        under,
        control,
      );
    }, 120_000);
  });
}

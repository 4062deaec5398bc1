import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp } from '../support/test-app.js';

describe('resource limits', () => {
  it('maxSubscriptionsPerSession refuses a subscription flood with a clear error', async () => {
    const running = await startApp({ wamp: { maxSubscriptionsPerSession: 3 } });
    try {
      const { client } = await RawWampClient.join(running.url);
      const ids: unknown[] = [];
      for (let index = 1; index <= 3; index++) {
        client.send([32, index, {}, `flood.topic${index}`]);
        const subscribed = (await client.next()) as unknown[];
        expect(subscribed.slice(0, 2)).toEqual([33, index]);
        ids.push(subscribed[2]);
      }
      client.send([32, 4, {}, 'flood.topic4']);
      expect(await client.next()).toEqual([
        8,
        32,
        4,
        {},
        'nestjs_wamp.error.too_many_subscriptions',
        ['Too many subscriptions: this session may hold at most 3.'],
        { limit: 3 },
      ]);
      // Subscribing again to a topic already held is not a new subscription.
      client.send([32, 5, {}, 'flood.topic1']);
      expect(await client.next()).toEqual([33, 5, ids[0]]);
      client.send([34, 6, ids[1]]);
      expect(await client.next()).toEqual([35, 6]);
      client.send([32, 7, {}, 'flood.topic4']);
      expect(((await client.next()) as unknown[]).slice(0, 2)).toEqual([33, 7]);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('maxConnections answers further handshakes with HTTP 503 until a connection closes', async () => {
    const running = await startApp({ wamp: { maxConnections: 2 } });
    try {
      const first = await RawWampClient.connect(running.url);
      const second = await RawWampClient.connect(running.url);
      await expect(RawWampClient.connect(running.url)).rejects.toMatchObject({
        statusCode: 503,
        body: expect.stringContaining('connection limit'),
      });
      first.terminate();
      await first.closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const third = await RawWampClient.connect(running.url);
      third.terminate();
      second.terminate();
    } finally {
      await running.app.close();
    }
  });
});

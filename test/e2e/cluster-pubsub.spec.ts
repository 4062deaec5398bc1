import 'reflect-metadata';
import { WampPublisher } from '../../lib/index.js';
import { joinAs, roleFromAuthid, type JoinedSession } from '../support/meta-sessions.js';
import { backplaneEngines } from '../support/backplane-engines.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Three Nest apps sharing a backplane (in memory, then Redis) behave as one router for publish/subscribe (issue 17), over
 * real sockets and frame-exact: subscription IDs agree, a publication on one instance reaches subscribers on
 * every instance with the same publication ID, and every option that works on one instance works across them
 * (patterns, publisher exclusion and disclosure, black/white lists by session, authid and authrole,
 * acknowledgement, retention, per-publisher order, server-side publishing, `sendToSession`).
 */

const EVENT = 36;

const ENGINES = backplaneEngines('cluster-pubsub');

describe.each(ENGINES)('publish/subscribe across three instances, backplane $name', (engine) => {
  if (engine.skip) {
    it.skip(`[skipped: ${engine.skip}]`, () => undefined);
    return;
  }
  const apps: RunningApp[] = [];
  const sessions: JoinedSession[] = [];
  beforeAll(async () => {
    await engine.start();
    for (const node of ['node-a', 'node-b', 'node-c']) {
      apps.push(
        await startApp({
          wamp: {
            backplane: engine.backplane(node),
            realms: [{ name: 'realm1', authenticator: roleFromAuthid }],
          },
        }),
      );
    }
  });
  afterEach(() => {
    for (const session of sessions.splice(0)) session.client.terminate();
  });
  afterAll(async () => {
    for (const app of apps) await app.app.close();
    await engine.stop();
  });
  /** A session on instance `index` (0, 1, 2) as `authid` (which is also its authrole). */
  const on = async (index: number, authid = 'user'): Promise<JoinedSession> => {
    const session = await joinAs(apps[index], authid);
    sessions.push(session);
    return session;
  };
  const subscribe = async (session: JoinedSession, request: number, topic: string, options: object = {}) => {
    session.client.send([32, request, options, topic]);
    const [type, answered, subscription] = (await session.client.next()) as number[];
    expect([type, answered]).toEqual([33, request]);
    return subscription;
  };

  it('subscription IDs agree on every instance, for each match policy', async () => {
    const [a, b, c] = [await on(0), await on(1), await on(2)];
    for (const [request, topic, options] of [
      [1, 'com.cluster.ids', {}],
      [2, 'com.cluster.', { match: 'prefix' }],
      [3, 'com..ids', { match: 'wildcard' }],
    ] as const) {
      const ids = [
        await subscribe(a, request, topic, options),
        await subscribe(b, request, topic, options),
        await subscribe(c, request, topic, options),
      ];
      expect(new Set(ids).size).toBe(1);
    }
  });

  it('a publication on B reaches exact, prefix and wildcard subscribers on A and C with one publication ID; PUBLISHED to B', async () => {
    const [a, b, c] = [await on(0), await on(1), await on(2)];
    const exact = await subscribe(a, 1, 'com.cluster.news');
    const prefix = await subscribe(c, 1, 'com.cluster.', { match: 'prefix' });
    const wildcard = await subscribe(c, 2, 'com..news', { match: 'wildcard' });
    b.client.send([16, 1, { acknowledge: true }, 'com.cluster.news', ['hello'], { from: 'b' }]);
    const [published, request, publication] = (await b.client.next()) as number[];
    expect([published, request]).toEqual([17, 1]);
    expect(await a.client.next()).toEqual([EVENT, exact, publication, {}, ['hello'], { from: 'b' }]);
    const atC = [await c.client.next(), await c.client.next()];
    expect(atC).toEqual(
      expect.arrayContaining([
        [EVENT, prefix, publication, { topic: 'com.cluster.news' }, ['hello'], { from: 'b' }],
        [EVENT, wildcard, publication, { topic: 'com.cluster.news' }, ['hello'], { from: 'b' }],
      ]),
    );
  });

  it('publisher exclusion and disclosure hold across instances', async () => {
    const [a, b] = [await on(0, 'alice'), await on(1, 'bob')];
    const atA = await subscribe(a, 1, 'com.cluster.chat');
    const atB = await subscribe(b, 1, 'com.cluster.chat');
    b.client.send([16, 2, { acknowledge: true }, 'com.cluster.chat', ['excluded from B']]);
    const [, , first] = (await b.client.next()) as number[];
    expect(await a.client.next()).toEqual([EVENT, atA, first, {}, ['excluded from B']]);
    b.client.send([
      16,
      3,
      { acknowledge: true, exclude_me: false, disclose_me: true },
      'com.cluster.chat',
      ['to all'],
    ]);
    // B's own EVENT and its PUBLISHED come in either order: PUBLISHED waits for the backplane to store the
    // publication, the EVENT for this instance to read it back.
    const atBoth = [(await b.client.next()) as unknown[], (await b.client.next()) as unknown[]];
    const published = atBoth.find((frame) => frame[0] === 17) as number[];
    expect(published).toEqual([17, 3, expect.any(Number)]);
    const second = published[2];
    const disclosed = { publisher: b.id, publisher_authid: 'bob', publisher_authrole: 'bob' };
    expect(await a.client.next()).toEqual([EVENT, atA, second, disclosed, ['to all']]);
    expect(atBoth.find((frame) => frame[0] === EVENT)).toEqual([EVENT, atB, second, disclosed, ['to all']]);
  });

  it('black and white lists by session ID, authid and authrole are applied on every instance', async () => {
    const alice = await on(0, 'alice');
    const bob = await on(2, 'bob');
    const carol = await on(2, 'carol');
    const publisher = await on(1, 'publisher');
    const ids = new Map<JoinedSession, number>();
    for (const session of [alice, bob, carol])
      ids.set(session, await subscribe(session, 1, 'com.cluster.lists'));
    const cases: [object, JoinedSession[]][] = [
      [{ eligible: [alice.id, carol.id] }, [alice, carol]],
      [{ exclude: [alice.id] }, [bob, carol]],
      [{ eligible_authid: ['bob'] }, [bob]],
      [{ exclude_authrole: ['bob', 'carol'] }, [alice]],
    ];
    let request = 10;
    for (const [options, receivers] of cases) {
      publisher.client.send([16, request, { acknowledge: true, ...options }, 'com.cluster.lists', [request]]);
      const [, , publication] = (await publisher.client.next()) as number[];
      for (const receiver of receivers) {
        expect(await receiver.client.next()).toEqual([EVENT, ids.get(receiver), publication, {}, [request]]);
      }
      request++;
    }
    // Nobody got an EVENT meant for someone else: a last publication to all arrives next everywhere.
    publisher.client.send([16, 99, { acknowledge: true }, 'com.cluster.lists', ['last']]);
    const [, , last] = (await publisher.client.next()) as number[];
    for (const session of [alice, bob, carol]) {
      expect(await session.client.next()).toEqual([EVENT, ids.get(session), last, {}, ['last']]);
    }
  });

  it("one publisher's events arrive in order on another instance", async () => {
    const [a, b] = [await on(0), await on(1)];
    const subscription = await subscribe(a, 1, 'com.cluster.sequence');
    for (let sequence = 0; sequence < 300; sequence++)
      b.client.send([16, sequence + 1, {}, 'com.cluster.sequence', [sequence]]);
    for (let sequence = 0; sequence < 300; sequence++) {
      expect(await a.client.next()).toEqual([EVENT, subscription, expect.any(Number), {}, [sequence]]);
    }
  });

  it('a retained event published on B is delivered to a get_retained subscriber on C', async () => {
    const [b, c] = [await on(1), await on(2)];
    b.client.send([16, 1, { acknowledge: true, retain: true }, 'com.cluster.state', ['state 1']]);
    const [, , publication] = (await b.client.next()) as number[];
    await new Promise((resolve) => setTimeout(resolve, 20));
    const subscription = await subscribe(c, 1, 'com.cluster.state', { get_retained: true });
    expect(await c.client.next()).toEqual([
      EVENT,
      subscription,
      publication,
      { retained: true },
      ['state 1'],
    ]);
  });

  it('sendToSession from the app on C reaches a session on A, and no one else', async () => {
    const [a, b] = [await on(0), await on(1)];
    const atA = await subscribe(a, 1, 'com.cluster.direct');
    const atB = await subscribe(b, 1, 'com.cluster.direct');
    const publisher = apps[2].app.get(WampPublisher);
    expect(publisher.sendToSession(a.id, 'com.cluster.direct', ['only for A'])).toBe(true);
    expect(await a.client.next()).toEqual([EVENT, atA, expect.any(Number), {}, ['only for A']]);
    // B got nothing: the next thing it receives is a publication to everyone.
    publisher.publish('com.cluster.direct', ['everyone']);
    expect(await b.client.next()).toEqual([EVENT, atB, expect.any(Number), {}, ['everyone']]);
  });

  it("an app's server-side publication on C reaches a subscriber on A", async () => {
    const a = await on(0);
    const subscription = await subscribe(a, 1, 'com.cluster.server');
    apps[2].app.get(WampPublisher).publish('com.cluster.server', ['from the app on C']);
    expect(await a.client.next()).toEqual([
      EVENT,
      subscription,
      expect.any(Number),
      {},
      ['from the app on C'],
    ]);
  });

  it('event history: with the built-in store, every instance keeps the events published on every instance', async () => {
    const history: RunningApp[] = [];
    try {
      for (const node of ['history-a', 'history-b']) {
        history.push(
          await startApp({
            wamp: {
              backplane: engine.backplane(node, 'history'),
              realms: [{ name: 'realm1', eventHistory: [{ topic: 'com.cluster.history', limit: 10 }] }],
            },
          }),
        );
      }
      const [onA, onB] = [await joinAs(history[0]), await joinAs(history[1])];
      sessions.push(onA, onB);
      // Published on both instances, nobody subscribed: each instance's history has all four, in order.
      for (const [session, index] of [
        [onA, 1],
        [onA, 2],
        [onB, 3],
        [onB, 4],
      ] as const) {
        session.client.send([16, index, { acknowledge: true }, 'com.cluster.history', [index]]);
        expect(((await session.client.next()) as number[])[0]).toBe(17);
        // One at a time: the order of publications on different instances is the order they reached each.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const session of [onA, onB]) {
        session.client.send([48, 1, {}, 'wamp.subscription.lookup', ['com.cluster.history']]);
        const [, , , [id]] = (await session.client.next()) as [number, number, object, [number]];
        const deadline = Date.now() + 5000;
        for (let request = 2; ; request++) {
          session.client.send([48, request, {}, 'wamp.subscription.get_events', [id]]);
          const [, , , [events]] = (await session.client.next()) as [
            number,
            number,
            object,
            [{ args: number[] }[]],
          ];
          // In the order published (oldest first).
          const published = events.map((event) => event.args[0]);
          if (published.length === 4 || Date.now() > deadline) {
            expect(published).toEqual([1, 2, 3, 4]);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    } finally {
      for (const app of history) await app.app.close();
    }
  });
});

import { RandomIdGenerator, SequentialIdGenerator } from '../../../lib/core/protocol/id-generator.js';
import { WampAbortError } from '../../../lib/index.js';
import { WampRouter, type WampAuthenticator, type WampRouterOptions } from '../../../lib/core/index.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { recordingLogger, routerOptions } from '../../support/router-options.js';

const ROLES = { caller: {}, subscriber: {}, publisher: {} };

function routerWith(overrides: Partial<WampRouterOptions> = {}): WampRouter {
  return new WampRouter(routerOptions(overrides));
}

function frame(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message));
}

function joined(router: WampRouter) {
  const connection = new FakeConnection();
  const session = router.openSession(connection);
  session.handleFrame(frame([1, 'realm1', { roles: ROLES }]));
  return { connection, session };
}

async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('WampSession (with a fake connection)', () => {
  it('keeps HELLO.Details only until WELCOME, and gives a signal asked for after the end already aborted', async () => {
    const router = routerWith();
    const connection = new FakeConnection();
    const session = router.openSession(connection);
    session.handleFrame(frame([1, 'realm1', { roles: ROLES, agent: 'test-client' }]));
    expect(session.helloDetails).toEqual({ roles: ROLES, agent: 'test-client' });
    await flush();
    expect(session.state).toBe('established');
    expect(session.helloDetails).toBeUndefined();
    session.transportClosed();
    expect(session.signal.aborted).toBe(true);
  });

  it('answers HELLO with WELCOME announcing identity, roles and agent', async () => {
    const router = routerWith();
    const { connection, session } = joined(router);
    await flush();
    expect(connection.take()).toEqual([
      [
        2,
        session.id,
        {
          realm: 'realm1',
          authid: `anonymous-${session.id}`,
          authrole: 'anonymous',
          authmethod: 'anonymous',
          authprovider: 'static',
          roles: {
            broker: {
              features: {
                publisher_exclusion: true,
                publisher_identification: true,
                subscriber_blackwhite_listing: true,
                pattern_based_subscription: true,
                event_retention: true,
                session_meta_api: true,
                subscription_meta_api: true,
                reflection: true,
              },
            },
            dealer: {
              features: {
                progressive_call_results: true,
                call_canceling: true,
                call_timeout: true,
                caller_identification: true,
                pattern_based_registration: true,
                shared_registration: true,
                progressive_call_invocations: true,
                session_meta_api: true,
                registration_meta_api: true,
                testament_meta_api: true,
                reflection: true,
              },
            },
          },
          agent: 'test-agent',
        },
      ],
    ]);
    expect(session.state).toBe('established');
    expect(router.realms.get('realm1')?.sessions.get(session.id)).toBe(session);
  });

  it('never trusts the authrole or authid a client asks for in HELLO', async () => {
    const router = routerWith();
    const connection = new FakeConnection();
    const session = router.openSession(connection);
    session.handleFrame(frame([1, 'realm1', { roles: ROLES, authrole: 'admin', authid: 'root' }]));
    await flush();
    expect(session.identity).toMatchObject({ authrole: 'anonymous', authid: `anonymous-${session.id}` });
  });

  it('runs a CHALLENGE / AUTHENTICATE exchange through a pluggable authenticator', async () => {
    const authenticator: WampAuthenticator = async (request) => {
      const response = await request.challenge('ticket', {});
      if (response.signature !== 'secret')
        throw new WampAbortError('wamp.error.authentication_failed', 'Bad ticket.');
      return {
        authid: String(request.details.authid),
        authrole: 'user',
        authmethod: 'ticket',
        authprovider: 'test',
        authextra: { plan: 'gold' },
      };
    };
    const router = routerWith({ realms: [{ name: 'realm1', authenticator }] });

    const good = new FakeConnection();
    const goodSession = router.openSession(good);
    goodSession.handleFrame(frame([1, 'realm1', { roles: ROLES, authmethods: ['ticket'], authid: 'joe' }]));
    await flush();
    expect(good.take()).toEqual([[4, 'ticket', {}]]);
    expect(goodSession.state).toBe('authenticating');
    goodSession.handleFrame(frame([5, 'secret', {}]));
    await flush();
    const [welcome] = good.take();
    expect(welcome[2]).toMatchObject({
      authid: 'joe',
      authrole: 'user',
      authmethod: 'ticket',
      authextra: { plan: 'gold' },
    });

    const bad = new FakeConnection();
    const badSession = router.openSession(bad);
    badSession.handleFrame(frame([1, 'realm1', { roles: ROLES, authmethods: ['ticket'], authid: 'joe' }]));
    await flush();
    badSession.handleFrame(frame([5, 'wrong', {}]));
    await flush();
    expect(bad.take()).toEqual([
      [4, 'ticket', {}],
      [3, { message: 'Bad ticket.' }, 'wamp.error.authentication_failed'],
    ]);
    expect(bad.closedWith?.reason).toBe('normal');
  });

  it('hides an authenticator crash from the client and logs it', async () => {
    const logger = recordingLogger();
    const router = routerWith({
      logger,
      realms: [{ name: 'realm1', authenticator: () => Promise.reject(new Error('database down')) }],
    });
    const { connection } = joined(router);
    await flush();
    expect(connection.take()).toEqual([
      [3, { message: 'Authentication failed.' }, 'wamp.error.authentication_failed'],
    ]);
    expect(logger.errors).toHaveLength(1);
  });

  it('treats anything but AUTHENTICATE during authentication as a protocol violation', async () => {
    const router = routerWith({
      realms: [
        {
          name: 'realm1',
          authenticator: (request) =>
            request
              .challenge('ticket', {})
              .then(() => ({ authid: 'a', authrole: 'b', authmethod: 'ticket', authprovider: 'x' })),
        },
      ],
    });
    const { connection, session } = joined(router);
    await flush();
    connection.take();
    session.handleFrame(frame([48, 1, {}, 'a.b']));
    expect(connection.take()).toEqual([
      [
        3,
        { message: 'CALL (48) received while the session is being authenticated.' },
        'wamp.error.protocol_violation',
      ],
    ]);
    expect(session.state).toBe('closed');
  });

  it('aborts a session whose authentication does not finish within helloTimeout', async () => {
    const router = routerWith({
      helloTimeout: 50,
      realms: [
        {
          name: 'realm1',
          authenticator: (request) =>
            request
              .challenge('ticket', {})
              .then(() => ({ authid: 'a', authrole: 'b', authmethod: 'ticket', authprovider: 'x' })),
        },
      ],
    });
    const { connection } = joined(router);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(connection.take()).toEqual([
      [4, 'ticket', {}],
      [3, { message: 'Authentication did not complete within 50 ms.' }, 'wamp.error.timeout'],
    ]);
  });

  it('router-initiated close: GOODBYE, ignores other input, closes on the reply', async () => {
    const router = routerWith();
    const { connection, session } = joined(router);
    await flush();
    connection.take();
    const closed = session.close('wamp.close.close_realm', 'maintenance');
    expect(connection.take()).toEqual([[6, { message: 'maintenance' }, 'wamp.close.close_realm']]);
    expect(session.state).toBe('closing');
    session.handleFrame(frame([48, 1, {}, 'a.b']));
    expect(connection.take()).toEqual([]);
    session.handleFrame(frame([6, {}, 'wamp.close.goodbye_and_out']));
    await closed;
    expect(session.state).toBe('closed');
    expect(connection.closedWith).toEqual({ reason: 'normal', message: 'goodbye' });
    expect(router.sessionCount).toBe(0);
  });

  it('router-initiated close gives up waiting for the reply after goodbyeTimeout', async () => {
    const router = routerWith({ goodbyeTimeout: 30 });
    const { connection, session } = joined(router);
    await flush();
    const started = Date.now();
    await session.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(connection.closedWith?.reason).toBe('normal');
  });

  it('disposes everything when the transport drops: realm, broker subscriptions, signal', async () => {
    const router = routerWith();
    const subscriber = joined(router);
    const publisher = joined(router);
    await flush();
    subscriber.session.handleFrame(frame([32, 1, {}, 'com.example.topic']));
    const [subscribed] = subscriber.connection.take().slice(-1);
    expect(subscribed[0]).toBe(33);
    subscriber.session.transportClosed();
    expect(subscriber.session.signal.aborted).toBe(true);
    expect(router.realms.get('realm1')?.sessions.has(subscriber.session.id)).toBe(false);
    publisher.session.handleFrame(frame([16, 1, { acknowledge: true }, 'com.example.topic', ['x']]));
    expect(subscriber.connection.take()).toEqual([]);
    // Later input to a closed session is ignored, never answered.
    subscriber.session.handleFrame(frame([48, 2, {}, 'a.b']));
    expect(subscriber.connection.take()).toEqual([]);
    expect(subscriber.connection.closedWith).toBeUndefined();
  });

  it('a handler bug aborts only that session, logged, never thrown', async () => {
    const logger = recordingLogger();
    const router = routerWith({ logger });
    const { connection, session } = joined(router);
    await flush();
    connection.take();
    const dealer = router.realms.get('realm1')!.dealer;
    const original = dealer.call;
    dealer.call = () => {
      throw new Error('boom');
    };
    try {
      expect(() => session.handleFrame(frame([48, 1, {}, 'a.b']))).not.toThrow();
    } finally {
      dealer.call = original;
    }
    expect(connection.take()).toEqual([
      [3, { message: 'Internal router error.' }, 'wamp.error.runtime_error'],
    ]);
    expect(logger.errors[0]).toMatch(/internal error while handling message 48/);
  });
});

describe('LocalBroker (basic profile)', () => {
  it('shares one subscription ID per topic, delivers once, excludes the publisher unless asked', async () => {
    const router = routerWith();
    const alice = joined(router);
    const bob = joined(router);
    await flush();
    alice.connection.take();
    bob.connection.take();
    alice.session.handleFrame(frame([32, 1, {}, 'com.example.topic']));
    alice.session.handleFrame(frame([32, 2, {}, 'com.example.topic']));
    bob.session.handleFrame(frame([32, 1, {}, 'com.example.topic']));
    const [[, , firstId], [, , secondId]] = alice.connection.take();
    const [[, , bobId]] = bob.connection.take();
    expect(secondId).toBe(firstId);
    expect(bobId).toBe(firstId);

    alice.session.handleFrame(frame([16, 3, { acknowledge: true }, 'com.example.topic', [1], { a: 2 }]));
    const [published] = alice.connection.take();
    expect(published[0]).toBe(17);
    expect(published[1]).toBe(3);
    expect(bob.connection.take()).toEqual([[36, firstId, published[2], {}, [1], { a: 2 }]]);

    alice.session.handleFrame(frame([16, 4, { exclude_me: false }, 'com.example.topic']));
    expect(alice.connection.take()).toEqual([[36, firstId, expect.any(Number), {}]]);
    expect(bob.connection.take()).toHaveLength(1);
  });

  it('UNSUBSCRIBE of an unknown subscription -> ERROR no_such_subscription', async () => {
    const router = routerWith();
    const { connection, session } = joined(router);
    await flush();
    connection.take();
    session.handleFrame(frame([34, 1, 12345]));
    expect(connection.take()).toEqual([
      [
        8,
        34,
        1,
        {},
        'wamp.error.no_such_subscription',
        ['Subscription 12345 does not exist for this session.'],
      ],
    ]);
    session.handleFrame(frame([32, 2, {}, 'com.example.t']));
    const [[, , subscription]] = connection.take();
    session.handleFrame(frame([34, 3, subscription]));
    expect(connection.take()).toEqual([[35, 3]]);
  });
});

describe('ID generators', () => {
  it('draws random global IDs in [1, 2^53 - 1] without repeats in a large sample', () => {
    const ids = new RandomIdGenerator();
    const seen = new Set<number>();
    let high = 0;
    for (let index = 0; index < 20000; index++) {
      const id = ids.next();
      expect(Number.isSafeInteger(id) && id >= 1).toBe(true);
      seen.add(id);
      high = Math.max(high, id);
    }
    expect(seen.size).toBe(20000);
    // Uniform over 53 bits: the largest of 20,000 draws is near the top of the range.
    expect(high).toBeGreaterThan(2 ** 52);
  });

  it('counts sequential IDs from 1', () => {
    const ids = new SequentialIdGenerator();
    expect([ids.next(), ids.next(), ids.next()]).toEqual([1, 2, 3]);
  });
});

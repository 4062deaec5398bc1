import {
  LocalBroker,
  MemoryEventHistoryStore,
  WampRouter,
  type HistoryEvent,
  type WampBroker,
  type WampDealer,
  type WampEventHistoryStore,
  type WampRouterOptions,
} from '../../../lib/core/index.js';
import { LocalDealer } from '../../../lib/core/router/dealer/local-dealer.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { recordingLogger, routerOptions } from '../../support/router-options.js';

/**
 * The meta API's parts on the core alone (fake connections, no sockets): what WELCOME announces with parts that
 * do not tell about themselves, the event history store's bounds and an asynchronous store, and listeners that
 * fail without undoing what they were told about.
 */

const ROLES = { caller: {}, callee: {}, subscriber: {}, publisher: {} };

function frame(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message));
}

async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

async function joined(router: WampRouter) {
  const connection = new FakeConnection();
  const session = router.openSession(connection);
  session.handleFrame(frame([1, 'realm1', { roles: ROLES }]));
  await flush();
  const [welcome] = connection.take() as [[number, number, { roles: Record<string, { features: object }> }]];
  const send = async (message: unknown[]): Promise<unknown[][]> => {
    session.handleFrame(frame(message));
    await flush();
    return connection.take() as unknown[][];
  };
  return { session, connection, welcome, send };
}

function event(publication: number, time: number, args: unknown[]): HistoryEvent {
  return {
    timestamp: new Date(time).toISOString(),
    time,
    publication,
    topic: 't',
    details: {},
    args,
    restrictions: {},
  };
}

/** `part` with `key` hidden: every other member is the part's own, methods bound to it. */
function withoutCatalog<T extends object>(part: T, key: string): T {
  return new Proxy(part, {
    get: (target, property) => {
      if (property === key) return undefined;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('meta API on the core', () => {
  it('a broker and dealer that keep no catalog: no registration or subscription meta API announced; event history refused at startup', async () => {
    const options = routerOptions({
      parts: {
        // Custom parts: the defaults behind a proxy that hides their catalogs, as a part written without them.
        broker: ({ nextId, options: settings }) =>
          withoutCatalog<WampBroker>(new LocalBroker(nextId, settings), 'subscriptions'),
        dealer: ({ nextId, options: settings }) =>
          withoutCatalog<WampDealer>(new LocalDealer(nextId, settings), 'registrations'),
      },
    });
    expect(
      () => new WampRouter({ ...options, realms: [{ name: 'realm1', eventHistory: [{ topic: 'a.b' }] }] }),
    ).toThrow(
      'Realm "realm1": eventHistory needs a broker that keeps a subscription catalog; the broker made by parts.broker has no "subscriptions".',
    );
    const router = new WampRouter(options);
    const { welcome, send } = await joined(router);
    const { broker, dealer } = welcome[2].roles;
    expect(broker.features).not.toHaveProperty('subscription_meta_api');
    expect(broker.features).not.toHaveProperty('event_history');
    expect(dealer.features).not.toHaveProperty('registration_meta_api');
    expect(dealer.features).toMatchObject({ session_meta_api: true, testament_meta_api: true });
    expect(await send([48, 1, {}, 'wamp.registration.list'])).toEqual([
      [
        8,
        48,
        1,
        {},
        'wamp.error.no_such_procedure',
        ['No procedure is registered under "wamp.registration.list".'],
      ],
    ]);
  });

  it('the in-memory history store keeps at most limit events and about maxBytes, oldest out first', () => {
    const store = new MemoryEventHistoryStore();
    for (let index = 1; index <= 5; index++)
      store.append('k', event(index, index, [index]), { limit: 3, maxBytes: 1e6 });
    expect(store.events('k').map((kept) => kept.publication)).toEqual([3, 4, 5]);
    const big = ['x'.repeat(1000)];
    store.append('k', event(6, 6, big), { limit: 3, maxBytes: 2500 });
    store.append('k', event(7, 7, big), { limit: 3, maxBytes: 2500 });
    // Each big event is ~2 KB: only the newest fits.
    expect(store.events('k').map((kept) => kept.publication)).toEqual([7]);
    expect(store.heldBytes('k')).toBeLessThanOrEqual(2500);
    // One event larger than the budget is not kept at all.
    store.append('k', event(8, 8, ['y'.repeat(5000)]), { limit: 3, maxBytes: 2500 });
    expect(store.events('k')).toEqual([]);
    expect(store.heldBytes('k')).toBe(0);
  });

  it('an asynchronous history store: get_events answers when it resolves; a failing append is logged, not thrown', async () => {
    const logger = recordingLogger();
    const memory = new MemoryEventHistoryStore();
    let failNext = false;
    const store: WampEventHistoryStore = {
      append: (key, kept, bounds) => {
        if (failNext) return Promise.reject(new Error('store down'));
        memory.append(key, kept, bounds);
        return Promise.resolve();
      },
      events: (key) => new Promise((resolve) => setTimeout(() => resolve(memory.events(key)), 5)),
    };
    const options: WampRouterOptions = routerOptions({
      logger,
      realms: [{ name: 'realm1', eventHistory: [{ topic: 'a.b' }] }],
      parts: { eventHistoryStore: () => store },
    });
    const router = new WampRouter(options);
    const { send } = await joined(router);
    const [[, , , [subscription]]] = (await send([48, 1, {}, 'wamp.subscription.lookup', ['a.b']])) as [
      [number, number, object, [number]],
    ];
    const [[, , publication]] = (await send([16, 2, { acknowledge: true }, 'a.b', ['kept']])) as [
      [number, number, number],
    ];
    failNext = true;
    await send([16, 3, { acknowledge: true }, 'a.b', ['lost']]);
    expect(logger.errors).toEqual(['Event history store failed']);
    const answer = await send([48, 4, {}, 'wamp.subscription.get_events', [subscription]]);
    expect(answer).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = await send([48, 5, {}, 'wamp.subscription.count_subscribers', [subscription]]);
    expect(later).toEqual([
      [
        50,
        4,
        {},
        [[{ timestamp: expect.any(String), subscription, publication, details: {}, args: ['kept'] }]],
      ],
      [50, 5, {}, [0]],
    ]);
  });

  it('a listener that throws is logged; the change it was told about stands', async () => {
    const logger = recordingLogger();
    const router = new WampRouter(routerOptions({ logger }));
    const realm = router.realms.get('realm1')!;
    realm.dealer.registrations!.observe({
      created: () => {
        throw new Error('listener bug');
      },
      registered: () => undefined,
      unregistered: () => undefined,
      deleted: () => undefined,
    });
    const { send } = await joined(router);
    const [[type, request, registration]] = (await send([64, 1, {}, 'com.x'])) as [[number, number, number]];
    expect([type, request]).toEqual([65, 1]);
    expect(logger.errors).toEqual(['Registration listener failed on created']);
    expect(realm.dealer.registrations!.get(registration)?.uri).toBe('com.x');
  });
});

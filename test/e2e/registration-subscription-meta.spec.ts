import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { WampMetaService, WampRouter, type WampPermissionRule } from '../../lib/index.js';
import { appForMetaTests, roleFromAuthid } from '../support/meta-sessions.js';
import { callFrame as call, type RawWampClient } from '../support/raw-wamp-client.js';

/**
 * The registration and subscription meta API over real sockets, frame-exact (the spec's "Registration Meta API"
 * and "Subscription Meta API"): events in the spec's order and after the change they report, procedures with the
 * spec's argument shapes, error URIs, Nest handlers listed beside client callees, the router's own `wamp.` URIs
 * hidden, authorization applied, and the same facts through the injectable WampMetaService.
 */

@Controller()
class AppProcedures {
  @MessagePattern('app.add')
  add(payload: { args: number[] }): number {
    return payload.args[0] + payload.args[1];
  }
}

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Subscribes to `topics` in order (request IDs 1..n); returns their subscription IDs by topic. */
async function watch(
  client: RawWampClient,
  topics: string[],
  firstRequest = 1,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [index, topic] of topics.entries()) {
    client.send([32, firstRequest + index, {}, topic]);
    const [type, request, subscription] = (await client.next()) as [number, number, number];
    expect([type, request]).toEqual([33, firstRequest + index]);
    ids.set(topic, subscription);
  }
  return ids;
}

describe('registration and subscription meta API', () => {
  const { app, joined } = appForMetaTests({ controllers: [AppProcedures] });
  const routerSession = (): number => app().app.get(WampRouter).realms.get('realm1')!.routerSession;

  it('WELCOME announces registration_meta_api, subscription_meta_api and testament_meta_api, and no event_history', async () => {
    const { details } = await joined();
    expect(details.roles.dealer.features).toMatchObject({
      registration_meta_api: true,
      testament_meta_api: true,
      session_meta_api: true,
    });
    expect(details.roles.broker.features).toMatchObject({
      subscription_meta_api: true,
      session_meta_api: true,
    });
    expect(details.roles.broker.features).not.toHaveProperty('event_history');
  });

  it('registration events: REGISTERED, then on_create and on_register; UNREGISTERED, then on_unregister and on_delete', async () => {
    const callee = await joined();
    const topics = [
      'wamp.registration.on_create',
      'wamp.registration.on_register',
      'wamp.registration.on_unregister',
      'wamp.registration.on_delete',
    ];
    const subscriptions = await watch(callee.client, topics);
    const [onCreate, onRegister, onUnregister, onDelete] = topics.map((topic) => subscriptions.get(topic));

    callee.client.send([64, 10, { match: 'prefix', invoke: 'roundrobin' }, 'com.meta.tools.']);
    const [registered, request, registration] = (await callee.client.next()) as number[];
    expect([registered, request]).toEqual([65, 10]);
    const created = (await callee.client.next()) as [
      number,
      number,
      number,
      object,
      [number, Record<string, unknown>],
    ];
    expect(created.slice(0, 4)).toEqual([36, onCreate, expect.any(Number), {}]);
    expect(created[4]).toEqual([
      callee.id,
      {
        id: registration,
        created: expect.stringMatching(ISO_DATE),
        uri: 'com.meta.tools.',
        match: 'prefix',
        invoke: 'roundrobin',
      },
    ]);
    expect(await callee.client.next()).toEqual([
      36,
      onRegister,
      expect.any(Number),
      {},
      [callee.id, registration],
    ]);

    // A second callee joins the shared registration: on_register only.
    const second = await joined();
    second.client.send([64, 1, { match: 'prefix', invoke: 'roundrobin' }, 'com.meta.tools.']);
    expect(await second.client.next()).toEqual([65, 1, registration]);
    expect(await callee.client.next()).toEqual([
      36,
      onRegister,
      expect.any(Number),
      {},
      [second.id, registration],
    ]);

    // The first leaves it: on_unregister only, the registration lives on.
    callee.client.send([66, 11, registration]);
    expect(await callee.client.next()).toEqual([67, 11]);
    expect(await callee.client.next()).toEqual([
      36,
      onUnregister,
      expect.any(Number),
      {},
      [callee.id, registration],
    ]);

    // The last callee's session ends: on_unregister, then on_delete, both naming it.
    second.client.send([6, {}, 'wamp.close.close_realm']);
    expect(await second.client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect(await callee.client.next()).toEqual([
      36,
      onUnregister,
      expect.any(Number),
      {},
      [second.id, registration],
    ]);
    expect(await callee.client.next()).toEqual([
      36,
      onDelete,
      expect.any(Number),
      {},
      [second.id, registration],
    ]);
  });

  it('registration procedures: list, lookup, match, get, list_callees, count_callees; Nest handlers beside client callees', async () => {
    const caller = await joined();
    const callee = await joined();
    callee.client.send([64, 1, {}, 'com.meta.exact']);
    const [, , exact] = (await callee.client.next()) as number[];
    callee.client.send([64, 2, { match: 'wildcard' }, 'com.meta..run']);
    const [, , wildcard] = (await callee.client.next()) as number[];

    const [, , , [nestHandler]] = (await call(caller.client, 1, 'wamp.registration.lookup', ['app.add'])) as [
      number,
      number,
      object,
      [number],
    ];
    expect(typeof nestHandler).toBe('number');
    const list = await call(caller.client, 2, 'wamp.registration.list');
    expect(list.slice(0, 3)).toEqual([50, 2, {}]);
    const [lists] = list[3] as [{ exact: number[]; prefix: number[]; wildcard: number[] }];
    expect(lists.exact).toEqual(expect.arrayContaining([nestHandler, exact]));
    expect(lists.wildcard).toContain(wildcard);
    // The meta procedures themselves are the router's: not listed.
    const allIds = [...lists.exact, ...lists.prefix, ...lists.wildcard];
    for (const id of allIds) {
      const [, , , [facts]] = (await call(caller.client, 3, 'wamp.registration.get', [id])) as [
        number,
        number,
        object,
        [{ uri: string }],
      ];
      expect(facts.uri.startsWith('wamp.')).toBe(false);
    }

    expect(
      await call(caller.client, 4, 'wamp.registration.lookup', ['com.meta..run', { match: 'wildcard' }]),
    ).toEqual([50, 4, {}, [wildcard]]);
    expect(await call(caller.client, 5, 'wamp.registration.lookup', ['com.meta..run'])).toEqual([
      50,
      5,
      {},
      [null],
    ]);
    expect(await call(caller.client, 6, 'wamp.registration.match', ['com.meta.job.run'])).toEqual([
      50,
      6,
      {},
      [wildcard],
    ]);
    expect(await call(caller.client, 7, 'wamp.registration.match', ['com.meta.exact'])).toEqual([
      50,
      7,
      {},
      [exact],
    ]);
    expect(await call(caller.client, 8, 'wamp.registration.match', ['com.nothing'])).toEqual([
      50,
      8,
      {},
      [null],
    ]);
    // The router's procedures are not matched either.
    expect(await call(caller.client, 9, 'wamp.registration.match', ['wamp.session.count'])).toEqual([
      50,
      9,
      {},
      [null],
    ]);

    expect(await call(caller.client, 10, 'wamp.registration.get', [exact])).toEqual([
      50,
      10,
      {},
      [
        {
          id: exact,
          created: expect.stringMatching(ISO_DATE),
          uri: 'com.meta.exact',
          match: 'exact',
          invoke: 'single',
        },
      ],
    ]);
    expect(await call(caller.client, 11, 'wamp.registration.list_callees', [exact])).toEqual([
      50,
      11,
      {},
      [[callee.id]],
    ]);
    expect(await call(caller.client, 12, 'wamp.registration.count_callees', [exact])).toEqual([
      50,
      12,
      {},
      [1],
    ]);
    // A Nest handler's callee is the realm's router session.
    expect(await call(caller.client, 13, 'wamp.registration.list_callees', [nestHandler])).toEqual([
      50,
      13,
      {},
      [[routerSession()]],
    ]);
    expect(await call(caller.client, 14, 'wamp.registration.get', [nestHandler])).toEqual([
      50,
      14,
      {},
      [
        {
          id: nestHandler,
          created: expect.stringMatching(ISO_DATE),
          uri: 'app.add',
          match: 'exact',
          invoke: 'single',
        },
      ],
    ]);

    for (const [request, procedure] of [
      [15, 'wamp.registration.get'],
      [16, 'wamp.registration.list_callees'],
      [17, 'wamp.registration.count_callees'],
    ] as const) {
      expect(await call(caller.client, request, procedure, [42])).toEqual([
        8,
        48,
        request,
        {},
        'wamp.error.no_such_registration',
        ['No registration 42 in this realm.'],
      ]);
    }
    expect(await call(caller.client, 18, 'wamp.registration.get', ['x'])).toEqual([
      8,
      48,
      18,
      {},
      'wamp.error.invalid_argument',
      ['registration must be an ID.'],
    ]);
    expect(await call(caller.client, 19, 'wamp.registration.lookup', ['a', { match: 'fuzzy' }])).toEqual([
      8,
      48,
      19,
      {},
      'wamp.error.invalid_argument',
      ['options.match must be "exact", "prefix" or "wildcard".'],
    ]);
    expect(await call(caller.client, 20, 'wamp.registration.match', [])).toEqual([
      8,
      48,
      20,
      {},
      'wamp.error.invalid_argument',
      ['procedure must be a URI string.'],
    ]);
  });

  it('subscription events: SUBSCRIBED, then on_create and on_subscribe; UNSUBSCRIBED, then on_unsubscribe and on_delete', async () => {
    const watcher = await joined();
    const topics = [
      'wamp.subscription.on_create',
      'wamp.subscription.on_subscribe',
      'wamp.subscription.on_unsubscribe',
      'wamp.subscription.on_delete',
    ];
    const ids = await watch(watcher.client, topics);
    const [onCreate, onSubscribe, onUnsubscribe, onDelete] = topics.map((topic) => ids.get(topic));

    // The watcher's own subscription: SUBSCRIBED comes first, then the events that report it.
    watcher.client.send([32, 10, { match: 'prefix' }, 'com.meta.news.']);
    const [subscribed, request, subscription] = (await watcher.client.next()) as number[];
    expect([subscribed, request]).toEqual([33, 10]);
    expect(await watcher.client.next()).toEqual([
      36,
      onCreate,
      expect.any(Number),
      {},
      [
        watcher.id,
        {
          id: subscription,
          created: expect.stringMatching(ISO_DATE),
          uri: 'com.meta.news.',
          match: 'prefix',
        },
      ],
    ]);
    expect(await watcher.client.next()).toEqual([
      36,
      onSubscribe,
      expect.any(Number),
      {},
      [watcher.id, subscription],
    ]);

    const other = await joined();
    other.client.send([32, 1, { match: 'prefix' }, 'com.meta.news.']);
    expect(await other.client.next()).toEqual([33, 1, subscription]);
    expect(await watcher.client.next()).toEqual([
      36,
      onSubscribe,
      expect.any(Number),
      {},
      [other.id, subscription],
    ]);

    watcher.client.send([34, 11, subscription]);
    expect(await watcher.client.next()).toEqual([35, 11]);
    expect(await watcher.client.next()).toEqual([
      36,
      onUnsubscribe,
      expect.any(Number),
      {},
      [watcher.id, subscription],
    ]);

    other.client.terminate();
    expect(await watcher.client.next()).toEqual([
      36,
      onUnsubscribe,
      expect.any(Number),
      {},
      [other.id, subscription],
    ]);
    expect(await watcher.client.next()).toEqual([
      36,
      onDelete,
      expect.any(Number),
      {},
      [other.id, subscription],
    ]);
    // Subscriptions to meta topics were announced to nobody: nothing else arrived.
    expect(watcher.client.pending).toEqual([]);
  });

  it('subscription procedures: list, lookup, match, get, list_subscribers, count_subscribers', async () => {
    const caller = await joined();
    const subscriber = await joined();
    const ids = await watch(subscriber.client, ['com.meta.feed', 'wamp.session.on_join']);
    const feed = ids.get('com.meta.feed') as number;
    subscriber.client.send([32, 3, { match: 'wildcard' }, 'com..feed']);
    const [, , wildcard] = (await subscriber.client.next()) as number[];

    const list = await call(caller.client, 1, 'wamp.subscription.list');
    const [lists] = list[3] as [{ exact: number[]; prefix: number[]; wildcard: number[] }];
    expect(lists.exact).toContain(feed);
    expect(lists.wildcard).toContain(wildcard);
    expect(lists.exact).not.toContain(ids.get('wamp.session.on_join'));

    expect(await call(caller.client, 2, 'wamp.subscription.lookup', ['com.meta.feed'])).toEqual([
      50,
      2,
      {},
      [feed],
    ]);
    expect(
      await call(caller.client, 3, 'wamp.subscription.lookup', ['com..feed', { match: 'wildcard' }]),
    ).toEqual([50, 3, {}, [wildcard]]);
    expect(await call(caller.client, 4, 'wamp.subscription.lookup', ['com.meta.other'])).toEqual([
      50,
      4,
      {},
      [null],
    ]);
    const matched = await call(caller.client, 5, 'wamp.subscription.match', ['com.meta.feed']);
    expect(matched.slice(0, 3)).toEqual([50, 5, {}]);
    expect([...(matched[3] as [number[]])[0]].sort()).toEqual([feed, wildcard].sort());
    expect(await call(caller.client, 6, 'wamp.subscription.match', ['com.none'])).toEqual([
      50,
      6,
      {},
      [null],
    ]);
    expect(await call(caller.client, 7, 'wamp.subscription.match', ['wamp.session.on_join'])).toEqual([
      50,
      7,
      {},
      [null],
    ]);
    expect(await call(caller.client, 8, 'wamp.subscription.get', [feed])).toEqual([
      50,
      8,
      {},
      [{ id: feed, created: expect.stringMatching(ISO_DATE), uri: 'com.meta.feed', match: 'exact' }],
    ]);
    expect(await call(caller.client, 9, 'wamp.subscription.list_subscribers', [feed])).toEqual([
      50,
      9,
      {},
      [[subscriber.id]],
    ]);
    expect(await call(caller.client, 10, 'wamp.subscription.count_subscribers', [feed])).toEqual([
      50,
      10,
      {},
      [1],
    ]);
    expect(await call(caller.client, 11, 'wamp.subscription.get', [ids.get('wamp.session.on_join')])).toEqual(
      [
        8,
        48,
        11,
        {},
        'wamp.error.no_such_subscription',
        [`No subscription ${ids.get('wamp.session.on_join')} in this realm.`],
      ],
    );
    for (const [request, procedure] of [
      [12, 'wamp.subscription.list_subscribers'],
      [13, 'wamp.subscription.count_subscribers'],
    ] as const) {
      expect(await call(caller.client, request, procedure, [42])).toEqual([
        8,
        48,
        request,
        {},
        'wamp.error.no_such_subscription',
        ['No subscription 42 in this realm.'],
      ]);
    }
    expect(await call(caller.client, 14, 'wamp.subscription.lookup', [7])).toEqual([
      8,
      48,
      14,
      {},
      'wamp.error.invalid_argument',
      ['topic must be a URI string.'],
    ]);
  });

  it('WampMetaService tells Nest code the same facts, and kills', async () => {
    const meta = app().app.get(WampMetaService);
    const callee = await joined();
    callee.client.send([64, 1, {}, 'com.meta.service']);
    const [, , registration] = (await callee.client.next()) as number[];
    callee.client.send([32, 2, {}, 'com.meta.service.news']);
    const [, , subscription] = (await callee.client.next()) as number[];

    expect(meta.session(callee.id)).toMatchObject({ session: callee.id, authrole: 'anonymous' });
    expect(meta.sessions().map((session) => session.session)).toContain(callee.id);
    expect(meta.registration(registration)).toEqual({
      id: registration,
      created: expect.stringMatching(ISO_DATE),
      uri: 'com.meta.service',
      match: 'exact',
      invoke: 'single',
      callees: [callee.id],
    });
    expect(meta.registrations().find((info) => info.uri === 'app.add')?.callees).toEqual([routerSession()]);
    expect(meta.registrations().some((info) => info.uri.startsWith('wamp.'))).toBe(false);
    expect(meta.subscription(subscription)).toMatchObject({
      uri: 'com.meta.service.news',
      subscribers: [callee.id],
    });
    expect(meta.subscriptions().map((info) => info.id)).toContain(subscription);
    expect(() => meta.sessions('nowhere')).toThrow(
      'WampMetaService: realm "nowhere" is not served by this router.',
    );

    const closing = meta.kill(callee.id, { reason: 'com.example.banned', message: 'bye' });
    expect(await callee.client.next()).toEqual([6, { message: 'bye' }, 'com.example.banned']);
    callee.client.send([6, {}, 'wamp.close.goodbye_and_out']);
    await expect(closing).resolves.toBe(true);
    expect(meta.session(callee.id)).toBeUndefined();
    expect(meta.registration(registration)).toBeUndefined();
    await expect(meta.kill(callee.id)).resolves.toBe(false);
  });
});

describe('registration and subscription meta API under authorization', () => {
  const rules: WampPermissionRule[] = [
    { role: 'admin', uri: 'wamp.', match: 'prefix', allow: ['call', 'subscribe'] },
    { role: 'user', uri: 'com.', match: 'prefix', allow: ['register', 'subscribe'] },
  ];
  const { joined } = appForMetaTests({
    wamp: { realms: [{ name: 'realm1', authenticator: roleFromAuthid, authorization: { rules } }] },
  });

  it('a realm hides its meta API from roles it does not grant: not_authorized for calls and subscriptions', async () => {
    const user = await joined('user');
    const admin = await joined('admin');
    expect(await call(user.client, 1, 'wamp.registration.list')).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.not_authorized',
      ['Not authorized to call "wamp.registration.list".'],
    ]);
    user.client.send([32, 2, {}, 'wamp.subscription.on_create']);
    expect(await user.client.next()).toEqual([
      8,
      32,
      2,
      {},
      'wamp.error.not_authorized',
      ['Not authorized to subscribe "wamp.subscription.on_create".'],
    ]);
    const list = await call(admin.client, 1, 'wamp.subscription.list');
    expect(list.slice(0, 3)).toEqual([50, 1, {}]);
  });
});

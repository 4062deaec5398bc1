import 'reflect-metadata';
import type { WampPermissionRule } from '../../lib/index.js';
import { appForMetaTests, roleFromAuthid } from '../support/meta-sessions.js';
import type { RawWampClient } from '../support/raw-wamp-client.js';

/**
 * Session testaments and event history over real sockets, frame-exact (the spec's "Session Testament" and
 * "Event History"): what is published when a session ends and in which order, what `get_events` returns for each
 * filter, and every refusal with its URI.
 */

type Frame = unknown[];
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const RULES: WampPermissionRule[] = [
  { role: 'admin', uri: '', match: 'prefix', allow: ['call', 'subscribe', 'publish', 'register'] },
  { role: 'user', uri: 'wamp.', match: 'prefix', allow: ['call'] },
  { role: 'user', uri: 'com.public.', match: 'prefix', allow: ['subscribe', 'publish'] },
];

async function call(
  client: RawWampClient,
  request: number,
  procedure: string,
  args: unknown[] = [],
  kwargs?: object,
) {
  client.send([48, request, {}, procedure, args, ...(kwargs ? [kwargs] : [])]);
  return (await client.next()) as Frame;
}

async function subscribe(
  client: RawWampClient,
  request: number,
  topic: string,
  options: object = {},
): Promise<number> {
  client.send([32, request, options, topic]);
  const [type, answered, subscription] = (await client.next()) as number[];
  expect([type, answered]).toEqual([33, request]);
  return subscription;
}

describe('session testaments', () => {
  const { joined } = appForMetaTests({
    wamp: {
      maxTestamentBytes: 2048,
      realms: [{ name: 'realm1', authenticator: roleFromAuthid, authorization: { rules: RULES } }],
    },
  });

  it('published when the connection is lost: detached scope first, then destroyed, each in the order added; then on_leave', async () => {
    const watcher = await joined('admin');
    const gone = await subscribe(watcher.client, 1, 'com.public.gone');
    const onLeave = await subscribe(watcher.client, 2, 'wamp.session.on_leave');
    const leaver = await joined('user');
    expect(
      await call(leaver.client, 1, 'wamp.session.add_testament', [
        'com.public.gone',
        ['first destroyed'],
        { n: 1 },
      ]),
    ).toEqual([50, 1, {}]);
    expect(
      await call(leaver.client, 2, 'wamp.session.add_testament', ['com.public.gone', ['detached']], {
        scope: 'detached',
      }),
    ).toEqual([50, 2, {}]);
    expect(
      await call(leaver.client, 3, 'wamp.session.add_testament', ['com.public.gone', ['second destroyed']], {
        scope: 'destroyed',
      }),
    ).toEqual([50, 3, {}]);
    leaver.client.terminate();
    expect(await watcher.client.next()).toEqual([36, gone, expect.any(Number), {}, ['detached']]);
    expect(await watcher.client.next()).toEqual([
      36,
      gone,
      expect.any(Number),
      {},
      ['first destroyed'],
      { n: 1 },
    ]);
    expect(await watcher.client.next()).toEqual([36, gone, expect.any(Number), {}, ['second destroyed']]);
    expect(await watcher.client.next()).toEqual([
      36,
      onLeave,
      expect.any(Number),
      {},
      [leaver.id, 'user', 'user'],
    ]);
  });

  it('also on GOODBYE; flush_testaments removes one scope only; publish_options lists are applied', async () => {
    const watcher = await joined('admin');
    const gone = await subscribe(watcher.client, 1, 'com.public.gone');
    const bystander = await joined('user');
    const bystanderGone = await subscribe(bystander.client, 1, 'com.public.gone');
    const leaver = await joined('user');
    await call(leaver.client, 1, 'wamp.session.add_testament', ['com.public.gone', ['flushed']], {
      scope: 'detached',
    });
    await call(leaver.client, 2, 'wamp.session.add_testament', ['com.public.gone', ['admins only']], {
      publish_options: { eligible_authrole: ['admin'], acknowledge: true },
    });
    await call(leaver.client, 3, 'wamp.session.add_testament', ['com.public.gone', ['everyone']]);
    expect(await call(leaver.client, 4, 'wamp.session.flush_testaments', [], { scope: 'detached' })).toEqual([
      50,
      4,
      {},
    ]);
    leaver.client.send([6, {}, 'wamp.close.close_realm']);
    expect(await leaver.client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect(await watcher.client.next()).toEqual([36, gone, expect.any(Number), {}, ['admins only']]);
    expect(await watcher.client.next()).toEqual([36, gone, expect.any(Number), {}, ['everyone']]);
    expect(await bystander.client.next()).toEqual([36, bystanderGone, expect.any(Number), {}, ['everyone']]);
  });

  it('flush_testaments without scope flushes destroyed: nothing is published', async () => {
    const watcher = await joined('admin');
    const gone = await subscribe(watcher.client, 1, 'com.public.gone');
    const leaver = await joined('user');
    await call(leaver.client, 1, 'wamp.session.add_testament', ['com.public.gone', ['never']]);
    expect(await call(leaver.client, 2, 'wamp.session.flush_testaments')).toEqual([50, 2, {}]);
    leaver.client.terminate();
    // A control publication after the leaver is gone arrives first: the testament was not published.
    await new Promise((resolve) => setTimeout(resolve, 50));
    watcher.client.send([16, 9, { exclude_me: false }, 'com.public.gone', ['control']]);
    expect(await watcher.client.next()).toEqual([36, gone, expect.any(Number), {}, ['control']]);
  });

  it('refusals: bad scope, bad topic, reserved topic, bad options, no permission to publish, over the budget', async () => {
    const user = await joined('user');
    const refusals: [unknown[], object | undefined, string, string][] = [
      [
        ['com.public.x'],
        { scope: 'forever' },
        'wamp.error.invalid_argument',
        'scope must be "destroyed" or "detached".',
      ],
      [[42], undefined, 'wamp.error.invalid_argument', 'topic must be a URI string.'],
      [
        ['Not A Uri!'],
        undefined,
        'wamp.error.invalid_uri',
        '"Not A Uri!" is not a topic a testament can be published on.',
      ],
      [
        ['wamp.session.on_leave'],
        undefined,
        'wamp.error.invalid_uri',
        '"wamp.session.on_leave" is not a topic a testament can be published on.',
      ],
      [['com.public.x', 'not a list'], undefined, 'wamp.error.invalid_argument', 'args must be a list.'],
      [['com.public.x', [], []], undefined, 'wamp.error.invalid_argument', 'kwargs must be a dict.'],
      [
        ['com.public.x'],
        { publish_options: { eligible: ['x'] } },
        'wamp.error.invalid_argument',
        'publish_options.eligible must be a list of session IDs.',
      ],
      [
        ['com.public.x'],
        { publish_options: { fancy: true } },
        'wamp.error.invalid_argument',
        'publish_options.fancy is not an option a testament can use.',
      ],
      [['com.secret.x'], undefined, 'wamp.error.not_authorized', 'Not authorized to publish "com.secret.x".'],
    ];
    let request = 1;
    for (const [args, kwargs, uri, message] of refusals) {
      expect(await call(user.client, request, 'wamp.session.add_testament', args, kwargs)).toEqual([
        8,
        48,
        request,
        {},
        uri,
        [message],
      ]);
      request++;
    }
    expect(await call(user.client, request, 'wamp.session.flush_testaments', [], { scope: 1 })).toEqual([
      8,
      48,
      request,
      {},
      'wamp.error.invalid_argument',
      ['scope must be "destroyed" or "detached".'],
    ]);
    request++;
    // 2048 approximate bytes: one testament of ~1.6 KB fits, the second does not.
    const bulky = ['x'.repeat(800)];
    expect(await call(user.client, request, 'wamp.session.add_testament', ['com.public.x', bulky])).toEqual([
      50,
      request,
      {},
    ]);
    request++;
    expect(await call(user.client, request, 'wamp.session.add_testament', ['com.public.x', bulky])).toEqual([
      8,
      48,
      request,
      {},
      'nestjs_wamp.error.too_many_testaments',
      ['Too many testaments: a session may leave about 2048 bytes of them.'],
      { limit: 2048 },
    ]);
  });
});

describe('event history', () => {
  const { joined } = appForMetaTests({
    wamp: {
      realms: [
        {
          name: 'realm1',
          authenticator: roleFromAuthid,
          authorization: { rules: RULES },
          eventHistory: [
            { topic: 'com.public.chat', limit: 3 },
            { topic: 'com.public.log.', match: 'prefix' },
            { topic: 'com.secret.audit' },
          ],
        },
      ],
    },
  });
  const lookup = async (client: RawWampClient, topic: string, match = 'exact'): Promise<number> => {
    const [type, , , [id]] = (await call(client, 99, 'wamp.subscription.lookup', [topic, { match }])) as [
      number,
      number,
      object,
      [number],
    ];
    expect(type).toBe(50);
    expect(typeof id).toBe('number');
    return id;
  };

  it('WELCOME announces event_history; history subscriptions exist before anyone subscribes', async () => {
    const { client, details } = await joined('user');
    expect(details.roles.broker.features).toMatchObject({ event_history: true, subscription_meta_api: true });
    const chat = await lookup(client, 'com.public.chat');
    expect(await call(client, 1, 'wamp.subscription.count_subscribers', [chat])).toEqual([50, 1, {}, [0]]);
  });

  it('keeps the newest events up to the limit, in order; limit, reverse and publication bounds page through them', async () => {
    const publisher = await joined('admin');
    const chat = await lookup(publisher.client, 'com.public.chat');
    const publications: number[] = [];
    for (let index = 1; index <= 5; index++) {
      publisher.client.send([
        16,
        index,
        { acknowledge: true },
        'com.public.chat',
        [index],
        { from: 'admin' },
      ]);
      const [, , publication] = (await publisher.client.next()) as number[];
      publications.push(publication);
    }
    // Not kept: a publication with a session-based list.
    publisher.client.send([16, 6, { acknowledge: true, exclude: [1] }, 'com.public.chat', ['session list']]);
    await publisher.client.next();
    const reader = await joined('user');
    const event = (index: number) => ({
      timestamp: expect.stringMatching(RFC3339),
      subscription: chat,
      publication: publications[index - 1],
      details: {},
      args: [index],
      kwargs: { from: 'admin' },
    });
    expect(await call(reader.client, 1, 'wamp.subscription.get_events', [chat])).toEqual([
      50,
      1,
      {},
      [[event(3), event(4), event(5)]],
    ]);
    expect(await call(reader.client, 2, 'wamp.subscription.get_events', [chat, 2])).toEqual([
      50,
      2,
      {},
      [[event(3), event(4)]],
    ]);
    expect(
      await call(reader.client, 3, 'wamp.subscription.get_events', [chat], { reverse: true, limit: 2 }),
    ).toEqual([50, 3, {}, [[event(5), event(4)]]]);
    expect(
      await call(reader.client, 4, 'wamp.subscription.get_events', [chat], {
        after_publication: publications[3],
      }),
    ).toEqual([50, 4, {}, [[event(5)]]]);
    expect(
      await call(reader.client, 5, 'wamp.subscription.get_events', [chat], {
        from_publication: publications[3],
      }),
    ).toEqual([50, 5, {}, [[event(4), event(5)]]]);
    expect(
      await call(reader.client, 6, 'wamp.subscription.get_events', [chat], {
        before_publication: publications[4],
        reverse: true,
      }),
    ).toEqual([50, 6, {}, [[event(4), event(3)]]]);
    expect(
      await call(reader.client, 7, 'wamp.subscription.get_events', [chat], {
        until_publication: publications[3],
      }),
    ).toEqual([50, 7, {}, [[event(3), event(4)]]]);
    // A publication that aged out of the history bounds nothing in: the page is empty.
    expect(
      await call(reader.client, 8, 'wamp.subscription.get_events', [chat], {
        after_publication: publications[0],
      }),
    ).toEqual([50, 8, {}, [[]]]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(
      await call(reader.client, 9, 'wamp.subscription.get_events', [chat], { from_time: future }),
    ).toEqual([50, 9, {}, [[]]]);
    expect(
      await call(reader.client, 10, 'wamp.subscription.get_events', [chat], {
        after_time: past,
        before_time: future,
        limit: 1,
      }),
    ).toEqual([50, 10, {}, [[event(3)]]]);
    expect(
      await call(reader.client, 11, 'wamp.subscription.get_events', [chat], { until_time: past }),
    ).toEqual([50, 11, {}, [[]]]);
  });

  it('pattern rules keep details.topic and filter by topic; authid/authrole lists apply to the reader; disclosure is kept', async () => {
    const admin = await joined('admin');
    const log = await lookup(admin.client, 'com.public.log.', 'prefix');
    admin.client.send([16, 1, { acknowledge: true }, 'com.public.log.web', ['web']]);
    const [, , web] = (await admin.client.next()) as number[];
    admin.client.send([
      16,
      2,
      { acknowledge: true, eligible_authrole: ['admin'], disclose_me: true },
      'com.public.log.db',
      ['db'],
    ]);
    const [, , db] = (await admin.client.next()) as number[];
    const user = await joined('user');
    const webEvent = {
      timestamp: expect.stringMatching(RFC3339),
      subscription: log,
      publication: web,
      details: { topic: 'com.public.log.web' },
      args: ['web'],
    };
    expect(await call(user.client, 1, 'wamp.subscription.get_events', [log])).toEqual([
      50,
      1,
      {},
      [[webEvent]],
    ]);
    expect(
      await call(admin.client, 3, 'wamp.subscription.get_events', [log], { topic: 'com.public.log.db' }),
    ).toEqual([
      50,
      3,
      {},
      [
        [
          {
            timestamp: expect.stringMatching(RFC3339),
            subscription: log,
            publication: db,
            details: {
              topic: 'com.public.log.db',
              publisher: admin.id,
              publisher_authid: 'admin',
              publisher_authrole: 'admin',
            },
            args: ['db'],
          },
        ],
      ],
    ]);
  });

  it('refusals: a reader not allowed to subscribe, unknown or history-less subscriptions, bad filters', async () => {
    const user = await joined('user');
    const audit = await lookup(user.client, 'com.secret.audit');
    expect(await call(user.client, 1, 'wamp.subscription.get_events', [audit])).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.not_authorized',
      ['Not authorized to subscribe to "com.secret.audit".'],
    ]);
    expect(await call(user.client, 2, 'wamp.subscription.get_events', [42])).toEqual([
      8,
      48,
      2,
      {},
      'wamp.error.no_such_subscription',
      ['No subscription 42 in this realm.'],
    ]);
    const plain = await subscribe(user.client, 3, 'com.public.plain');
    expect(await call(user.client, 4, 'wamp.subscription.get_events', [plain])).toEqual([
      8,
      48,
      4,
      {},
      'wamp.error.no_such_subscription',
      [`Subscription ${plain} keeps no event history.`],
    ]);
    const chat = await lookup(user.client, 'com.public.chat');
    const bad: [object, string][] = [
      [{ limit: 0 }, 'limit must be a positive integer.'],
      [{ reverse: 'yes' }, 'reverse must be a boolean.'],
      [{ from_time: 'yesterday' }, 'from_time must be an RFC 3339 timestamp.'],
      [{ after_publication: 'x' }, 'after_publication must be a publication ID.'],
      [{ topic: 1 }, 'topic must be a URI string.'],
    ];
    let request = 5;
    for (const [kwargs, message] of bad) {
      expect(await call(user.client, request, 'wamp.subscription.get_events', [chat], kwargs)).toEqual([
        8,
        48,
        request,
        {},
        'wamp.error.invalid_argument',
        [message],
      ]);
      request++;
    }
  });
});

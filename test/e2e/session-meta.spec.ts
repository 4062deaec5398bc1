import 'reflect-metadata';
import { type WampPermissionRule } from '../../lib/index.js';
import { appForMetaTests, joinAs, roleFromAuthid } from '../support/meta-sessions.js';

/**
 * The session meta API over real sockets, frame-exact (the spec's "Session Meta API"): procedures, events,
 * errors, and the kill procedures only where authorization grants them.
 */

const RULES: WampPermissionRule[] = [
  { role: 'admin', uri: '', match: 'prefix', allow: ['call', 'subscribe', 'publish', 'register'] },
  { role: 'user', uri: 'wamp.session.', match: 'prefix', allow: ['subscribe'] },
  { role: 'user', uri: 'app.', match: 'prefix', allow: ['call'] },
];

const transport = { type: 'websocket', protocol: 'wamp.2.json', secure: false };

describe('session meta API, open realm (no authorization)', () => {
  const { app, joined } = appForMetaTests({});

  it('WELCOME announces session_meta_api for the broker and the dealer', async () => {
    const { details } = await joined();
    expect(details.roles.broker.features).toMatchObject({ session_meta_api: true });
    expect(details.roles.dealer.features).toMatchObject({ session_meta_api: true });
  });

  it("count, list and get describe the realm's sessions; get of an unknown session: no_such_session", async () => {
    const first = await joined();
    const second = await joined();
    first.client.send([48, 1, {}, 'wamp.session.count']);
    expect(await first.client.next()).toEqual([50, 1, {}, [2]]);
    first.client.send([48, 2, {}, 'wamp.session.list']);
    const [, , , [ids]] = (await first.client.next()) as [number, number, object, [number[]]];
    expect([...ids].sort()).toEqual([first.id, second.id].sort());
    first.client.send([48, 3, {}, 'wamp.session.count', [['nobody-has-this-role']]]);
    expect(await first.client.next()).toEqual([50, 3, {}, [0]]);
    first.client.send([48, 4, {}, 'wamp.session.get', [second.id]]);
    expect(await first.client.next()).toEqual([
      50,
      4,
      {},
      [
        {
          session: second.id,
          authid: `anonymous-${second.id}`,
          authrole: 'anonymous',
          authmethod: 'anonymous',
          authprovider: 'static',
          transport,
        },
      ],
    ]);
    first.client.send([48, 5, {}, 'wamp.session.get', [123]]);
    expect(await first.client.next()).toEqual([
      8,
      48,
      5,
      {},
      'wamp.error.no_such_session',
      ['No session 123 in this realm.'],
    ]);
    first.client.send([48, 6, {}, 'wamp.session.get', ['not an id']]);
    expect(((await first.client.next()) as unknown[]).slice(0, 5)).toEqual([
      8,
      48,
      6,
      {},
      'wamp.error.invalid_argument',
    ]);
  });

  it('on_join after WELCOME and on_leave once the session is released', async () => {
    const watcher = await joined();
    watcher.client.send([32, 1, {}, 'wamp.session.on_join']);
    watcher.client.send([32, 2, {}, 'wamp.session.on_leave']);
    const [, , onJoin] = (await watcher.client.next()) as number[];
    const [, , onLeave] = (await watcher.client.next()) as number[];
    const newcomer = await joinAs(app());
    expect(await watcher.client.next()).toEqual([
      36,
      onJoin,
      expect.any(Number),
      {},
      [
        {
          session: newcomer.id,
          authid: `anonymous-${newcomer.id}`,
          authrole: 'anonymous',
          authmethod: 'anonymous',
          authprovider: 'static',
          transport,
        },
      ],
    ]);
    newcomer.client.send([6, {}, 'wamp.close.close_realm']);
    expect(await watcher.client.next()).toEqual([
      36,
      onLeave,
      expect.any(Number),
      {},
      [newcomer.id, `anonymous-${newcomer.id}`, 'anonymous'],
    ]);
    newcomer.client.terminate();
  });

  it('the kill procedures are not offered where no authorization grants them', async () => {
    const attacker = await joined();
    const victim = await joined();
    for (const [request, procedure, args] of [
      [1, 'wamp.session.kill', [victim.id]],
      [2, 'wamp.session.kill_by_authid', [`anonymous-${victim.id}`]],
      [3, 'wamp.session.kill_by_authrole', ['anonymous']],
      [4, 'wamp.session.kill_all', []],
    ] as const) {
      attacker.client.send([48, request, {}, procedure, args]);
      expect(await attacker.client.next()).toEqual([
        8,
        48,
        request,
        {},
        'wamp.error.not_authorized',
        [
          `${procedure} ends other sessions: it is only offered in a realm with authorization that grants it.`,
        ],
      ]);
    }
    victim.client.send([48, 1, {}, 'wamp.session.count']);
    expect(await victim.client.next()).toEqual([50, 1, {}, [2]]);
  });
});

describe('session meta API in a realm with authorization', () => {
  const { joined } = appForMetaTests({
    wamp: { realms: [{ name: 'realm1', authenticator: roleFromAuthid, authorization: { rules: RULES } }] },
  });

  it('rules apply to meta procedures like to any other: a user may watch, not list or kill', async () => {
    const user = await joined('user');
    user.client.send([48, 1, {}, 'wamp.session.list']);
    expect(await user.client.next()).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.not_authorized',
      ['Not authorized to call "wamp.session.list".'],
    ]);
    user.client.send([32, 2, {}, 'wamp.session.on_join']);
    expect(((await user.client.next()) as unknown[])[0]).toBe(33);
  });

  it('kill: the other session gets GOODBYE with the reason and message; the caller itself is no such session', async () => {
    const admin = await joined('admin');
    const victim = await joined('user');
    admin.client.send([48, 1, {}, 'wamp.session.kill', [admin.id]]);
    expect(await admin.client.next()).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.no_such_session',
      [`No other session ${admin.id} in this realm.`],
    ]);
    admin.client.send([48, 2, {}, 'wamp.session.kill', [victim.id], { reason: 'Not A URI!', message: 'x' }]);
    expect(((await admin.client.next()) as unknown[]).slice(0, 5)).toEqual([
      8,
      48,
      2,
      {},
      'wamp.error.invalid_uri',
    ]);
    admin.client.send([
      48,
      3,
      {},
      'wamp.session.kill',
      [victim.id],
      { reason: 'app.kicked', message: 'bye' },
    ]);
    expect(await victim.client.next()).toEqual([6, { message: 'bye' }, 'app.kicked']);
    expect(await admin.client.next()).toEqual([50, 3, {}]);
    victim.client.send([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await victim.client.waitClosed()).code).toBe(1000);
  });

  it('kill_by_authid returns the IDs, kill_by_authrole the count, both sparing the caller', async () => {
    const admin = await joined('admin');
    const users = [await joined('user'), await joined('user')];
    const otherAdmin = await joined('admin');
    admin.client.send([48, 1, {}, 'wamp.session.kill_by_authid', ['user']]);
    const [, , , [killed]] = (await admin.client.next()) as [number, number, object, [number[]]];
    expect([...killed].sort()).toEqual(users.map((user) => user.id).sort());
    for (const user of users) expect(await user.client.next()).toEqual([6, {}, 'wamp.close.killed']);
    admin.client.send([48, 2, {}, 'wamp.session.kill_by_authrole', ['admin'], { message: 'maintenance' }]);
    expect(await admin.client.next()).toEqual([50, 2, {}, [1]]);
    expect(await otherAdmin.client.next()).toEqual([6, { message: 'maintenance' }, 'wamp.close.killed']);
  });

  it('kill_all ends every other session and announces none of them on on_leave', async () => {
    const admin = await joined('admin');
    admin.client.send([32, 1, {}, 'wamp.session.on_leave']);
    expect(((await admin.client.next()) as unknown[])[0]).toBe(33);
    const others = [await joined('user'), await joined('user'), await joined('admin')];
    admin.client.send([48, 2, {}, 'wamp.session.kill_all']);
    expect(await admin.client.next()).toEqual([50, 2, {}, [3]]);
    for (const other of others) {
      expect(await other.client.next()).toEqual([6, {}, 'wamp.close.killed']);
      other.client.send([6, {}, 'wamp.close.goodbye_and_out']);
      await other.client.waitClosed();
    }
    await expect(admin.client.next(200)).rejects.toThrow('No message');
  });
});

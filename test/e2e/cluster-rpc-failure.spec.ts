import 'reflect-metadata';
import { MemoryBackplane, MemoryBackplaneHub } from '../../lib/core/index.js';
import { joinAs, type JoinedSession } from '../support/meta-sessions.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * What a lost instance leaves behind in the dealer (issue 17). An instance that falls silent (killed, or cut off
 * from the backplane: in memory, the same to the others) is lost after `backplaneLease`: calls waiting on its
 * callees end with `wamp.error.canceled`, the calls it forwarded are abandoned (their callees interrupted), and
 * its `single` registrations can be taken elsewhere once its claims lapse. An instance that shuts down says so,
 * and the others let go at once.
 */

const LEASE = 600;
const [ERROR, REGISTER, REGISTERED, CALL, RESULT, INVOCATION, INTERRUPT, YIELD] = [8, 64, 65, 48, 50, 68, 69, 70];

describe('RPC when an instance is lost', () => {
  const hub = new MemoryBackplaneHub();
  const backplanes = ['node-a', 'node-b', 'node-c'].map((node) => new MemoryBackplane(hub, node));
  const apps: RunningApp[] = [];
  const sessions: JoinedSession[] = [];
  beforeAll(async () => {
    for (const backplane of backplanes) {
      apps.push(await startApp({ wamp: { backplane, backplaneLease: LEASE } }));
    }
  });
  afterAll(async () => {
    for (const session of sessions) session.client.terminate();
    for (const app of apps) await app.app.close();
  });
  /** A session on instance `index`, announcing `call_canceling` as a callee (so it is sent INTERRUPT). */
  const on = async (index: number): Promise<JoinedSession> => {
    const client = await RawWampClient.connect(apps[index].url);
    client.send([1, 'realm1', { roles: { caller: {}, callee: { features: { call_canceling: true } } } }]);
    const [type, id, details] = (await client.next()) as [number, number, JoinedSession['details']];
    expect(type).toBe(2);
    const session = { client, id, details };
    sessions.push(session);
    return session;
  };
  const untilRouted = async (session: JoinedSession, procedure: string): Promise<void> => {
    const deadline = Date.now() + 5000;
    for (let request = 1_000_000; ; request++) {
      session.client.send([CALL, request, {}, 'wamp.registration.match', [procedure]]);
      const [, , , [id]] = (await session.client.next()) as [number, number, object, [number | null]];
      if (id !== null) return;
      if (Date.now() > deadline) throw new Error(`${procedure} is not routed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('a silent instance: callers elsewhere get canceled (also mid-progress), its forwarded calls are interrupted, its URIs are freed', async () => {
    const [callerOnA, calleeOnA, calleeOnB, callerOnB, latecomerOnC] = [
      await on(0),
      await on(0),
      await on(1),
      await on(1),
      await on(2),
    ];
    calleeOnB.client.send([REGISTER, 1, {}, 'com.lost.there']);
    expect(((await calleeOnB.client.next()) as unknown[]).slice(0, 2)).toEqual([REGISTERED, 1]);
    calleeOnA.client.send([REGISTER, 1, {}, 'com.lost.here']);
    expect(((await calleeOnA.client.next()) as unknown[]).slice(0, 2)).toEqual([REGISTERED, 1]);
    await untilRouted(callerOnA, 'com.lost.there');
    await untilRouted(callerOnB, 'com.lost.here');

    // Mid-progress: the callee on B has sent one progressive result when B is lost.
    callerOnA.client.send([CALL, 1, { receive_progress: true }, 'com.lost.there', []]);
    const [invocation, invocationRequest] = (await calleeOnB.client.next()) as number[];
    expect(invocation).toBe(INVOCATION);
    calleeOnB.client.send([YIELD, invocationRequest, { progress: true }, ['part 1']]);
    expect(await callerOnA.client.next()).toEqual([RESULT, 1, { progress: true }, ['part 1']]);
    callerOnB.client.send([CALL, 1, {}, 'com.lost.here', []]);
    const [type, request] = (await calleeOnA.client.next()) as number[];
    expect(type).toBe(INVOCATION);

    const cutAt = Date.now();
    backplanes[1].setConnected(false);
    // Within the lease (plus one heartbeat): the caller on A is answered, the invocation B forwarded is stopped.
    expect(((await callerOnA.client.next(4 * LEASE)) as unknown[]).slice(0, 5)).toEqual([
      ERROR,
      CALL,
      1,
      {},
      'wamp.error.canceled',
    ]);
    expect(await calleeOnA.client.next(4 * LEASE)).toEqual([
      INTERRUPT,
      request,
      { mode: 'killnowait', reason: 'wamp.error.canceled' },
    ]);
    expect(Date.now() - cutAt).toBeLessThan(3 * LEASE);

    // Its registration is gone from the others' view, and its claim lapses: C may take the URI.
    callerOnA.client.send([CALL, 2, {}, 'com.lost.there', []]);
    expect(((await callerOnA.client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
    const deadline = Date.now() + 4 * LEASE;
    for (let attempt = 1; ; attempt++) {
      latecomerOnC.client.send([REGISTER, attempt, {}, 'com.lost.there']);
      const answer = (await latecomerOnC.client.next()) as unknown[];
      if (answer[0] === REGISTERED) break;
      expect(answer[4]).toBe('wamp.error.procedure_already_exists');
      if (Date.now() > deadline) throw new Error('the lost instance still holds its URI');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    backplanes[1].setConnected(true);
  });

  it('an instance that shuts down: callers elsewhere get their answer at once, not after the lease', async () => {
    const hubOfTwo = new MemoryBackplaneHub();
    // A short goodbye: the calls in flight get half the grace period (2 x goodbyeTimeout) to finish first.
    const leaving = await startApp({
      wamp: {
        backplane: new MemoryBackplane(hubOfTwo, 'leaving'),
        backplaneLease: 60_000,
        goodbyeTimeout: 300,
      },
    });
    const staying = await startApp({
      wamp: {
        backplane: new MemoryBackplane(hubOfTwo, 'staying'),
        backplaneLease: 60_000,
        goodbyeTimeout: 300,
      },
    });
    try {
      const callee = await joinAs(leaving);
      const caller = await joinAs(staying);
      sessions.push(callee, caller);
      callee.client.send([REGISTER, 1, {}, 'com.lost.closing']);
      expect(((await callee.client.next()) as unknown[]).slice(0, 2)).toEqual([REGISTERED, 1]);
      await untilRouted(caller, 'com.lost.closing');
      caller.client.send([CALL, 1, {}, 'com.lost.closing', []]);
      expect(((await callee.client.next()) as unknown[])[0]).toBe(INVOCATION);
      const closing = leaving.app.close();
      expect(((await caller.client.next(5000)) as unknown[]).slice(0, 5)).toEqual([
        ERROR,
        CALL,
        1,
        {},
        'wamp.error.canceled',
      ]);
      await closing;
    } finally {
      await staying.app.close();
    }
  });
});

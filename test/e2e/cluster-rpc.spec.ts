import 'reflect-metadata';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { roleFromAuthid } from '../support/meta-sessions.js';
import { backplaneEngines } from '../support/backplane-engines.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Three Nest apps sharing a backplane (in memory, then Redis) behave as one dealer (issue 17), over real sockets
 * and frame-exact: a CALL on one instance reaches a client callee on another with the same registration ID,
 * progressive results, progressive call invocations, every cancel mode, timeouts, caller disclosure; `single`
 * holds across the cluster (also when two instances race), a shared registration rotates over callees on every
 * instance, and a callee, a caller or an instance that goes away ends what it had in flight.
 */

const [ERROR, REGISTER, REGISTERED, CALL, CANCEL, RESULT, INVOCATION, INTERRUPT, YIELD] = [
  8, 64, 65, 48, 49, 50, 68, 69, 70,
];

/** Every instance has this handler: calls to it stay on the caller's instance, which it names. */
@Controller()
class WhereController {
  constructor(@Inject('NODE') private readonly node: string) {}

  @MessagePattern('com.cluster.where')
  where(): string {
    return this.node;
  }
}

/** A session with the features a callee and caller need for every test here. */
interface Peer {
  readonly client: RawWampClient;
  readonly id: number;
}

const FEATURES = {
  caller: {
    features: { progressive_call_results: true, call_canceling: true, progressive_call_invocations: true },
  },
  callee: {
    features: {
      progressive_call_results: true,
      call_canceling: true,
      progressive_call_invocations: true,
      caller_identification: true,
    },
  },
  publisher: {},
  subscriber: {},
};

const ENGINES = backplaneEngines('cluster-rpc');

describe.each(ENGINES)('RPC across three instances, backplane $name', (engine) => {
  if (engine.skip) {
    it.skip(`[skipped: ${engine.skip}]`, () => undefined);
    return;
  }
  const apps: RunningApp[] = [];
  const clients: RawWampClient[] = [];
  beforeAll(async () => {
    await engine.start();
    for (const node of ['node-a', 'node-b', 'node-c']) {
      apps.push(
        await startApp({
          wamp: {
            backplane: engine.backplane(node),
            realms: [{ name: 'realm1', authenticator: roleFromAuthid }],
          },
          controllers: [WhereController],
          providers: [{ provide: 'NODE', useValue: node }],
        }),
      );
    }
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
  });
  afterAll(async () => {
    for (const app of apps) await app.app.close();
    await engine.stop();
  });

  /** A session on instance `index` (0, 1, 2) as `authid`. */
  const on = async (index: number, authid = 'user'): Promise<Peer> => {
    const client = await RawWampClient.connect(apps[index].url);
    clients.push(client);
    client.send([1, 'realm1', { roles: FEATURES, authid }]);
    const welcome = (await client.next()) as [number, number];
    expect(welcome[0]).toBe(2);
    return { client, id: welcome[1] };
  };
  const register = async (peer: Peer, request: number, procedure: string, options: object = {}) => {
    peer.client.send([REGISTER, request, options, procedure]);
    const answer = (await peer.client.next()) as unknown[];
    expect(answer.slice(0, 2)).toEqual([REGISTERED, request]);
    return answer[2] as number;
  };
  /** Waits until `peer`'s instance routes `procedure` (registrations reach other instances asynchronously). */
  const untilKnown = async (peer: Peer, procedure: string, callees = 1): Promise<void> => {
    const deadline = Date.now() + 5000;
    for (let request = 1_000_000; ; request++) {
      peer.client.send([CALL, request, {}, 'wamp.registration.match', [procedure]]);
      const [, , , [id]] = (await peer.client.next()) as [number, number, object, [number | null]];
      if (id !== null) {
        peer.client.send([CALL, request, {}, 'wamp.registration.count_callees', [id]]);
        const [, , , [count]] = (await peer.client.next()) as [number, number, object, [number]];
        if (count >= callees) return;
      }
      if (Date.now() > deadline) throw new Error(`${procedure} not known on the caller's instance`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('a CALL on A reaches a client callee on B; YIELD comes back as RESULT; the registration ID is the same everywhere', async () => {
    const [caller, callee, observer] = [await on(0), await on(1), await on(2)];
    const registration = await register(callee, 1, 'com.cluster.add');
    await untilKnown(caller, 'com.cluster.add');
    caller.client.send([CALL, 7, {}, 'com.cluster.add', [2, 3], { unit: 'apples' }]);
    const invocation = (await callee.client.next()) as unknown[];
    expect(invocation).toEqual([INVOCATION, 1, registration, {}, [2, 3], { unit: 'apples' }]);
    callee.client.send([YIELD, 1, {}, [5], { unit: 'apples' }]);
    expect(await caller.client.next()).toEqual([RESULT, 7, {}, [5], { unit: 'apples' }]);

    await untilKnown(observer, 'com.cluster.add');
    observer.client.send([CALL, 1, {}, 'wamp.registration.lookup', ['com.cluster.add']]);
    expect(await observer.client.next()).toEqual([RESULT, 1, {}, [registration]]);
    observer.client.send([CALL, 2, {}, 'wamp.registration.list_callees', [registration]]);
    expect(await observer.client.next()).toEqual([RESULT, 2, {}, [[callee.id]]]);
  });

  it('"single" holds across instances, also when two instances race for a URI; a different policy is refused', async () => {
    const [a, b, c] = [await on(0), await on(1), await on(2)];
    await register(b, 1, 'com.cluster.only');
    await untilKnown(a, 'com.cluster.only');
    a.client.send([REGISTER, 2, {}, 'com.cluster.only']);
    const [type, , , , uri] = (await a.client.next()) as unknown[];
    expect([type, uri]).toEqual([ERROR, 'wamp.error.procedure_already_exists']);

    // Two instances, one URI, at the same moment: exactly one wins, whichever.
    a.client.send([REGISTER, 3, {}, 'com.cluster.race']);
    c.client.send([REGISTER, 3, {}, 'com.cluster.race']);
    const answers = [(await a.client.next()) as unknown[], (await c.client.next()) as unknown[]];
    expect(answers.map((answer) => answer[0]).sort()).toEqual([ERROR, REGISTERED].sort());
    const refused = answers.find((answer) => answer[0] === ERROR) as unknown[];
    expect(refused.slice(0, 5)).toEqual([ERROR, REGISTER, 3, {}, 'wamp.error.procedure_already_exists']);
    expect(String((refused[5] as string[])[0])).toContain('another instance');

    await register(a, 4, 'com.cluster.shared', { invoke: 'roundrobin' });
    c.client.send([REGISTER, 5, { invoke: 'random' }, 'com.cluster.shared']);
    const different = (await c.client.next()) as unknown[];
    expect(different.slice(0, 5)).toEqual([
      ERROR,
      REGISTER,
      5,
      {},
      'wamp.error.procedure_exists_with_different_invocation_policy',
    ]);
  });

  it('a URI freed on one instance can be registered on another', async () => {
    const [a, b] = [await on(0), await on(1)];
    const id = await register(a, 1, 'com.cluster.freed');
    a.client.send([66, 2, id]);
    expect(await a.client.next()).toEqual([67, 2]);
    await register(b, 1, 'com.cluster.freed');
  });

  it('a roundrobin registration shared by callees on three instances rotates over all of them', async () => {
    const callees = [await on(0), await on(1), await on(2)];
    for (const callee of callees) await register(callee, 1, 'com.cluster.rotate', { invoke: 'roundrobin' });
    const caller = await on(0);
    await untilKnown(caller, 'com.cluster.rotate', 3);
    const served = new Map<Peer, number>();
    for (let request = 1; request <= 6; request++) {
      caller.client.send([CALL, request, {}, 'com.cluster.rotate', [request]]);
      // Whichever callee it reached answers.
      const invoked = await Promise.race(
        callees.map(async (callee) => {
          const frame = (await callee.client.next(3000)) as unknown[];
          return { callee, frame };
        }),
      );
      served.set(invoked.callee, (served.get(invoked.callee) ?? 0) + 1);
      invoked.callee.client.send([YIELD, invoked.frame[1], {}, [request]]);
      expect(await caller.client.next()).toEqual([RESULT, request, {}, [request]]);
    }
    expect([...served.values()]).toEqual([2, 2, 2]);
  });

  it('progressive results and progressive call invocations cross instances in order', async () => {
    const [caller, callee] = [await on(0), await on(1)];
    const registration = await register(callee, 1, 'com.cluster.stream');
    await untilKnown(caller, 'com.cluster.stream');
    caller.client.send([CALL, 1, { receive_progress: true }, 'com.cluster.stream', []]);
    // No arguments: none sent (as on one instance).
    expect(await callee.client.next()).toEqual([INVOCATION, 1, registration, { receive_progress: true }]);
    for (let chunk = 1; chunk <= 3; chunk++) callee.client.send([YIELD, 1, { progress: true }, [chunk]]);
    callee.client.send([YIELD, 1, {}, ['done']]);
    for (let chunk = 1; chunk <= 3; chunk++) {
      expect(await caller.client.next()).toEqual([RESULT, 1, { progress: true }, [chunk]]);
    }
    expect(await caller.client.next()).toEqual([RESULT, 1, {}, ['done']]);

    // The caller streams its input: every chunk reaches the same invocation on the other instance.
    caller.client.send([CALL, 2, { progress: true }, 'com.cluster.stream', ['a']]);
    expect(await callee.client.next()).toEqual([INVOCATION, 2, registration, { progress: true }, ['a']]);
    caller.client.send([CALL, 2, { progress: true }, 'com.cluster.stream', ['b']]);
    expect(await callee.client.next()).toEqual([INVOCATION, 2, registration, { progress: true }, ['b']]);
    caller.client.send([CALL, 2, {}, 'com.cluster.stream', ['c']]);
    expect(await callee.client.next()).toEqual([INVOCATION, 2, registration, {}, ['c']]);
    callee.client.send([YIELD, 2, {}, ['abc']]);
    expect(await caller.client.next()).toEqual([RESULT, 2, {}, ['abc']]);
  });

  it('CANCEL in each mode: skip answers at once, killnowait interrupts and answers, kill waits for the callee', async () => {
    const [caller, callee] = [await on(0), await on(1)];
    await register(callee, 1, 'com.cluster.slow');
    await untilKnown(caller, 'com.cluster.slow');

    caller.client.send([CALL, 1, {}, 'com.cluster.slow', []]);
    expect(((await callee.client.next()) as unknown[])[0]).toBe(INVOCATION);
    caller.client.send([CANCEL, 1, { mode: 'skip' }]);
    const skipped = (await caller.client.next()) as unknown[];
    expect(skipped.slice(0, 5)).toEqual([ERROR, CALL, 1, {}, 'wamp.error.canceled']);
    // The callee goes on (no INTERRUPT); its late answer is discarded.
    callee.client.send([YIELD, 1, {}, ['late']]);

    caller.client.send([CALL, 2, {}, 'com.cluster.slow', []]);
    expect(((await callee.client.next()) as unknown[]).slice(0, 2)).toEqual([INVOCATION, 2]);
    caller.client.send([CANCEL, 2, { mode: 'killnowait' }]);
    expect(await callee.client.next()).toEqual([
      INTERRUPT,
      2,
      { mode: 'killnowait', reason: 'wamp.error.canceled' },
    ]);
    expect(((await caller.client.next()) as unknown[]).slice(0, 5)).toEqual([
      ERROR,
      CALL,
      2,
      {},
      'wamp.error.canceled',
    ]);

    caller.client.send([CALL, 3, {}, 'com.cluster.slow', []]);
    expect(((await callee.client.next()) as unknown[]).slice(0, 2)).toEqual([INVOCATION, 3]);
    caller.client.send([CANCEL, 3, { mode: 'kill' }]);
    expect(await callee.client.next()).toEqual([
      INTERRUPT,
      3,
      { mode: 'kill', reason: 'wamp.error.canceled' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(caller.client.pending).toHaveLength(0); // kill waits for the callee's answer
    callee.client.send([ERROR, INVOCATION, 3, {}, 'wamp.error.canceled', ['stopped']]);
    expect(await caller.client.next()).toEqual([ERROR, CALL, 3, {}, 'wamp.error.canceled', ['stopped']]);
  });

  it('a call timeout set on A is run for the callee on B: INTERRUPT with reason timeout, ERROR timeout to the caller', async () => {
    const [caller, callee] = [await on(0), await on(1)];
    await register(callee, 1, 'com.cluster.stuck');
    await untilKnown(caller, 'com.cluster.stuck');
    caller.client.send([CALL, 1, { timeout: 200 }, 'com.cluster.stuck', []]);
    expect(((await callee.client.next()) as unknown[]).slice(0, 4)).toEqual([
      INVOCATION,
      1,
      expect.any(Number),
      {},
    ]);
    expect(await callee.client.next()).toEqual([
      INTERRUPT,
      1,
      { mode: 'killnowait', reason: 'wamp.error.timeout' },
    ]);
    expect(((await caller.client.next()) as unknown[]).slice(0, 5)).toEqual([
      ERROR,
      CALL,
      1,
      {},
      'wamp.error.timeout',
    ]);
  });

  it('caller disclosure names the caller on its own instance, and an ERROR comes back as on one instance', async () => {
    const [caller, callee] = [await on(0, 'alice'), await on(1)];
    await register(callee, 1, 'com.cluster.who', { disclose_caller: true });
    await untilKnown(caller, 'com.cluster.who');
    caller.client.send([CALL, 1, {}, 'com.cluster.who', []]);
    const [, request, , details] = (await callee.client.next()) as [number, number, number, object];
    expect(details).toEqual({ caller: caller.id, caller_authid: 'alice', caller_authrole: 'alice' });
    callee.client.send([ERROR, INVOCATION, request, { hint: 1 }, 'com.app.error.nope', ['no'], { why: 'x' }]);
    // The callee's ERROR.Details are not passed on, on one instance either; URI and payload are.
    expect(await caller.client.next()).toEqual([
      ERROR,
      CALL,
      1,
      {},
      'com.app.error.nope',
      ['no'],
      { why: 'x' },
    ]);
  });

  it('a callee leaving mid-call ends the call with canceled on the other instance, and its registration goes', async () => {
    const [caller, callee] = [await on(0), await on(1)];
    await register(callee, 1, 'com.cluster.gone');
    await untilKnown(caller, 'com.cluster.gone');
    caller.client.send([CALL, 1, {}, 'com.cluster.gone', []]);
    expect(((await callee.client.next()) as unknown[])[0]).toBe(INVOCATION);
    callee.client.terminate();
    expect(((await caller.client.next(5000)) as unknown[]).slice(0, 5)).toEqual([
      ERROR,
      CALL,
      1,
      {},
      'wamp.error.canceled',
    ]);
    const deadline = Date.now() + 5000;
    for (let request = 2; ; request++) {
      caller.client.send([CALL, request, {}, 'com.cluster.gone', []]);
      const answer = (await caller.client.next()) as unknown[];
      if (answer[4] === 'wamp.error.no_such_procedure') break;
      if (Date.now() > deadline) throw new Error(`still routed: ${JSON.stringify(answer)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('a caller leaving mid-call interrupts the callee on the other instance', async () => {
    const [caller, callee] = [await on(0), await on(1)];
    await register(callee, 1, 'com.cluster.abandoned');
    await untilKnown(caller, 'com.cluster.abandoned');
    caller.client.send([CALL, 1, {}, 'com.cluster.abandoned', []]);
    const [, request] = (await callee.client.next()) as number[];
    caller.client.terminate();
    expect(await callee.client.next(5000)).toEqual([
      INTERRUPT,
      request,
      { mode: 'killnowait', reason: 'wamp.error.canceled' },
    ]);
  });

  it('a burst of REGISTERs sent without waiting cannot outrun the per-session limit while the cluster decides', async () => {
    const greedy = await on(2);
    const LIMIT = 1024; // maxRegistrationsPerSession's default
    for (let request = 1; request <= LIMIT + 50; request++) {
      greedy.client.send([REGISTER, request, {}, `com.cluster.greedy.p${request}`]);
    }
    const outcomes = new Map<unknown, number>();
    for (let answered = 0; answered < LIMIT + 50; answered++) {
      const answer = (await greedy.client.next(10_000)) as unknown[];
      const key = answer[0] === REGISTERED ? 'registered' : answer[4];
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({
      registered: LIMIT,
      'nestjs_wamp.error.too_many_registrations': 50,
    });
  });

  it("the application's handlers stay on each instance, and no client may take their URI", async () => {
    const [a, b] = [await on(0), await on(1)];
    a.client.send([CALL, 1, {}, 'com.cluster.where', []]);
    expect(await a.client.next()).toEqual([RESULT, 1, {}, ['node-a']]);
    b.client.send([CALL, 1, {}, 'com.cluster.where', []]);
    expect(await b.client.next()).toEqual([RESULT, 1, {}, ['node-b']]);
    b.client.send([REGISTER, 2, {}, 'com.cluster.where']);
    expect(((await b.client.next()) as unknown[]).slice(0, 5)).toEqual([
      ERROR,
      REGISTER,
      2,
      {},
      'wamp.error.procedure_already_exists',
    ]);
  });
});

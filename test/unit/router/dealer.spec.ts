import {
  MemoryBackplane,
  MemoryBackplaneHub,
  WampCallError,
  WampRouter,
  callProcedure,
  type WampRealm,
  type WampRouterOptions,
} from '../../../lib/core/index.js';
import type { WampSession } from '../../../lib/core/router/wamp-session.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { routerOptions } from '../../support/router-options.js';

/**
 * The dealer with client callees, frame-exact: real sessions of the core over fake connections (no sockets),
 * so every INVOCATION, YIELD, INTERRUPT and answer is checked as the wire carries it.
 */

const CANCELLING_CALLEE = { call_canceling: true, progressive_call_results: true };
/**
 * The meta procedures every realm registers: session (7), testament (2), registration (6), subscription (6),
 * reflection (6).
 */
const META_PROCEDURES = 27;

interface Client {
  readonly session: WampSession;
  readonly connection: FakeConnection;
  send(message: unknown[]): void;
  /** Everything received since the last take. */
  take(): unknown[][];
}

function routerWith(overrides: Partial<WampRouterOptions> = {}): WampRouter {
  return new WampRouter(routerOptions({ maxCallsPerSession: 100, ...overrides }));
}

async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function join(
  router: WampRouter,
  calleeFeatures: Record<string, boolean> = {},
  callerFeatures: Record<string, boolean> = {},
): Promise<Client> {
  const connection = new FakeConnection();
  const session = router.openSession(connection);
  const send = (message: unknown[]): void => session.handleFrame(Buffer.from(JSON.stringify(message)));
  send([
    1,
    'realm1',
    { roles: { caller: { features: callerFeatures }, callee: { features: calleeFeatures } } },
  ]);
  await flush();
  expect(connection.take()[0][0]).toBe(2);
  return { session, connection, send, take: () => connection.take() };
}

/** REGISTERs `procedure` and returns the registration ID from REGISTERED. */
function register(
  callee: Client,
  request: number,
  procedure: string,
  options: Record<string, unknown> = {},
): number {
  callee.send([64, request, options, procedure]);
  const [registered] = callee.take();
  expect(registered).toEqual([65, request, expect.any(Number)]);
  return registered[2] as number;
}

describe('LocalDealer with client callees', () => {
  it('routes CALL → INVOCATION → YIELD → RESULT, with args and kwargs as sent and request IDs per callee', async () => {
    const router = routerWith();
    const callee = await join(router);
    const other = await join(router);
    const caller = await join(router);
    const registration = register(callee, 1, 'com.example.add');
    const otherRegistration = register(other, 1, 'com.example.echo');
    caller.send([48, 7, {}, 'com.example.add', [2, 3], { precise: true }]);
    caller.send([48, 8, {}, 'com.example.add']);
    caller.send([48, 9, {}, 'com.example.echo', [], { only: 'kwargs' }]);
    expect(callee.take()).toEqual([
      [68, 1, registration, {}, [2, 3], { precise: true }],
      [68, 2, registration, {}],
    ]);
    expect(other.take()).toEqual([[68, 1, otherRegistration, {}, [], { only: 'kwargs' }]]);
    callee.send([70, 2, {}]);
    callee.send([70, 1, {}, [5], { exact: true }]);
    other.send([70, 1, {}, ['kwargs']]);
    expect(caller.take()).toEqual([
      [50, 8, {}],
      [50, 7, {}, [5], { exact: true }],
      [50, 9, {}, ['kwargs']],
    ]);
  });

  it("a call whose arguments the callee's serializer cannot carry ends with runtime_error, and the callee gets nothing", async () => {
    const router = routerWith();
    const callee = await join(router);
    register(callee, 1, 'com.example.strict');
    // From the server, where application code may pass any value. This test's connection encodes with plain
    // JSON.stringify, which throws on a bigint (the real JSON codec writes the nearest number): a stand-in for
    // any value the callee's serializer refuses.
    const outcome = callProcedure(router.realms.get('realm1') as WampRealm, 1, 'com.example.strict', [
      2n ** 70n,
    ]);
    await expect(outcome).rejects.toEqual(
      new WampCallError('wamp.error.runtime_error', [
        "The call's arguments cannot be encoded as wamp.2.json for the callee.",
      ]),
    );
    expect(callee.take()).toEqual([]);
    expect(callee.session.isOpen).toBe(true);
  });

  it('passes a callee ERROR on to the caller with its URI, args and kwargs', async () => {
    const router = routerWith();
    const callee = await join(router);
    const caller = await join(router);
    register(callee, 1, 'com.example.fail');
    caller.send([48, 3, {}, 'com.example.fail']);
    expect(callee.take()).toEqual([[68, 1, expect.any(Number), {}]]);
    callee.send([8, 68, 1, {}, 'com.example.error.nope', ['no'], { code: 42 }]);
    expect(caller.take()).toEqual([[8, 48, 3, {}, 'com.example.error.nope', ['no'], { code: 42 }]]);
  });

  it('refuses a second single registration, a duplicate, a different policy, the app’s own and reserved URIs', async () => {
    const router = routerWith();
    router.realms.get('realm1')?.dealer.registerProcedure('com.app.own', (call) => call.result());
    const first = await join(router);
    const second = await join(router);
    register(first, 1, 'com.example.single');
    register(first, 2, 'com.example.shared', { invoke: 'roundrobin' });
    second.send([64, 1, {}, 'com.example.single']);
    second.send([64, 2, { invoke: 'random' }, 'com.example.shared']);
    second.send([64, 3, {}, 'com.example.shared']);
    second.send([64, 4, {}, 'com.app.own']);
    second.send([64, 5, {}, 'wamp.session.count']);
    second.send([64, 6, { match: 'prefix' }, 'wamp.']);
    first.send([64, 3, { invoke: 'roundrobin' }, 'com.example.shared']);
    const uris = (messages: unknown[][]): unknown[][] => messages.map((message) => message.slice(0, 5));
    expect(uris(second.take())).toEqual([
      [8, 64, 1, {}, 'wamp.error.procedure_already_exists'],
      [8, 64, 2, {}, 'wamp.error.procedure_exists_with_different_invocation_policy'],
      [8, 64, 3, {}, 'wamp.error.procedure_exists_with_different_invocation_policy'],
      [8, 64, 4, {}, 'wamp.error.procedure_already_exists'],
      [8, 64, 5, {}, 'wamp.error.invalid_uri'],
      [8, 64, 6, {}, 'wamp.error.invalid_uri'],
    ]);
    expect(uris(first.take())).toEqual([[8, 64, 3, {}, 'wamp.error.procedure_already_exists']]);
    // A pattern registration may cover the app's procedure; the app's exact registration still wins.
    register(second, 7, 'com.app.', { match: 'prefix' });
    const caller = await join(router);
    caller.send([48, 1, {}, 'com.app.own']);
    caller.send([48, 2, {}, 'com.app.other']);
    expect(caller.take()).toEqual([[50, 1, {}]]);
    expect(second.take()).toEqual([[68, 1, expect.any(Number), { procedure: 'com.app.other' }]]);
  });

  it('an application procedure cannot be added over a client registration', async () => {
    const router = routerWith();
    const callee = await join(router);
    register(callee, 1, 'com.example.taken');
    expect(() =>
      router.realms.get('realm1')?.dealer.registerProcedure('com.example.taken', () => undefined),
    ).toThrow('Procedure "com.example.taken" is already registered by a client session.');
  });

  it('UNREGISTER answers UNREGISTERED, refuses what the session does not hold, and the procedure is gone', async () => {
    const router = routerWith();
    const callee = await join(router);
    const stranger = await join(router);
    const caller = await join(router);
    const registration = register(callee, 1, 'com.example.p');
    stranger.send([66, 1, registration]);
    expect(stranger.take()).toEqual([
      [
        8,
        66,
        1,
        {},
        'wamp.error.no_such_registration',
        [`This session holds no registration ${registration}.`],
      ],
    ]);
    caller.send([48, 1, {}, 'com.example.p']);
    expect(callee.take()).toEqual([[68, 1, registration, {}]]);
    callee.send([66, 2, registration]);
    callee.send([66, 3, registration]);
    expect(callee.take()).toEqual([
      [67, 2],
      [
        8,
        66,
        3,
        {},
        'wamp.error.no_such_registration',
        [`This session holds no registration ${registration}.`],
      ],
    ]);
    // The invocation sent before UNREGISTER may still be answered.
    callee.send([70, 1, {}, ['late but valid']]);
    caller.send([48, 2, {}, 'com.example.p']);
    expect(caller.take()).toEqual([
      [50, 1, {}, ['late but valid']],
      [8, 48, 2, {}, 'wamp.error.no_such_procedure', ['No procedure is registered under "com.example.p".']],
    ]);
  });

  it('a late YIELD after the invocation timed out and the procedure was unregistered is ignored, not a violation', async () => {
    const router = routerWith();
    const callee = await join(router);
    const caller = await join(router);
    const registration = register(callee, 1, 'com.example.p');
    caller.send([48, 1, { timeout: 20 }, 'com.example.p']);
    expect(callee.take()).toEqual([[68, 1, registration, {}]]);
    await sleep(40);
    expect(caller.take().map((message) => message[4])).toEqual(['wamp.error.timeout']);
    callee.send([66, 2, registration]);
    expect(callee.take()).toEqual([[67, 2]]);
    callee.send([70, 1, {}, ['late']]);
    expect(callee.take()).toEqual([]);
    expect(callee.session.isOpen).toBe(true);
  });

  it.each([
    ['roundrobin', [0, 1, 2, 0, 1, 2]],
    ['first', [0, 0, 0, 0, 0, 0]],
    ['last', [2, 2, 2, 2, 2, 2]],
  ] as const)('shared registration, invoke %s, distributes as the spec says', async (invoke, expected) => {
    const router = routerWith();
    const callees = [await join(router), await join(router), await join(router)];
    const ids = callees.map((callee) => register(callee, 1, 'com.example.shared', { invoke }));
    expect(new Set(ids).size).toBe(1);
    const caller = await join(router);
    const picked: number[] = [];
    for (let request = 1; request <= 6; request++) {
      caller.send([48, request, {}, 'com.example.shared']);
      picked.push(callees.findIndex((callee) => callee.take().length > 0));
    }
    expect(picked).toEqual(expected);
  });

  it('shared registration, invoke random, reaches every callee and only them', async () => {
    const router = routerWith();
    const callees = [await join(router), await join(router), await join(router)];
    for (const callee of callees) register(callee, 1, 'com.example.shared', { invoke: 'random' });
    const caller = await join(router);
    const counts = [0, 0, 0];
    for (let request = 1; request <= 90; request++) {
      caller.send([48, request, {}, 'com.example.shared']);
      const index = callees.findIndex((callee) => callee.take().length === 1);
      counts[index]++;
    }
    // Missing one of three callees in 90 uniform picks has probability 3 x (2/3)^90, about 4e-16.
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(90);
  });

  it('roundrobin goes on with the next callee when one leaves mid-rotation, and ends with the last one', async () => {
    const router = routerWith();
    const [a, b, c] = [await join(router), await join(router), await join(router)];
    for (const callee of [a, b, c]) register(callee, 1, 'com.example.rr', { invoke: 'roundrobin' });
    const caller = await join(router);
    const next = (request: number): string => {
      caller.send([48, request, {}, 'com.example.rr']);
      return ['a', 'b', 'c'][[a, b, c].findIndex((callee) => callee.take().length > 0)];
    };
    expect(next(1)).toBe('a');
    b.session.transportClosed();
    expect(next(2)).toBe('c');
    expect(next(3)).toBe('a');
    a.session.transportClosed();
    expect([next(4), next(5)]).toEqual(['c', 'c']);
    c.session.transportClosed();
    caller.take();
    caller.send([48, 6, {}, 'com.example.rr']);
    expect(caller.take()).toEqual([
      [8, 48, 6, {}, 'wamp.error.no_such_procedure', ['No procedure is registered under "com.example.rr".']],
    ]);
  });

  it('picks one registration by the spec’s precedence: exact, longest prefix, best wildcard', async () => {
    const router = routerWith();
    const callee = await join(router);
    const registrations = [
      register(callee, 1, 'a1.b2.c3.d4.e55'),
      register(callee, 2, 'a1.b2.c3', { match: 'prefix' }),
      register(callee, 3, 'a1.b2.c3.d4', { match: 'prefix' }),
      register(callee, 4, 'a1.b2..d4.e5', { match: 'wildcard' }),
      register(callee, 5, 'a1.b2.c33..e5', { match: 'wildcard' }),
      register(callee, 6, 'a1.b2..d4.e5..g7', { match: 'wildcard' }),
      register(callee, 7, 'a1.b2..d4..f6.g7', { match: 'wildcard' }),
    ];
    const caller = await join(router);
    const routed: [string, number | string][] = [];
    for (const [request, procedure] of [
      'a1.b2.c3.d4.e55',
      'a1.b2.c3.d98.e74',
      'a1.b2.c3.d4.e325',
      'a1.b2.c55.d4.e5',
      'a1.b2.c33.d4.e5',
      'a1.b2.c88.d4.e5.f6.g7',
      'a2.b2.c2.d2.e2',
    ].entries()) {
      caller.send([48, request + 1, {}, procedure]);
      const [invocation] = callee.take();
      routed.push([procedure, invocation ? registrations.indexOf(invocation[2] as number) + 1 : 'none']);
      if (invocation) {
        // The concrete procedure travels only for pattern registrations.
        expect(invocation[3]).toEqual(invocation[2] === registrations[0] ? {} : { procedure });
      }
    }
    expect(routed).toEqual([
      ['a1.b2.c3.d4.e55', 1],
      ['a1.b2.c3.d98.e74', 2],
      ['a1.b2.c3.d4.e325', 3],
      ['a1.b2.c55.d4.e5', 4],
      // The spec's example says 5 here, but its own prefix rule (and Crossbar) matches by string prefix:
      // "a1.b2.c3" is a prefix of "a1.b2.c33...", and a prefix match goes before any wildcard.
      ['a1.b2.c33.d4.e5', 2],
      ['a1.b2.c88.d4.e5.f6.g7', 6],
      ['a2.b2.c2.d2.e2', 'none'],
    ]);
    expect(caller.take().at(-1)?.slice(0, 5)).toEqual([8, 48, 7, {}, 'wamp.error.no_such_procedure']);
  });

  it('between wildcard patterns, the longest run of concrete components wins, compared from the first', async () => {
    const router = routerWith();
    const callee = await join(router);
    const registrations = [
      register(callee, 1, 'a1.b2..d4.e5', { match: 'wildcard' }),
      register(callee, 2, 'a1.b2.c33..e5', { match: 'wildcard' }),
      register(callee, 3, 'a1.b2..d4.e5..g7', { match: 'wildcard' }),
      register(callee, 4, 'a1.b2..d4..f6.g7', { match: 'wildcard' }),
      register(callee, 5, 'a1....e5', { match: 'wildcard' }),
    ];
    const caller = await join(router);
    const routed: number[] = [];
    for (const [request, procedure] of [
      'a1.b2.c33.d4.e5',
      'a1.b2.c88.d4.e5.f6.g7',
      'a1.x.y.z.e5',
      'a1.b2.c.d4.e5',
    ].entries()) {
      caller.send([48, request + 1, {}, procedure]);
      routed.push(registrations.indexOf(callee.take()[0][2] as number) + 1);
    }
    expect(routed).toEqual([2, 3, 5, 1]);
  });

  it('never routes a call under wamp. to a client pattern registration', async () => {
    const router = routerWith();
    const callee = await join(router);
    register(callee, 1, 'wamp', { match: 'prefix' });
    const caller = await join(router);
    caller.send([48, 1, {}, 'wamp.nothing.here']);
    caller.send([48, 2, {}, 'wampish.thing']);
    expect(caller.take().map((message) => message.slice(0, 5))).toEqual([
      [8, 48, 1, {}, 'wamp.error.no_such_procedure'],
    ]);
    expect(callee.take()).toEqual([[68, 1, expect.any(Number), { procedure: 'wampish.thing' }]]);
  });

  it('discloses the caller when it asks (disclose_me) or the callee does (disclose_caller), and not otherwise', async () => {
    const router = routerWith();
    const callee = await join(router);
    const discloser = await join(router);
    const caller = await join(router);
    register(callee, 1, 'com.example.plain');
    register(discloser, 1, 'com.example.disclosed', { disclose_caller: true });
    caller.send([48, 1, {}, 'com.example.plain']);
    caller.send([48, 2, { disclose_me: true }, 'com.example.plain']);
    caller.send([48, 3, {}, 'com.example.disclosed']);
    const identity = {
      caller: caller.session.id,
      caller_authid: `anonymous-${caller.session.id}`,
      caller_authrole: 'anonymous',
    };
    expect(callee.take().map((message) => message[3])).toEqual([{}, identity]);
    expect(discloser.take().map((message) => message[3])).toEqual([identity]);
  });

  it('passes progressive results from a callee that announced them, and asks only such a callee', async () => {
    const router = routerWith();
    const progressive = await join(router, CANCELLING_CALLEE);
    const plain = await join(router);
    const caller = await join(router);
    register(progressive, 1, 'com.example.stream');
    register(plain, 1, 'com.example.plain');
    caller.send([48, 1, { receive_progress: true }, 'com.example.stream']);
    caller.send([48, 2, { receive_progress: true }, 'com.example.plain']);
    expect(progressive.take()).toEqual([[68, 1, expect.any(Number), { receive_progress: true }]]);
    expect(plain.take()).toEqual([[68, 1, expect.any(Number), {}]]);
    progressive.send([70, 1, { progress: true }, [1]]);
    progressive.send([70, 1, { progress: true }, [2]]);
    progressive.send([70, 1, {}, [3]]);
    plain.send([70, 1, {}, ['done']]);
    expect(caller.take()).toEqual([
      [50, 1, { progress: true }, [1]],
      [50, 1, { progress: true }, [2]],
      [50, 1, {}, [3]],
      [50, 2, {}, ['done']],
    ]);
  });

  it('drops a progressive YIELD the caller did not ask for; the final one still answers', async () => {
    const router = routerWith();
    const callee = await join(router, CANCELLING_CALLEE);
    const caller = await join(router);
    register(callee, 1, 'com.example.p');
    caller.send([48, 1, {}, 'com.example.p']);
    callee.send([70, 1, { progress: true }, ['unasked']]);
    callee.send([70, 1, {}, ['final']]);
    expect(caller.take()).toEqual([[50, 1, {}, ['final']]]);
  });

  describe('CANCEL', () => {
    async function inFlight(
      calleeFeatures: Record<string, boolean>,
      overrides: Partial<WampRouterOptions> = {},
    ) {
      const router = routerWith(overrides);
      const callee = await join(router, calleeFeatures);
      const caller = await join(router);
      register(callee, 1, 'com.example.slow');
      caller.send([48, 1, {}, 'com.example.slow']);
      expect(callee.take()).toEqual([[68, 1, expect.any(Number), {}]]);
      return { router, callee, caller };
    }

    it('skip: ERROR canceled at once, no INTERRUPT, the late answer discarded', async () => {
      const { callee, caller } = await inFlight(CANCELLING_CALLEE);
      caller.send([49, 1, { mode: 'skip' }]);
      expect(caller.take()).toEqual([
        [8, 48, 1, {}, 'wamp.error.canceled', ['The call was canceled (mode skip).']],
      ]);
      callee.send([70, 1, {}, ['too late']]);
      expect(callee.take()).toEqual([]);
      expect(caller.take()).toEqual([]);
      expect(callee.session.isOpen).toBe(true);
    });

    it('killnowait: INTERRUPT and ERROR canceled at once; the callee’s answer is discarded', async () => {
      const { callee, caller } = await inFlight(CANCELLING_CALLEE);
      caller.send([49, 1, { mode: 'killnowait' }]);
      expect(callee.take()).toEqual([[69, 1, { mode: 'killnowait', reason: 'wamp.error.canceled' }]]);
      expect(caller.take()).toEqual([
        [8, 48, 1, {}, 'wamp.error.canceled', ['The call was canceled (mode killnowait).']],
      ]);
      callee.send([8, 68, 1, {}, 'wamp.error.canceled']);
      expect(caller.take()).toEqual([]);
      expect(callee.session.isOpen).toBe(true);
    });

    it('kill: INTERRUPT, and the caller gets the callee’s own answer when it comes', async () => {
      const { callee, caller } = await inFlight(CANCELLING_CALLEE);
      caller.send([49, 1, { mode: 'kill' }]);
      caller.send([49, 1, { mode: 'kill' }]);
      expect(callee.take()).toEqual([[69, 1, { mode: 'kill', reason: 'wamp.error.canceled' }]]);
      expect(caller.take()).toEqual([]);
      callee.send([8, 68, 1, {}, 'wamp.error.canceled', ['stopped at step 3']]);
      expect(caller.take()).toEqual([[8, 48, 1, {}, 'wamp.error.canceled', ['stopped at step 3']]]);
    });

    it('kill: a callee that finishes first answers with its RESULT', async () => {
      const { callee, caller } = await inFlight(CANCELLING_CALLEE);
      caller.send([49, 1, { mode: 'kill' }]);
      callee.send([70, 1, {}, ['finished anyway']]);
      expect(caller.take()).toEqual([[50, 1, {}, ['finished anyway']]]);
    });

    it('kill: a callee that never answers the INTERRUPT is bounded by interruptTimeout', async () => {
      const { callee, caller } = await inFlight(CANCELLING_CALLEE, { interruptTimeout: 30 });
      caller.send([49, 1, { mode: 'kill' }]);
      expect(callee.take()).toEqual([[69, 1, { mode: 'kill', reason: 'wamp.error.canceled' }]]);
      await sleep(60);
      expect(caller.take()).toEqual([
        [8, 48, 1, {}, 'wamp.error.canceled', ['The callee did not answer the interrupt within 30 ms.']],
      ]);
    });

    it.each(['kill', 'killnowait'])(
      '%s to a callee without call_canceling behaves as skip: no INTERRUPT, ERROR at once',
      async (mode) => {
        const { callee, caller } = await inFlight({});
        caller.send([49, 1, { mode }]);
        expect(callee.take()).toEqual([]);
        expect(caller.take()).toEqual([
          [8, 48, 1, {}, 'wamp.error.canceled', [`The call was canceled (mode ${mode}).`]],
        ]);
      },
    );
  });

  describe('timeouts', () => {
    it('a dealer-side timeout interrupts the callee (killnowait, reason timeout) and answers timeout', async () => {
      const router = routerWith();
      const callee = await join(router, CANCELLING_CALLEE);
      const caller = await join(router);
      register(callee, 1, 'com.example.slow');
      caller.send([48, 1, { timeout: 30 }, 'com.example.slow']);
      expect(callee.take()).toEqual([[68, 1, expect.any(Number), {}]]);
      await sleep(60);
      expect(callee.take()).toEqual([[69, 1, { mode: 'killnowait', reason: 'wamp.error.timeout' }]]);
      expect(caller.take()).toEqual([
        [8, 48, 1, {}, 'wamp.error.timeout', ['The call did not complete within 30 ms.']],
      ]);
    });

    it('forward_timeout hands the timeout to the callee and runs no timer of the dealer', async () => {
      const router = routerWith();
      const callee = await join(router, CANCELLING_CALLEE);
      const caller = await join(router);
      register(callee, 1, 'com.example.slow', { forward_timeout: true });
      caller.send([48, 1, { timeout: 30 }, 'com.example.slow']);
      expect(callee.take()).toEqual([[68, 1, expect.any(Number), { timeout: 30 }]]);
      await sleep(60);
      expect(callee.take()).toEqual([]);
      expect(caller.take()).toEqual([]);
      callee.send([8, 68, 1, {}, 'wamp.error.timeout']);
      expect(caller.take()).toEqual([[8, 48, 1, {}, 'wamp.error.timeout']]);
    });
  });

  describe('sessions leaving', () => {
    it('a callee leaving ends its unanswered calls with ERROR canceled and takes its registrations along', async () => {
      const router = routerWith();
      const callee = await join(router);
      const caller = await join(router);
      register(callee, 1, 'com.example.p');
      caller.send([48, 1, {}, 'com.example.p']);
      caller.send([48, 2, {}, 'com.example.p']);
      callee.session.transportClosed();
      caller.send([48, 3, {}, 'com.example.p']);
      expect(caller.take()).toEqual([
        [8, 48, 1, {}, 'wamp.error.canceled', ['The callee left before answering.']],
        [8, 48, 2, {}, 'wamp.error.canceled', ['The callee left before answering.']],
        [8, 48, 3, {}, 'wamp.error.no_such_procedure', ['No procedure is registered under "com.example.p".']],
      ]);
      const dealer = router.realms.get('realm1')?.dealer as unknown as {
        registrationCount: number;
        callsInFlight: number;
      };
      expect(dealer.registrationCount).toBe(META_PROCEDURES);
      expect(dealer.callsInFlight).toBe(0);
    });

    it('a caller leaving interrupts its invocations (killnowait); the callee’s later answer is discarded', async () => {
      const router = routerWith();
      const callee = await join(router, CANCELLING_CALLEE);
      const caller = await join(router);
      register(callee, 1, 'com.example.p');
      caller.send([48, 1, {}, 'com.example.p']);
      callee.take();
      caller.session.transportClosed();
      expect(callee.take()).toEqual([[69, 1, { mode: 'killnowait', reason: 'wamp.error.canceled' }]]);
      callee.send([70, 1, {}, ['nobody listens']]);
      expect(callee.session.isOpen).toBe(true);
      expect(
        (router.realms.get('realm1')?.dealer as unknown as { callsInFlight: number }).callsInFlight,
      ).toBe(0);
    });
  });

  describe('bad answers and limits', () => {
    it('a YIELD or ERROR for an invocation the session was never sent is a protocol violation of that session only', async () => {
      const router = routerWith();
      const callee = await join(router);
      const forger = await join(router);
      const forgerOfErrors = await join(router);
      const caller = await join(router);
      register(callee, 1, 'com.example.p');
      caller.send([48, 1, {}, 'com.example.p']);
      expect(callee.take()).toHaveLength(1);
      forger.send([70, 1, {}, ['forged']]);
      forgerOfErrors.send([8, 68, 1, {}, 'com.example.forged']);
      expect(forger.take()).toEqual([
        [3, { message: 'YIELD for unknown invocation 1.' }, 'wamp.error.protocol_violation'],
      ]);
      expect(forgerOfErrors.take()).toEqual([
        [3, { message: 'ERROR for unknown invocation 1.' }, 'wamp.error.protocol_violation'],
      ]);
      expect(caller.take()).toEqual([]);
      callee.send([70, 1, {}, ['genuine']]);
      expect(caller.take()).toEqual([[50, 1, {}, ['genuine']]]);
      callee.send([70, 99, {}, ['never sent']]);
      expect(callee.take()).toEqual([
        [3, { message: 'YIELD for unknown invocation 99.' }, 'wamp.error.protocol_violation'],
      ]);
    });

    it('maxRegistrationsPerSession and maxInvocationsPerCallee refuse with their URIs and the limit', async () => {
      const router = routerWith({ maxRegistrationsPerSession: 2, maxInvocationsPerCallee: 2 });
      const callee = await join(router);
      const caller = await join(router);
      register(callee, 1, 'com.example.a');
      register(callee, 2, 'com.example.b');
      callee.send([64, 3, {}, 'com.example.c']);
      expect(callee.take()).toEqual([
        [
          8,
          64,
          3,
          {},
          'nestjs_wamp.error.too_many_registrations',
          ['Too many registrations: this session may hold at most 2.'],
          { limit: 2 },
        ],
      ]);
      for (const request of [1, 2, 3]) caller.send([48, request, {}, 'com.example.a']);
      expect(callee.take()).toHaveLength(2);
      expect(caller.take()).toEqual([
        [
          8,
          48,
          3,
          {},
          'nestjs_wamp.error.too_many_invocations',
          ['The callee of "com.example.a" has 2 invocations in flight, as many as it may.'],
          { limit: 2 },
        ],
      ]);
      callee.send([70, 1, {}]);
      caller.send([48, 4, {}, 'com.example.a']);
      expect(callee.take()).toEqual([[68, 3, expect.any(Number), {}]]);
    });
  });

  describe('progressive call invocations', () => {
    const STREAMING_CALLEE = { ...CANCELLING_CALLEE, progressive_call_invocations: true };
    const STREAMING_CALLER = { progressive_call_invocations: true };

    it('forwards every chunk to the same invocation, progress until the final one, and the answer back', async () => {
      const router = routerWith();
      const callee = await join(router, STREAMING_CALLEE);
      const caller = await join(router, {}, STREAMING_CALLER);
      const registration = register(callee, 1, 'com.example.upload');
      caller.send([48, 5, { progress: true }, 'com.example.upload', ['chunk 1']]);
      caller.send([48, 6, {}, 'com.example.upload', ['another call']]);
      caller.send([48, 5, { progress: true }, 'com.example.upload', ['chunk 2']]);
      caller.send([48, 5, {}, 'com.example.upload', ['last chunk'], { name: 'file.txt' }]);
      expect(callee.take()).toEqual([
        [68, 1, registration, { progress: true }, ['chunk 1']],
        [68, 2, registration, {}, ['another call']],
        [68, 1, registration, { progress: true }, ['chunk 2']],
        [68, 1, registration, {}, ['last chunk'], { name: 'file.txt' }],
      ]);
      callee.send([70, 1, {}, [3]]);
      callee.send([70, 2, {}]);
      expect(caller.take()).toEqual([
        [50, 5, {}, [3]],
        [50, 6, {}],
      ]);
    });

    it('keeps a stream on the callee its first chunk went to, whatever the shared policy', async () => {
      const router = routerWith();
      const first = await join(router, STREAMING_CALLEE);
      const second = await join(router, STREAMING_CALLEE);
      register(first, 1, 'com.example.rr', { invoke: 'roundrobin' });
      register(second, 1, 'com.example.rr', { invoke: 'roundrobin' });
      const caller = await join(router, {}, STREAMING_CALLER);
      caller.send([48, 1, { progress: true }, 'com.example.rr', [1]]);
      caller.send([48, 1, { progress: true }, 'com.example.rr', [2]]);
      caller.send([48, 1, {}, 'com.example.rr', [3]]);
      expect(first.take().map((message) => message[4])).toEqual([[1], [2], [3]]);
      expect(second.take()).toEqual([]);
    });

    it('refuses it where it cannot work (the callee or the app cannot take it), and takes it from any caller', async () => {
      const router = routerWith();
      router.realms.get('realm1')?.dealer.registerProcedure('com.app.own', (call) => call.result());
      const plainCallee = await join(router, CANCELLING_CALLEE);
      register(plainCallee, 1, 'com.example.plain');
      const caller = await join(router, {}, STREAMING_CALLER);
      caller.send([48, 1, { progress: true }, 'com.example.plain', [1]]);
      caller.send([48, 2, { progress: true }, 'com.app.own', [1]]);
      expect(caller.take()).toEqual([
        [
          8,
          48,
          1,
          {},
          'wamp.error.feature_not_supported',
          [
            'The procedure "com.example.plain" does not accept progressive call invocations (its callee did not ' +
              'announce progressive_call_invocations and call_canceling).',
          ],
        ],
        [
          8,
          48,
          2,
          {},
          'wamp.error.feature_not_supported',
          [
            'The procedure "com.app.own" does not accept progressive call invocations (it is a procedure of the application).',
          ],
        ],
      ]);
      expect(plainCallee.take()).toEqual([]);
      // Accepted from a caller that did not announce the feature (wampy 8 streams without announcing it).
      const streamingCallee = await join(router, STREAMING_CALLEE);
      register(streamingCallee, 1, 'com.example.streamed');
      const unannounced = await join(router);
      unannounced.send([48, 1, { progress: true }, 'com.example.streamed', [1]]);
      expect(streamingCallee.take()).toEqual([[68, 1, expect.any(Number), { progress: true }, [1]]]);
      expect(unannounced.session.isOpen).toBe(true);
    });

    it('discards chunks that arrive after the callee answered, and a new call with another ID still works', async () => {
      const router = routerWith();
      const callee = await join(router, STREAMING_CALLEE);
      const caller = await join(router, {}, STREAMING_CALLER);
      register(callee, 1, 'com.example.upload');
      caller.send([48, 1, { progress: true }, 'com.example.upload', ['chunk']]);
      callee.take();
      callee.send([8, 68, 1, {}, 'com.example.error.too_big']);
      caller.send([48, 1, { progress: true }, 'com.example.upload', ['late chunk']]);
      caller.send([48, 1, {}, 'com.example.upload', ['late final']]);
      expect(caller.take()).toEqual([[8, 48, 1, {}, 'com.example.error.too_big']]);
      expect(callee.take()).toEqual([]);
      expect(caller.session.isOpen).toBe(true);
      caller.send([48, 2, {}, 'com.example.upload', ['fresh']]);
      expect(callee.take()).toEqual([[68, 2, expect.any(Number), {}, ['fresh']]]);
    });

    it('a chunk naming another procedure, or reusing the ID of a call that is not streamed, is a protocol violation', async () => {
      const router = routerWith();
      const callee = await join(router, STREAMING_CALLEE);
      const caller = await join(router, {}, STREAMING_CALLER);
      register(callee, 1, 'com.example.upload');
      register(callee, 2, 'com.example.other');
      caller.send([48, 1, { progress: true }, 'com.example.upload', ['chunk']]);
      caller.send([48, 1, { progress: true }, 'com.example.other', ['elsewhere']]);
      expect(caller.take()).toEqual([
        [
          3,
          { message: 'CALL continuing request 1 names "com.example.other", not "com.example.upload".' },
          'wamp.error.protocol_violation',
        ],
      ]);
      const second = await join(router, {}, STREAMING_CALLER);
      second.send([48, 1, {}, 'com.example.upload', ['whole']]);
      second.send([48, 1, {}, 'com.example.upload', ['again']]);
      expect(second.take()).toEqual([
        [
          3,
          { message: 'CALL reuses request ID 1 of a call still in flight.' },
          'wamp.error.protocol_violation',
        ],
      ]);
    });

    it('the caller leaving mid-stream interrupts the callee (killnowait)', async () => {
      const router = routerWith();
      const callee = await join(router, STREAMING_CALLEE);
      const caller = await join(router, {}, STREAMING_CALLER);
      register(callee, 1, 'com.example.upload');
      caller.send([48, 1, { progress: true }, 'com.example.upload', ['chunk']]);
      callee.take();
      caller.session.transportClosed();
      expect(callee.take()).toEqual([[69, 1, { mode: 'killnowait', reason: 'wamp.error.canceled' }]]);
    });

    it("with checkRequestIds, a chunk reuses its call's ID; an old ID that continues nothing is a violation", async () => {
      const router = routerWith({ checkRequestIds: true });
      const callee = await join(router, STREAMING_CALLEE);
      const caller = await join(router, {}, STREAMING_CALLER);
      register(callee, 1, 'com.example.upload');
      caller.send([48, 1, { progress: true }, 'com.example.upload', ['a']]);
      caller.send([48, 2, {}, 'com.example.upload', ['other call']]);
      caller.send([48, 1, {}, 'com.example.upload', ['b']]);
      expect(callee.take().map((message) => [message[1], message[3], message[4]])).toEqual([
        [1, { progress: true }, ['a']],
        [2, {}, ['other call']],
        [1, {}, ['b']],
      ]);
      callee.send([70, 2, {}]);
      caller.send([48, 2, {}, 'com.example.upload', ['reused']]);
      expect(caller.take()).toEqual([
        [50, 2, {}],
        [
          3,
          { message: 'CALL with request ID 2 is not a new request and continues no progressive call.' },
          'wamp.error.protocol_violation',
        ],
      ]);
    });
  });
});

describe('dealer in a cluster: claims', () => {
  /** A memory backplane that counts the claims it is asked for. */
  class CountingBackplane extends MemoryBackplane {
    claims = 0;
    override claim(
      key: string,
      tag: string,
      exclusive: boolean,
      leaseMs: number,
    ): Promise<string | undefined> {
      this.claims++;
      return super.claim(key, tag, exclusive, leaseMs);
    }
  }

  it('REGISTERs waiting for the cluster count toward the session limit: a burst asks for no more claims than it may hold', async () => {
    const backplane = new CountingBackplane(new MemoryBackplaneHub());
    const router = routerWith({ backplane, maxRegistrationsPerSession: 10 });
    const callee = await join(router);
    for (let request = 1; request <= 200; request++) callee.send([64, request, {}, `com.burst.p${request}`]);
    await flush();
    await flush();
    const answers = callee.take();
    expect(answers.filter((message) => message[0] === 65)).toHaveLength(10);
    const refused = answers.filter((message) => message[0] === 8);
    expect(refused).toHaveLength(190);
    expect(new Set(refused.map((message) => message[4]))).toEqual(
      new Set(['nestjs_wamp.error.too_many_registrations']),
    );
    // Only the REGISTERs within the limit asked the cluster.
    expect(backplane.claims).toBe(10);
    await router.shutdown('done', 0);
  });

  it('REGISTER while the backplane cannot be asked: ERROR nestjs_wamp.error.cluster_unavailable, and the session may try again', async () => {
    const backplane = new MemoryBackplane(new MemoryBackplaneHub());
    const router = routerWith({ backplane });
    const callee = await join(router);
    backplane.setConnected(false);
    callee.send([64, 1, {}, 'com.unavailable.proc']);
    await flush();
    const [refused] = callee.take();
    expect(refused.slice(0, 5)).toEqual([8, 64, 1, {}, 'nestjs_wamp.error.cluster_unavailable']);
    expect(String((refused[5] as string[])[0])).toContain('"com.unavailable.proc"');
    backplane.setConnected(true);
    callee.send([64, 2, {}, 'com.unavailable.proc']);
    await flush();
    expect(callee.take()[0].slice(0, 2)).toEqual([65, 2]);
    await router.shutdown('done', 0);
  });
});

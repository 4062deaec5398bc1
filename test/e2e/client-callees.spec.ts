import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import {
  WampCallError,
  WampCaller,
  WampContext,
  WampResult,
  type WampCallPayload,
  type WampCallResult,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Client callees over real sockets, frame-exact (issue 15): the dealer rules are unit-tested frame by frame in
 * test/unit/router/dealer.spec.ts; here the same traffic goes through the Nest app's WebSocket endpoint on
 * every serializer, beside an app handler, with sessions that really drop.
 */

@Controller()
class AppProcedures {
  constructor(private readonly caller: WampCaller) {}

  @MessagePattern('app.double')
  double(@Payload() payload: WampCallPayload, @Ctx() context: WampContext): number {
    AppProcedures.doubledFor.push(context.session.authrole);
    return (payload.args[0] as number) * 2;
  }

  /** Forwards to a client callee: its result, or its ERROR (a WampCallError thrown on) reaches our caller. */
  @MessagePattern('app.forward')
  async forward(@Payload() payload: WampCallPayload): Promise<WampResult> {
    const { args, kwargs } = await this.caller.call('com.example.backend', payload.args, payload.kwargs);
    return new WampResult(args, kwargs);
  }

  static doubledFor: string[] = [];
}

const CALLEE_FEATURES = { call_canceling: true, progressive_call_results: true };

async function joinAs(
  running: RunningApp,
  protocol = 'wamp.2.json',
  callee: Record<string, boolean> = CALLEE_FEATURES,
): Promise<RawWampClient> {
  const client = await RawWampClient.connect(running.url, protocol);
  client.send([1, 'realm1', { roles: { caller: {}, callee: { features: callee } } }]);
  const welcome = (await client.next()) as unknown[];
  expect(welcome[0]).toBe(2);
  return client;
}

describe('client callees over WebSocket', () => {
  let running: RunningApp;
  const clients: RawWampClient[] = [];
  const join = async (protocol?: string, callee?: Record<string, boolean>): Promise<RawWampClient> => {
    const client = await joinAs(running, protocol, callee);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    running = await startApp({ controllers: [AppProcedures], wamp: { interruptTimeout: 300 } });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
  });
  afterAll(async () => {
    await running.app.close();
  });

  it.each([
    ['wamp.2.json', 'wamp.2.msgpack'],
    ['wamp.2.msgpack', 'wamp.2.cbor'],
    ['wamp.2.cbor', 'wamp.2.json'],
  ])(
    'a %s caller reaches a %s callee: INVOCATION and RESULT as sent, binary values translated',
    async (callerProtocol, calleeProtocol) => {
      const callee = await join(calleeProtocol);
      const caller = await join(callerProtocol);
      callee.send([64, 1, {}, 'com.example.bytes']);
      const [, , registration] = (await callee.next()) as number[];
      const bytes = Buffer.from([0, 1, 2, 250]);
      const asSent = (protocol: string): unknown =>
        protocol === 'wamp.2.json' ? `\u0000${bytes.toString('base64')}` : bytes;
      caller.send([48, 7, {}, 'com.example.bytes', [asSent(callerProtocol), 2 ** 40], { flag: true }]);
      const invocation = (await callee.next()) as unknown[];
      expect(invocation).toEqual([
        68,
        1,
        registration,
        {},
        [asSent(calleeProtocol), 2 ** 40],
        { flag: true },
      ]);
      callee.send([70, 1, {}, [asSent(calleeProtocol)], { done: 1 }]);
      expect(await caller.next()).toEqual([50, 7, {}, [asSent(callerProtocol)], { done: 1 }]);
    },
  );

  it('an app handler owns its URI beside client registrations, and both are called the same way', async () => {
    const callee = await join();
    const caller = await join('wamp.2.msgpack');
    callee.send([64, 1, {}, 'app.double']);
    expect(await callee.next()).toEqual([
      8,
      64,
      1,
      {},
      'wamp.error.procedure_already_exists',
      ['"app.double" is a procedure of the application; it cannot be registered by a client.'],
    ]);
    callee.send([64, 2, { match: 'prefix' }, 'app.']);
    const [, , registration] = (await callee.next()) as number[];
    caller.send([48, 1, {}, 'app.double', [21]]);
    caller.send([48, 2, {}, 'app.triple', [21]]);
    expect(await caller.next()).toEqual([50, 1, {}, [42]]);
    expect(await callee.next()).toEqual([68, 1, registration, { procedure: 'app.triple' }, [21]]);
    callee.send([70, 1, {}, [63]]);
    expect(await caller.next()).toEqual([50, 2, {}, [63]]);
  });

  it('a callee whose socket drops: its calls end with canceled at once, and its procedure is gone', async () => {
    const callee = await join();
    const caller = await join();
    callee.send([64, 1, {}, 'com.example.fragile']);
    await callee.next();
    caller.send([48, 1, {}, 'com.example.fragile']);
    expect(((await callee.next()) as unknown[])[0]).toBe(68);
    callee.terminate();
    expect(await caller.next()).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.canceled',
      ['The callee left before answering.'],
    ]);
    caller.send([48, 2, {}, 'com.example.fragile']);
    expect(((await caller.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
  });

  it('a caller whose socket drops: its invocation is interrupted (killnowait), and the late YIELD is discarded', async () => {
    const callee = await join();
    const caller = await join();
    callee.send([64, 1, {}, 'com.example.long']);
    await callee.next();
    caller.send([48, 1, {}, 'com.example.long']);
    expect(((await callee.next()) as unknown[])[0]).toBe(68);
    caller.terminate();
    expect(await callee.next()).toEqual([69, 1, { mode: 'killnowait', reason: 'wamp.error.canceled' }]);
    callee.send([70, 1, {}, ['late']]);
    // Still open and answered: a later registration works.
    callee.send([64, 2, {}, 'com.example.after']);
    expect(await callee.next()).toEqual([65, 2, expect.any(Number)]);
  });

  it('progressive results, cancel kill answered by the callee, and a shared roundrobin pair, on real sockets', async () => {
    const first = await join('wamp.2.cbor');
    const second = await join('wamp.2.json');
    const caller = await join('wamp.2.msgpack');
    first.send([64, 1, { invoke: 'roundrobin' }, 'com.example.work']);
    second.send([64, 1, { invoke: 'roundrobin' }, 'com.example.work']);
    const [, , registration] = (await first.next()) as number[];
    expect(await second.next()).toEqual([65, 1, registration]);

    caller.send([48, 1, { receive_progress: true }, 'com.example.work', [1]]);
    expect(await first.next()).toEqual([68, 1, registration, { receive_progress: true }, [1]]);
    first.send([70, 1, { progress: true }, ['half']]);
    first.send([70, 1, {}, ['all']]);
    expect([await caller.next(), await caller.next()]).toEqual([
      [50, 1, { progress: true }, ['half']],
      [50, 1, {}, ['all']],
    ]);

    caller.send([48, 2, {}, 'com.example.work', [2]]);
    expect(await second.next()).toEqual([68, 1, registration, {}, [2]]);
    caller.send([49, 2, { mode: 'kill' }]);
    expect(await second.next()).toEqual([69, 1, { mode: 'kill', reason: 'wamp.error.canceled' }]);
    await expect(caller.next(100)).rejects.toThrow('No message');
    second.send([8, 68, 1, {}, 'wamp.error.canceled', ['stopped']]);
    expect(await caller.next()).toEqual([8, 48, 2, {}, 'wamp.error.canceled', ['stopped']]);

    caller.send([48, 3, {}, 'com.example.work', [3]]);
    expect(await first.next()).toEqual([68, 2, registration, {}, [3]]);
  });

  describe('WampCaller: Nest code calls procedures of the realm', () => {
    const caller = (): WampCaller => running.app.get(WampCaller);

    it('calls a client callee and an app handler alike; the handler sees the server as its caller', async () => {
      const callee = await join();
      callee.send([64, 1, {}, 'com.example.sum']);
      const [, , registration] = (await callee.next()) as number[];
      const pending = caller().call('com.example.sum', [1, 2], { as: 'kwargs' }, { discloseMe: true });
      const invocation = (await callee.next()) as unknown[];
      expect(invocation).toEqual([
        68,
        1,
        registration,
        { caller: expect.any(Number), caller_authid: 'nestjs-wamp', caller_authrole: 'server' },
        [1, 2],
        { as: 'kwargs' },
      ]);
      callee.send([70, 1, {}, [3], { exact: true }]);
      await expect(pending).resolves.toEqual({ args: [3], kwargs: { exact: true } });
      AppProcedures.doubledFor = [];
      await expect(caller().call('app.double', [4])).resolves.toEqual({ args: [8], kwargs: {} });
      expect(AppProcedures.doubledFor).toEqual(['server']);
    });

    it("rejects with WampCallError: no such procedure, the callee's ERROR, an unknown realm", async () => {
      const callee = await join();
      callee.send([64, 1, {}, 'com.example.refuses']);
      await callee.next();
      await expect(caller().call('com.example.nothing')).rejects.toEqual(
        new WampCallError('wamp.error.no_such_procedure', [
          'No procedure is registered under "com.example.nothing".',
        ]),
      );
      const refused = caller().call('com.example.refuses');
      await callee.next();
      callee.send([8, 68, 1, {}, 'com.example.error.refused', ['no'], { code: 1 }]);
      const error = (await refused.catch((reason: unknown) => reason)) as WampCallError;
      expect(error).toBeInstanceOf(WampCallError);
      expect([error.error, error.args, error.kwargs, error.message]).toEqual([
        'com.example.error.refused',
        ['no'],
        { code: 1 },
        'com.example.error.refused: no',
      ]);
      await expect(caller().call('app.double', [1], {}, { realm: 'nowhere' })).rejects.toEqual(
        new WampCallError('wamp.error.no_such_realm', ['Realm "nowhere" is not served by this router.']),
      );
    });

    it('progressive results, timeout and AbortSignal cancel reach the callee', async () => {
      const callee = await join();
      callee.send([64, 1, {}, 'com.example.slow']);
      await callee.next();
      const progress: WampCallResult[] = [];
      const streamed = caller().call(
        'com.example.slow',
        [],
        {},
        { onProgress: (update) => progress.push(update) },
      );
      expect(((await callee.next()) as unknown[])[3]).toEqual({ receive_progress: true });
      callee.send([70, 1, { progress: true }, [1]]);
      callee.send([70, 1, {}, [2]]);
      await expect(streamed).resolves.toEqual({ args: [2], kwargs: {} });
      expect(progress).toEqual([{ args: [1], kwargs: {} }]);

      const timedOut = caller().call('com.example.slow', [], {}, { timeout: 50 });
      expect(((await callee.next()) as unknown[])[0]).toBe(68);
      await expect(timedOut).rejects.toMatchObject({ error: 'wamp.error.timeout' });
      expect(await callee.next()).toEqual([69, 2, { mode: 'killnowait', reason: 'wamp.error.timeout' }]);

      const controller = new AbortController();
      const killed = caller().call(
        'com.example.slow',
        [],
        {},
        { signal: controller.signal, cancelMode: 'kill' },
      );
      expect(((await callee.next()) as unknown[])[0]).toBe(68);
      controller.abort();
      expect(await callee.next()).toEqual([69, 3, { mode: 'kill', reason: 'wamp.error.canceled' }]);
      callee.send([8, 68, 3, {}, 'wamp.error.canceled', ['stopped cleanly']]);
      await expect(killed).rejects.toEqual(new WampCallError('wamp.error.canceled', ['stopped cleanly']));
      const aborted = new AbortController();
      aborted.abort();
      await expect(
        caller().call('com.example.slow', [], {}, { signal: aborted.signal }),
      ).rejects.toMatchObject({
        error: 'wamp.error.canceled',
      });
    });

    it('a handler forwarding to a client callee passes its result and its ERROR on to the WAMP caller', async () => {
      const backend = await join('wamp.2.cbor');
      const client = await join('wamp.2.json');
      backend.send([64, 1, {}, 'com.example.backend']);
      await backend.next();
      client.send([48, 1, {}, 'app.forward', ['ok'], { k: 'v' }]);
      expect(await backend.next()).toEqual([68, 1, expect.any(Number), {}, ['ok'], { k: 'v' }]);
      backend.send([70, 1, {}, ['fine'], { from: 'backend' }]);
      expect(await client.next()).toEqual([50, 1, {}, ['fine'], { from: 'backend' }]);
      client.send([48, 2, {}, 'app.forward', ['fail']]);
      await backend.next();
      backend.send([8, 68, 2, {}, 'com.example.error.backend', ['it broke'], { retry: false }]);
      expect(await client.next()).toEqual([
        8,
        48,
        2,
        {},
        'com.example.error.backend',
        ['it broke'],
        { retry: false },
      ]);
    });
  });
});

import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type AsyncMicroserviceOptions } from '@nestjs/microservices';
import { LocalDealer, WampRouter } from '../../lib/core/index.js';
import { WampGateway, WampModule, WampTransport } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type Platform, type RunningApp } from '../support/test-app.js';
import {
  BadUriController,
  OverLimitUriController,
  CallLog,
  DuplicateController,
  RpcController,
  ScopedController,
} from './rpc-fixtures.js';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe.each<Platform>(['express', 'fastify'])('RPC through the Nest pipeline on %s', (platform) => {
  let running: RunningApp;
  let client: RawWampClient;
  let request = 0;
  const log = () => running.app.get(CallLog);

  /** Sends CALL with the next request ID and returns that ID. */
  function call(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options: Record<string, unknown> = {},
  ): number {
    const id = ++request;
    const message: unknown[] = [48, id, options, procedure];
    if (args !== undefined || kwargs !== undefined) message.push(args ?? []);
    if (kwargs !== undefined) message.push(kwargs);
    client.send(message);
    return id;
  }

  beforeAll(async () => {
    running = await startApp({
      platform,
      wamp: { realms: ['realm1', 'realm2'], maxCallsPerSession: 3 },
      controllers: [RpcController],
      providers: [CallLog],
    });
  });
  beforeEach(async () => {
    ({ client } = await RawWampClient.join(running.url));
    request = 0;
  });
  afterEach(() => client.terminate());
  afterAll(async () => {
    await running.app.close();
  });

  it('plain @MessagePattern: a returned value is the single positional argument', async () => {
    const id = call('docs.get_document', ['42']);
    expect(await client.next()).toEqual([50, id, {}, [{ id: '42', title: 'Document 42' }]]);
  });

  it('WampResult sets args and kwargs; undefined gives an empty RESULT', async () => {
    const first = call('results.explicit');
    expect(await client.next()).toEqual([50, first, {}, [1, 2], { total: 3 }]);
    const second = call('results.nothing');
    const frame = await client.nextFrame();
    expect(frame.raw.toString()).toBe(`[50,${second},{}]`);
  });

  it.each([
    ['zero', 0],
    ['false', false],
    ['empty', ''],
    ['null', null],
  ])('falsy result %s is sent, never dropped', async (kind, value) => {
    const id = call('results.echo_falsy', [kind]);
    expect(await client.next()).toEqual([50, id, {}, [value]]);
  });

  it('@Payload() is { args, kwargs }, both always present', async () => {
    const first = call('results.payload', [1, 'two'], { three: 3 });
    expect(await client.next()).toEqual([50, first, {}, [{ args: [1, 'two'], kwargs: { three: 3 } }]]);
    const second = call('results.payload');
    expect(await client.next()).toEqual([50, second, {}, [{ args: [], kwargs: {} }]]);
  });

  it('@WampParam binds from the kwarg of the same name, else the next positional argument', async () => {
    const byKeyword = call('docs.get_document', [], { document_id: 'k' });
    expect(await client.next()).toEqual([50, byKeyword, {}, [{ id: 'k', title: 'Document k' }]]);
    const missing = call('docs.get_document');
    expect(await client.next()).toEqual([
      8,
      48,
      missing,
      {},
      'wamp.error.invalid_argument',
      ['Missing required argument "document_id".'],
      { reason: 'missing', name: 'document_id', position: 0 },
    ]);
  });

  it('ParseIntPipe: converts, defaults, and refuses with invalid_argument saying why', async () => {
    const sum = call('math.add', ['40', 2]);
    expect(await client.next()).toEqual([50, sum, {}, [42]]);
    const defaulted = call('math.add', [41]);
    expect(await client.next()).toEqual([50, defaulted, {}, [42]]);
    const bad = call('math.add', ['forty', 2]);
    expect(await client.next()).toEqual([
      8,
      48,
      bad,
      {},
      'wamp.error.invalid_argument',
      ['Validation failed (numeric string is expected)'],
      { status: 400, message: 'Validation failed (numeric string is expected)', statusText: 'Bad Request' },
    ]);
  });

  it('@WampKwarg with ParseFloatPipe and an optional kwarg', async () => {
    const first = call('math.scale', [], { value: '1.5' });
    expect(await client.next()).toEqual([50, first, {}, [15]]);
    const second = call('math.scale', [], { value: 2, factor: 3 });
    expect(await client.next()).toEqual([50, second, {}, [6]]);
    const inherited = call('math.scale', [], { constructor: 1, value: 1 });
    expect(await client.next()).toEqual([50, inherited, {}, [10]]);
  });

  it('ValidationPipe with a class-validator DTO: valid passes, invalid gives invalid_argument with the messages', async () => {
    const ok = call('docs.create', [], { title: 'Hello', body: 'World', priority: 1 });
    expect(await client.next()).toEqual([50, ok, {}, ['created Hello (1)']]);
    const bad = call('docs.create', [], { title: '', body: 3, priority: -1, extra: true });
    const error = (await client.next()) as [
      number,
      number,
      number,
      object,
      string,
      unknown[],
      { message: string[] },
    ];
    expect(error.slice(0, 5)).toEqual([8, 48, bad, {}, 'wamp.error.invalid_argument']);
    expect(error[6].message).toEqual(
      expect.arrayContaining([
        'property extra should not exist',
        'title should not be empty',
        'body must be a string',
        'priority must not be less than 0',
      ]),
    );
  });

  it('a schema pipe: valid passes, invalid gives invalid_argument with its issues', async () => {
    const ok = call('people.greet', [], { name: 'Ada', age: 36 });
    expect(await client.next()).toEqual([50, ok, {}, ['Hello Ada (36)']]);
    const bad = call('people.greet', [], { name: 7 });
    expect(await client.next()).toEqual([
      8,
      48,
      bad,
      {},
      'wamp.error.invalid_argument',
      ['name: expected string; age: expected number'],
      { status: 400, message: ['name: expected string', 'age: expected number'], statusText: 'Bad Request' },
    ]);
  });

  it('a guard denying the call gives not_authorized; a guard throwing 401 too', async () => {
    const denied = call('admin.reset');
    expect(await client.next()).toEqual([
      8,
      48,
      denied,
      {},
      'wamp.error.not_authorized',
      ['Forbidden resource'],
    ]);
    const expired = call('admin.expired');
    expect(await client.next()).toEqual([
      8,
      48,
      expired,
      {},
      'wamp.error.not_authorized',
      ['Token expired'],
      { status: 401, message: 'Token expired', statusText: 'Unauthorized' },
    ]);
  });

  it('interceptors run', async () => {
    const id = call('math.doubled', [21]);
    expect(await client.next()).toEqual([50, id, {}, [42]]);
  });

  it('custom exception filters run and choose the WAMP error', async () => {
    const id = call('errors.teapot');
    expect(await client.next()).toEqual([
      8,
      48,
      id,
      {},
      'app.error.teapot',
      ['I am a teapot'],
      { brewing: false },
    ]);
  });

  it('WampException gives ERROR with exactly its uri, args and kwargs', async () => {
    const id = call('errors.wamp');
    expect(await client.next()).toEqual([
      8,
      48,
      id,
      {},
      'wamp.error.delete_failed',
      [],
      { status: 'FAILURE' },
    ]);
  });

  it('HttpException 403 maps to not_authorized', async () => {
    const id = call('errors.forbidden');
    expect(await client.next()).toEqual([
      8,
      48,
      id,
      {},
      'wamp.error.not_authorized',
      ['Not your document'],
      { status: 403, message: 'Not your document', statusText: 'Forbidden' },
    ]);
  });

  it('an unexpected error gives runtime_error with a generic message; the stack is logged, not sent', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const id = call('errors.bug');
      const frame = await client.nextFrame();
      expect(frame.message).toEqual([8, 48, id, {}, 'wamp.error.runtime_error', ['Internal error.']]);
      expect(frame.raw.toString()).not.toContain('secret');
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('secret database password'),
        expect.stringContaining('rpc-fixtures'),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('Observable with receive_progress: progressive RESULTs, the last value is the final RESULT', async () => {
    const id = call('streams.count', [3], undefined, { receive_progress: true });
    expect(await client.next()).toEqual([50, id, { progress: true }, [1]]);
    expect(await client.next()).toEqual([50, id, { progress: true }, [2]]);
    expect(await client.next()).toEqual([50, id, {}, [3]]);
  });

  it('Observable without receive_progress: only the final value', async () => {
    const id = call('streams.count', [3]);
    expect(await client.next()).toEqual([50, id, {}, [3]]);
    await sleep(50);
    expect(client.pending).toHaveLength(0);
  });

  it('async generator with receive_progress: progressive RESULTs', async () => {
    const id = call('streams.generate', [2], undefined, { receive_progress: true });
    expect(await client.next()).toEqual([50, id, { progress: true }, ['step 1']]);
    expect(await client.next()).toEqual([50, id, {}, ['step 2']]);
  });

  it('an empty stream gives one empty final RESULT; a failing stream ends with its ERROR', async () => {
    const empty = call('streams.empty', [], undefined, { receive_progress: true });
    expect(await client.next()).toEqual([50, empty, {}]);
    const failing = call('streams.failing', [], undefined, { receive_progress: true });
    expect(await client.next()).toEqual([8, 48, failing, {}, 'app.error.stream_broke']);
  });

  it.each(['kill', 'killnowait'])(
    'CANCEL %s: the stream is unsubscribed and the caller gets canceled',
    async (mode) => {
      const name = `stream-${mode}-${platform}`;
      const id = call('slow.stream', [name], undefined, { receive_progress: true });
      await sleep(60);
      client.send([49, id, { mode }]);
      const messages: unknown[][] = [];
      for (;;) {
        const message = (await client.next()) as unknown[];
        messages.push(message);
        if (message[0] === 8) break;
      }
      expect(messages.at(-1)).toEqual([
        8,
        48,
        id,
        {},
        'wamp.error.canceled',
        [`The call was canceled (mode ${mode}).`],
      ]);
      expect(
        messages
          .slice(0, -1)
          .every((message) => message[0] === 50 && (message[2] as { progress?: boolean }).progress),
      ).toBe(true);
      expect(log().tornDown).toContain(name);
    },
  );

  it('CANCEL kill fires the handler AbortSignal', async () => {
    const name = `abortable-${platform}`;
    const id = call('slow.abortable', [name]);
    await sleep(30);
    client.send([49, id, { mode: 'kill' }]);
    expect(await client.next()).toEqual([
      8,
      48,
      id,
      {},
      'wamp.error.canceled',
      ['The call was canceled (mode kill).'],
    ]);
    expect(log().aborted).toContain(name);
  });

  it('CANCEL skip: the caller gets canceled at once, the handler runs on and its result is discarded', async () => {
    const name = `skip-${platform}`;
    const id = call('slow.promise', [name, 80]);
    await sleep(20);
    client.send([49, id, { mode: 'skip' }]);
    expect(await client.next()).toEqual([
      8,
      48,
      id,
      {},
      'wamp.error.canceled',
      ['The call was canceled (mode skip).'],
    ]);
    await sleep(120);
    expect(log().finished).toContain(name);
    expect(log().aborted).not.toContain(name);
    expect(client.pending).toHaveLength(0);
  });

  it('CANCEL for a call that already ended is ignored', async () => {
    const id = call('results.explicit');
    expect(((await client.next()) as unknown[])[0]).toBe(50);
    client.send([49, id, {}]);
    const next = call('results.nothing');
    expect(await client.next()).toEqual([50, next, {}]);
  });

  it('CALL timeout: ERROR wamp.error.timeout and the handler is aborted', async () => {
    const name = `timeout-${platform}`;
    const id = call('slow.abortable', [name], undefined, { timeout: 50 });
    expect(await client.next()).toEqual([
      8,
      48,
      id,
      {},
      'wamp.error.timeout',
      ['The call did not complete within 50 ms.'],
    ]);
    expect(log().aborted).toContain(name);
  });

  it('two concurrent calls finish out of order (a slow call never delays a fast one)', async () => {
    const slow = call('slow.promise', ['slow', 150]);
    const fast = call('slow.promise', ['fast', 10]);
    expect(await client.next()).toEqual([50, fast, {}, ['fast']]);
    expect(await client.next()).toEqual([50, slow, {}, ['slow']]);
  });

  it('caps calls in flight per session with a clear error', async () => {
    const ids = [
      call('slow.promise', ['a', 100]),
      call('slow.promise', ['b', 100]),
      call('slow.promise', ['c', 100]),
    ];
    const refused = call('slow.promise', ['d', 100]);
    expect(await client.next()).toEqual([
      8,
      48,
      refused,
      {},
      'nestjs_wamp.error.too_many_calls',
      ['Too many calls in flight: this session may have at most 3.'],
      { limit: 3 },
    ]);
    const answered = new Set<unknown>();
    for (let index = 0; index < 3; index++) answered.add(((await client.next()) as unknown[])[1]);
    expect(answered).toEqual(new Set(ids));
  });

  it('a caller that leaves mid-call: the handler sees the abort and nothing is left in the dealer', async () => {
    const name = `leaver-${platform}`;
    call('slow.abortable', [name]);
    call('slow.stream', [name]);
    await sleep(50);
    client.terminate();
    await sleep(50);
    expect(log().aborted).toContain(name);
    expect(log().tornDown).toContain(name);
    const dealer = running.app.get(WampRouter).realms.get('realm1')!.dealer as LocalDealer;
    expect(dealer.callsInFlight).toBe(0);
  });

  it('WampContext: procedure, request, progress flag, session, injected values a client cannot override', async () => {
    const id = call('context.info', [], { role: 'admin' }, { receive_progress: true });
    const [, , , [info]] = (await client.next()) as [number, number, object, [Record<string, unknown>]];
    expect(info).toMatchObject({
      procedure: 'context.info',
      request: id,
      receiveProgress: true,
      caller: null,
      realm: 'realm1',
      protocol: 'wamp.2.json',
      user: { authid: expect.stringMatching(/^anonymous-/), role: 'anonymous' },
      claimed: 'admin',
    });
  });

  it('caller identification when the caller sets disclose_me', async () => {
    call('context.info', [], undefined, { disclose_me: true });
    const [, , , [info]] = (await client.next()) as [number, number, object, [Record<string, unknown>]];
    expect(info.caller).toEqual({
      caller: info.sessionId,
      caller_authid: `anonymous-${String(info.sessionId)}`,
      caller_authrole: 'anonymous',
    });
  });

  it('unknown procedure -> no_such_procedure; invalid URI -> invalid_uri', async () => {
    const unknown = call('docs.nope');
    expect(await client.next()).toEqual([
      8,
      48,
      unknown,
      {},
      'wamp.error.no_such_procedure',
      ['No procedure is registered under "docs.nope".'],
    ]);
    const invalid = call('docs..nope');
    expect(((await client.next()) as unknown[]).slice(0, 3)).toEqual([8, 48, invalid]);
  });

  it('never serves handlers of other transports, object patterns or event handlers', async () => {
    for (const procedure of ['tcp.internal', 'events.not_a_procedure']) {
      const id = call(procedure);
      expect(((await client.next()) as unknown[]).slice(2, 5)).toEqual([
        id,
        {},
        'wamp.error.no_such_procedure',
      ]);
    }
    const id = call('{"cmd":"object_pattern"}');
    expect(((await client.next()) as unknown[]).slice(2, 3)).toEqual([id]);
  });

  it('realm-bound procedures are served only in their realm', async () => {
    const id = call('realm2.only');
    expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
    expect(id).toBe(1);
    const other = await RawWampClient.join(running.url, 'realm2');
    other.client.send([48, 1, {}, 'realm2.only']);
    expect(await other.client.next()).toEqual([50, 1, {}, ['realm2']]);
    other.client.terminate();
  });

  it('an Observable of one value is a plain RESULT', async () => {
    const id = call('values.of');
    expect(await client.next()).toEqual([50, id, {}, [7]]);
  });
});

describe('RPC startup checks and modes', () => {
  it('a duplicate procedure fails at startup with a clear message', async () => {
    await expect(
      startApp({
        wamp: { realms: ['realm1', 'realm2'] },
        controllers: [RpcController, DuplicateController],
        providers: [CallLog],
      }),
    ).rejects.toThrow(
      'WampTransport: two @MessagePattern handlers for procedure "docs.get_document". Each procedure needs exactly one handler.',
    );
  });

  it('an invalid procedure URI fails at startup', async () => {
    await expect(startApp({ controllers: [BadUriController] })).rejects.toThrow(
      /"Docs.Get Document" is not a valid strict WAMP procedure URI .*set strictUris: false in WampModule.forRoot\(\)/,
    );
  });

  it('a procedure URI over the URI limits fails at startup, naming the options', async () => {
    await expect(startApp({ controllers: [OverLimitUriController] })).rejects.toThrow(
      /procedure "c0\.c1\..*\.\.\." has more than 64 components, so no client could reach it\. .*raise maxUriLength \/ maxUriComponents/,
    );
    const running = await startApp({ wamp: { maxUriComponents: 70 }, controllers: [OverLimitUriController] });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 1, {}, Array.from({ length: 70 }, (_, index) => `c${index}`).join('.')]);
      expect(await client.next()).toEqual([50, 1, {}, ['deep']]);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('handlers: "wamp-only" serves only handlers scoped to WAMP', async () => {
    const running = await startApp({ wamp: { handlers: 'wamp-only' }, controllers: [ScopedController] });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 1, {}, 'scoped.hello']);
      expect(await client.next()).toEqual([50, 1, {}, ['scoped']]);
      client.send([48, 2, {}, 'unscoped.hello']);
      expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('warns when unscoped handlers are exposed while other transports have handlers', async () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const running = await startApp({
        wamp: { realms: ['realm1', 'realm2'] },
        controllers: [RpcController],
        providers: [CallLog],
      });
      await running.app.close();
      expect(warned).toHaveBeenCalledWith(
        expect.stringContaining('Handlers without a transport are served over WAMP'),
      );
    } finally {
      warned.mockRestore();
    }
  });

  it('without inheritAppConfig, HTTP exceptions cannot be mapped: runtime_error and a one-time hint', async () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const running = await startApp({
      wamp: { realms: ['realm1', 'realm2'] },
      controllers: [RpcController],
      providers: [CallLog],
      inheritAppConfig: false,
    });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 1, {}, 'math.add', ['x']]);
      expect(await client.next()).toEqual([8, 48, 1, {}, 'wamp.error.runtime_error', ['Internal error.']]);
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('inheritAppConfig: true'));
      client.terminate();
    } finally {
      await running.app.close();
      warned.mockRestore();
      errors.mockRestore();
    }
  });

  it('app.close() lets calls in flight finish, cancels those still running after half the grace period, then says GOODBYE', async () => {
    const running = await startApp({
      wamp: { realms: ['realm1', 'realm2'], shutdownTimeout: 1000 },
      controllers: [RpcController],
      providers: [CallLog],
    });
    const { client } = await RawWampClient.join(running.url);
    client.send([48, 1, {}, 'slow.promise', ['quick', 100]]);
    client.send([48, 2, {}, 'slow.abortable', ['stuck']]);
    await sleep(20);
    const started = Date.now();
    const closing = running.app.close();
    expect(await client.next()).toEqual([50, 1, {}, ['quick']]);
    expect(await client.next()).toEqual([
      8,
      48,
      2,
      {},
      'wamp.error.canceled',
      ['The router is shutting down.'],
    ]);
    expect(await client.next()).toEqual([
      6,
      { message: 'The router is shutting down.' },
      'wamp.close.system_shutdown',
    ]);
    client.send([6, {}, 'wamp.close.goodbye_and_out']);
    await closing;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(running.app.get(CallLog).aborted).toContain('stuck');
  });

  it('standalone microservice: createMicroservice with the module on its own port', async () => {
    @Module({
      imports: [WampModule.forRoot({ port: 0, host: '127.0.0.1', realms: ['realm1', 'realm2'] })],
      controllers: [RpcController],
      providers: [CallLog],
    })
    class StandaloneModule {}
    const app = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(StandaloneModule, {
      inject: [WampTransport],
      useFactory: (transport: WampTransport) => ({ strategy: transport }),
      logger: false,
    } as AsyncMicroserviceOptions);
    await app.listen();
    try {
      const { client } = await RawWampClient.join(app.get(WampGateway).address as string);
      client.send([48, 1, {}, 'math.add', [1, 2]]);
      expect(await client.next()).toEqual([50, 1, {}, [3]]);
      client.send([48, 2, {}, 'math.add', ['one']]);
      expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.invalid_argument');
      client.terminate();
    } finally {
      await app.close();
    }
  });
});

import 'reflect-metadata';
import { Controller, Injectable, UseGuards, type CanActivate } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import {
  WampCatalog,
  WampContract,
  WampTopic,
  type WampContractPayload,
  type WampProcedureContract,
} from '../../lib/index.js';
import { callFrame as call, RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Procedure and topic contracts over real sockets, frame-exact: a call that breaks its contract is answered ERROR
 * `wamp.error.invalid_argument` with the issues (args, kwargs, nested paths) before Nest's pipeline runs; one that
 * keeps it reaches the handler with the validator's values. Standard Schema (zod, sync and async) and JSON Schema
 * (ajv); positional binding; client publications to a topic with a contract; the reflection procedures and the
 * injectable catalog; contracts that cannot work fail the start.
 */

const INVALID = 'wamp.error.invalid_argument';

const CreateNote = {
  description: 'Creates a note.',
  positional: ['title', 'body'],
  kwargs: z
    .object({
      title: z.string().trim().min(1, 'title should not be empty'),
      body: z.string(),
      tags: z.array(z.object({ name: z.string() })).optional(),
    })
    .strict(),
  result: z.object({ title: z.string(), body: z.string(), tags: z.number() }),
  errors: { 'notes.error.full': 'The notebook holds 100 notes already.', [INVALID]: 'A field is missing.' },
} satisfies WampProcedureContract;

/** A JSON Schema contract on positional arguments: two integers. */
const Add = {
  description: 'Adds two integers.',
  args: {
    type: 'array',
    items: [{ type: 'integer' }, { type: 'integer' }],
    minItems: 2,
    maxItems: 2,
  },
  result: { type: 'integer' },
} satisfies WampProcedureContract;

/** An asynchronous Standard Schema validator: the check resolves later. */
const Reserve = {
  kwargs: z.object({
    name: z.string().refine(async (name) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return name !== 'taken';
    }, 'name is taken'),
  }),
} satisfies WampProcedureContract;

const Many = { args: z.array(z.number()) } satisfies WampProcedureContract;

/** A validator that throws: a bug in the application's schema, never a crash. */
const Broken = {
  kwargs: {
    '~standard': {
      version: 1,
      vendor: 'broken',
      validate: () => {
        throw new Error('validator bug');
      },
    },
  },
} as unknown as WampProcedureContract;

const NoteEvent = { kwargs: z.object({ id: z.number().int() }), description: 'A note changed.' };
let guardRuns = 0;
const received: unknown[] = [];

@Injectable()
class CountingGuard implements CanActivate {
  canActivate(): boolean {
    guardRuns++;
    return true;
  }
}

@Controller()
class NotesController {
  @MessagePattern('notes.create')
  @UseGuards(CountingGuard)
  @WampContract(CreateNote)
  create(@Payload() { kwargs }: WampContractPayload<typeof CreateNote>) {
    return { title: kwargs.title, body: kwargs.body, tags: kwargs.tags?.length ?? 0 };
  }

  @MessagePattern('notes.add')
  @WampContract(Add)
  add(@Payload() { args }: { args: [number, number] }): number {
    return args[0] + args[1];
  }

  @MessagePattern('notes.reserve')
  @WampContract(Reserve)
  reserve(@Payload() { kwargs }: WampContractPayload<typeof Reserve>): string {
    return `reserved ${kwargs.name}`;
  }

  @MessagePattern('notes.many')
  @WampContract(Many)
  many(@Payload() { args }: WampContractPayload<typeof Many>): number {
    return args.length;
  }

  @MessagePattern('notes.broken')
  @WampContract(Broken)
  broken(): string {
    return 'never';
  }

  @MessagePattern('notes.plain')
  plain(): string {
    return 'plain';
  }

  @EventPattern('notes.changed')
  @WampContract(NoteEvent)
  changed(@Payload() payload: WampContractPayload<typeof NoteEvent>): void {
    received.push(payload.kwargs);
  }
}

@WampTopic('notes.alerts', { description: 'Alerts about notes.', args: z.tuple([z.string()]) })
@Injectable()
class AlertsService {}

async function join(running: RunningApp): Promise<RawWampClient> {
  return (await RawWampClient.join(running.url)).client;
}

describe('procedure and topic contracts', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: { realms: ['realm1'] },
      controllers: [NotesController],
      providers: [CountingGuard, AlertsService],
    });
  });
  afterAll(() => running.app.close());

  it('a call that keeps the contract reaches the handler with the parsed values (kwargs trimmed)', async () => {
    const client = await join(running);
    expect(await call(client, 1, 'notes.create', [], { title: '  Hello ', body: 'World' })).toEqual([
      50,
      1,
      {},
      [{ title: 'Hello', body: 'World', tags: 0 }],
    ]);
  });

  it('kwargs that break it: ERROR invalid_argument with every issue, path and message; the guard never runs', async () => {
    const client = await join(running);
    const before = guardRuns;
    expect(await call(client, 2, 'notes.create', [], { title: ' ', body: 5, extra: true })).toEqual([
      8,
      48,
      2,
      {},
      INVALID,
      [
        'kwargs.title: title should not be empty; kwargs.body: Invalid input: expected string, received number; ' +
          'kwargs: Unrecognized key: "extra"',
      ],
      {
        issues: [
          { path: ['kwargs', 'title'], message: 'title should not be empty' },
          { path: ['kwargs', 'body'], message: 'Invalid input: expected string, received number' },
          { path: ['kwargs'], message: 'Unrecognized key: "extra"' },
        ],
      },
    ]);
    expect(guardRuns).toBe(before);
  });

  it('a nested path: kwargs.tags[1].name', async () => {
    const client = await join(running);
    const tags = [{ name: 'a' }, { name: 7 }];
    expect(await call(client, 3, 'notes.create', [], { title: 'T', body: 'B', tags })).toEqual([
      8,
      48,
      3,
      {},
      INVALID,
      ['kwargs.tags[1].name: Invalid input: expected string, received number'],
      {
        issues: [
          { path: ['kwargs', 'tags', 1, 'name'], message: 'Invalid input: expected string, received number' },
        ],
      },
    ]);
  });

  it('positional binding: args bound to the named kwargs; too many, or a name given both ways, is refused', async () => {
    const client = await join(running);
    expect(await call(client, 4, 'notes.create', ['Title', 'Body'])).toEqual([
      50,
      4,
      {},
      [{ title: 'Title', body: 'Body', tags: 0 }],
    ]);
    expect(await call(client, 5, 'notes.create', ['Title'], { body: 'Body' })).toEqual([
      50,
      5,
      {},
      [{ title: 'Title', body: 'Body', tags: 0 }],
    ]);
    expect(await call(client, 6, 'notes.create', ['a', 'b', 'c'])).toEqual([
      8,
      48,
      6,
      {},
      INVALID,
      ['args: expected at most 2 positional arguments (title, body), got 3'],
      {
        issues: [{ path: ['args'], message: 'expected at most 2 positional arguments (title, body), got 3' }],
      },
    ]);
    expect(await call(client, 7, 'notes.create', ['a'], { title: 'b', body: 'c' })).toEqual([
      8,
      48,
      7,
      {},
      INVALID,
      ['kwargs.title: given both positionally (args[0]) and as a keyword argument'],
      {
        issues: [
          {
            path: ['kwargs', 'title'],
            message: 'given both positionally (args[0]) and as a keyword argument',
          },
        ],
      },
    ]);
  });

  it('a JSON Schema (ajv) on args: positions in the path; ajv stops at the first problem', async () => {
    const client = await join(running);
    expect(await call(client, 8, 'notes.add', [2, 3])).toEqual([50, 8, {}, [5]]);
    expect(await call(client, 9, 'notes.add', [2, 'x'])).toEqual([
      8,
      48,
      9,
      {},
      INVALID,
      ['args[1]: must be integer'],
      { issues: [{ path: ['args', 1], message: 'must be integer' }] },
    ]);
    expect(await call(client, 10, 'notes.add', [1.5])).toEqual([
      8,
      48,
      10,
      {},
      INVALID,
      ['args: must NOT have fewer than 2 items'],
      { issues: [{ path: ['args'], message: 'must NOT have fewer than 2 items' }] },
    ]);
    // No arguments at all: the contract sees an empty list.
    expect((await call(client, 11, 'notes.add'))[5]).toEqual(['args: must NOT have fewer than 2 items']);
  });

  it("an asynchronous validator: checked before the handler, in order with the caller's other calls", async () => {
    const client = await join(running);
    client.send([48, 12, {}, 'notes.reserve', [], { name: 'taken' }]);
    client.send([48, 13, {}, 'notes.reserve', [], { name: 'free' }]);
    const answers = [(await client.next()) as unknown[], (await client.next()) as unknown[]].sort(
      (a, b) => Number(a[a[0] === 8 ? 2 : 1]) - Number(b[b[0] === 8 ? 2 : 1]),
    );
    expect(answers).toEqual([
      [
        8,
        48,
        12,
        {},
        INVALID,
        ['kwargs.name: name is taken'],
        { issues: [{ path: ['kwargs', 'name'], message: 'name is taken' }] },
      ],
      [50, 13, {}, ['reserved free']],
    ]);
  });

  it('at most 20 issues go back, marked truncated, however many the input has', async () => {
    const client = await join(running);
    const answer = await call(
      client,
      14,
      'notes.many',
      Array.from({ length: 500 }, () => 'x'),
    );
    expect(answer.slice(0, 5)).toEqual([8, 48, 14, {}, INVALID]);
    const kwargs = answer[6] as { issues: unknown[]; truncated: boolean };
    expect(kwargs.issues).toHaveLength(20);
    expect(kwargs.truncated).toBe(true);
    expect(kwargs.issues[19]).toEqual({
      path: ['args', 19],
      message: 'Invalid input: expected number, received string',
    });
    expect(await call(client, 15, 'notes.many', [1, 2, 3])).toEqual([50, 15, {}, [3]]);
  });

  it('more values than maxContractValues (4096) never reach a Standard Schema validator: refused on the count', async () => {
    const client = await join(running);
    const message = "the arguments hold more than 4096 values, more than this procedure's contract checks";
    expect(
      await call(
        client,
        20,
        'notes.many',
        Array.from({ length: 5000 }, () => 1),
      ),
    ).toEqual([8, 48, 20, {}, INVALID, [`arguments: ${message}`], { issues: [{ path: [], message }] }]);
    // Nested values count too; a JSON Schema contract is not bounded (ajv stops at its first problem anyway).
    expect((await call(client, 21, 'notes.many', [[...Array.from({ length: 5000 }, () => 1)]]))[5]).toEqual([
      `arguments: ${message}`,
    ]);
    expect(
      (
        await call(
          client,
          22,
          'notes.add',
          Array.from({ length: 5000 }, () => 1),
        )
      )[5],
    ).toEqual(['args: must NOT have more than 2 items']);
  });

  it('a validator that throws: ERROR runtime_error for that call, the session and the router go on', async () => {
    const client = await join(running);
    const answer = await call(client, 16, 'notes.broken', [], {});
    expect(answer.slice(0, 5)).toEqual([8, 48, 16, {}, 'wamp.error.runtime_error']);
    expect(await call(client, 17, 'notes.plain')).toEqual([50, 17, {}, ['plain']]);
  });

  it("an @EventPattern topic's contract: a bad publication is refused (ERROR when acknowledged) and reaches no subscriber", async () => {
    const subscriber = await join(running);
    subscriber.send([32, 1, {}, 'notes.changed']);
    const [, , subscription] = (await subscriber.next()) as number[];
    const publisher = await join(running);
    received.length = 0;
    publisher.send([16, 2, { acknowledge: true }, 'notes.changed', [], { id: 'seven' }]);
    expect(await publisher.next()).toEqual([
      8,
      16,
      2,
      {},
      INVALID,
      ['kwargs.id: Invalid input: expected number, received string'],
      { issues: [{ path: ['kwargs', 'id'], message: 'Invalid input: expected number, received string' }] },
    ]);
    publisher.send([16, 3, { acknowledge: true }, 'notes.changed', [], { id: 7 }]);
    expect(((await publisher.next()) as unknown[]).slice(0, 2)).toEqual([17, 3]);
    const event = (await subscriber.next()) as unknown[];
    expect([event[0], event[1], event[4], event[5]]).toEqual([36, subscription, [], { id: 7 }]);
    expect(received).toEqual([{ id: 7 }]);
  });

  it('a @WampTopic contract on a provider: the same refusal without a handler; unacknowledged, it is dropped', async () => {
    const subscriber = await join(running);
    subscriber.send([32, 1, {}, 'notes.alerts']);
    await subscriber.next();
    const publisher = await join(running);
    publisher.send([16, 2, {}, 'notes.alerts', [42]]);
    publisher.send([16, 3, { acknowledge: true }, 'notes.alerts', [42]]);
    expect(((await publisher.next()) as unknown[]).slice(0, 6)).toEqual([
      8,
      16,
      3,
      {},
      INVALID,
      ['args[0]: Invalid input: expected string, received number'],
    ]);
    publisher.send([16, 4, {}, 'notes.alerts', ['fire']]);
    const event = (await subscriber.next()) as unknown[];
    expect(event[4]).toEqual(['fire']);
  });

  describe('reflection', () => {
    it('WELCOME announces reflection on both roles', async () => {
      const { welcome } = await RawWampClient.join(running.url);
      const roles = (welcome[2] as { roles: Record<string, { features: Record<string, boolean> }> }).roles;
      expect(roles.broker.features.reflection).toBe(true);
      expect(roles.dealer.features.reflection).toBe(true);
    });

    it("procedure.list: the app's procedures and those clients registered, sorted; no wamp. procedure", async () => {
      const callee = await join(running);
      callee.send([64, 1, {}, 'notes.remote']);
      expect(((await callee.next()) as unknown[])[0]).toBe(65);
      callee.send([64, 2, { match: 'prefix' }, 'notes.pattern.']);
      expect(((await callee.next()) as unknown[])[0]).toBe(65);
      const client = await join(running);
      expect(await call(client, 1, 'wamp.reflection.procedure.list')).toEqual([
        50,
        1,
        {},
        [
          [
            'notes.add',
            'notes.broken',
            'notes.create',
            'notes.many',
            'notes.pattern.',
            'notes.plain',
            'notes.remote',
            'notes.reserve',
          ],
        ],
      ]);
      const remote = (await call(client, 2, 'wamp.reflection.procedure.describe', ['notes.remote'])) as [
        number,
        number,
        object,
        [Record<string, unknown>],
      ];
      expect(remote[3][0]).toEqual({
        uri: 'notes.remote',
        match: 'exact',
        callee: 'client',
        registration: expect.any(Number),
        description: null,
        args_schema: null,
        kwargs_schema: null,
        positional: null,
        result_schema: null,
        progress_schema: null,
        errors: [],
        validator: null,
      });
      const pattern = (await call(client, 3, 'wamp.reflection.procedure.describe', ['notes.pattern.'])) as [
        number,
        number,
        object,
        [Record<string, unknown>],
      ];
      expect(pattern[3][0]).toMatchObject({ uri: 'notes.pattern.', match: 'prefix', callee: 'client' });
      callee.socket.close();
    });

    it('procedure.describe: the contract as JSON Schema, frame-exact', async () => {
      const client = await join(running);
      const answer = (await call(client, 1, 'wamp.reflection.procedure.describe', ['notes.create'])) as [
        number,
        number,
        object,
        [Record<string, unknown>],
      ];
      expect(answer.slice(0, 3)).toEqual([50, 1, {}]);
      expect(answer[3][0]).toEqual({
        uri: 'notes.create',
        match: 'exact',
        callee: 'router',
        registration: expect.any(Number),
        description: 'Creates a note.',
        args_schema: null,
        kwargs_schema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: {
            title: { type: 'string', minLength: 1 },
            body: { type: 'string' },
            tags: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' } },
                required: ['name'],
              },
            },
          },
          required: ['title', 'body'],
          additionalProperties: false,
        },
        positional: ['title', 'body'],
        result_schema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { title: { type: 'string' }, body: { type: 'string' }, tags: { type: 'number' } },
          required: ['title', 'body', 'tags'],
          additionalProperties: false,
        },
        progress_schema: null,
        errors: [
          { uri: 'notes.error.full', description: 'The notebook holds 100 notes already.' },
          { uri: INVALID, description: 'A field is missing.' },
        ],
        validator: 'zod',
      });
      const add = (await call(client, 2, 'wamp.reflection.procedure.describe', ['notes.add'])) as [
        number,
        number,
        object,
        [Record<string, unknown>],
      ];
      expect(add[3][0]).toMatchObject({
        args_schema: Add.args,
        result_schema: Add.result,
        validator: 'json-schema',
      });
      expect(
        (
          (await call(client, 3, 'wamp.reflection.procedure.describe', ['notes.plain'])) as [
            0,
            0,
            0,
            [object],
          ]
        )[3][0],
      ).toMatchObject({ callee: 'router', validator: null, kwargs_schema: null });
    });

    it('describe of what is not there, or of a wamp. procedure: the ERRORs; a bad argument: invalid_argument', async () => {
      const client = await join(running);
      expect(await call(client, 1, 'wamp.reflection.procedure.describe', ['notes.nope'])).toEqual([
        8,
        48,
        1,
        {},
        'wamp.error.no_such_procedure',
        ['No procedure "notes.nope" in this realm.'],
      ]);
      expect(
        (await call(client, 2, 'wamp.reflection.procedure.describe', ['wamp.session.list'])).slice(0, 5),
      ).toEqual([8, 48, 2, {}, 'wamp.error.no_such_procedure']);
      expect(await call(client, 3, 'wamp.reflection.topic.describe', ['notes.nope'])).toEqual([
        8,
        48,
        3,
        {},
        'nestjs_wamp.error.no_such_topic',
        ['No topic "notes.nope" is described in this realm.'],
      ]);
      expect(await call(client, 4, 'wamp.reflection.error.describe', ['notes.error.nope'])).toEqual([
        8,
        48,
        4,
        {},
        'nestjs_wamp.error.no_such_error',
        ['No procedure of this realm documents "notes.error.nope".'],
      ]);
      expect(await call(client, 5, 'wamp.reflection.procedure.describe', [5])).toEqual([
        8,
        48,
        5,
        {},
        INVALID,
        ['procedure must be a URI string.'],
      ]);
    });

    it('topic.list / describe and error.list / describe', async () => {
      const client = await join(running);
      expect(await call(client, 1, 'wamp.reflection.topic.list')).toEqual([
        50,
        1,
        {},
        [['notes.alerts', 'notes.changed']],
      ]);
      expect(await call(client, 2, 'wamp.reflection.topic.describe', ['notes.changed'])).toEqual([
        50,
        2,
        {},
        [
          {
            uri: 'notes.changed',
            description: 'A note changed.',
            args_schema: null,
            kwargs_schema: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: { id: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 } },
              required: ['id'],
            },
            handled: true,
            validator: 'zod',
          },
        ],
      ]);
      expect(await call(client, 3, 'wamp.reflection.error.list')).toEqual([
        50,
        3,
        {},
        [['notes.error.full', INVALID]],
      ]);
      expect(await call(client, 4, 'wamp.reflection.error.describe', ['notes.error.full'])).toEqual([
        50,
        4,
        {},
        [
          {
            uri: 'notes.error.full',
            procedures: { 'notes.create': 'The notebook holds 100 notes already.' },
          },
        ],
      ]);
    });

    it('the injectable WampCatalog tells the same as reflection', async () => {
      const client = await join(running);
      const catalog = running.app.get(WampCatalog);
      const [, , , [uris]] = (await call(client, 1, 'wamp.reflection.procedure.list')) as [
        0,
        0,
        0,
        [string[]],
      ];
      const snapshot = catalog.snapshot();
      expect(snapshot.realm).toBe('realm1');
      expect(snapshot.procedures.map((procedure) => procedure.uri)).toEqual(uris);
      const [, , , [described]] = (await call(client, 2, 'wamp.reflection.procedure.describe', [
        'notes.create',
      ])) as [0, 0, 0, [object]];
      expect(catalog.procedure('notes.create')).toEqual(described);
      expect(snapshot.topics.map((topic) => topic.uri)).toEqual(['notes.alerts', 'notes.changed']);
    });
  });
});

describe('contracts that cannot work fail the start, naming the procedure', () => {
  it.each([
    [
      'positional and args together',
      { positional: ['a'], args: z.tuple([z.string()]) },
      'WampTransport: Contract of "bad.procedure": give either positional (args bound to kwargs) or args, not both.',
    ],
    [
      'a JSON Schema that does not compile',
      { kwargs: { type: 'objekt' } },
      'WampTransport: kwargs of "bad.procedure": the JSON Schema does not compile',
    ],
    [
      'a schema that is not one',
      { kwargs: 'string' },
      'WampTransport: kwargs of "bad.procedure": a schema must be',
    ],
    [
      'errors that are not a map of descriptions',
      { errors: { 'bad.error': 5 } },
      'Contract of "bad.procedure": the description of error "bad.error" must be a string.',
    ],
  ])('%s', async (_case, contract, message) => {
    @Controller()
    class BadController {
      @MessagePattern('bad.procedure')
      @WampContract(contract as unknown as WampProcedureContract)
      handle(): void {}
    }
    await expect(startApp({ wamp: { realms: ['realm1'] }, controllers: [BadController] })).rejects.toThrow(
      message,
    );
  });
});

describe('reflection under authorization', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: {
        realms: [
          {
            name: 'realm1',
            // Anonymous sessions may call the app's procedures, not the reflection API.
            authorization: {
              rules: [{ role: 'anonymous', uri: 'notes.', match: 'prefix', allow: ['call'] }],
            },
          },
        ],
      },
      controllers: [NotesController],
      providers: [CountingGuard, AlertsService],
    });
  });
  afterAll(() => running.app.close());

  it('a realm hides it: a role without call on wamp.reflection. gets not_authorized, its own calls go on', async () => {
    const client = await join(running);
    const denied = await call(client, 1, 'wamp.reflection.procedure.list');
    expect(denied.slice(0, 5)).toEqual([8, 48, 1, {}, 'wamp.error.not_authorized']);
    expect(await call(client, 2, 'notes.plain')).toEqual([50, 2, {}, ['plain']]);
  });
});

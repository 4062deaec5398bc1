import 'reflect-metadata';
import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalize, type Observable } from 'rxjs';
import initSqlJs from 'sql.js';
import { AppModule } from '../../sample-app/src/app.module.js';
import { CountingService, type CountStep } from '../../sample-app/src/counting/counting.service.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startModule, type RunningApp } from '../support/test-app.js';

const CALL = 48;
const RESULT = 50;
const ERROR = 8;
const SUBSCRIBE = 32;
const SUBSCRIBED = 33;
const EVENT = 36;
const CANCEL = 49;

const JOB_DURATION_MS = 150;

/** A joined raw client with its own request counter. */
class Peer {
  private request = 0;

  private constructor(readonly client: RawWampClient) {}

  static async join(url: string, hello?: Record<string, unknown>): Promise<Peer> {
    if (!hello) return new Peer((await RawWampClient.join(url)).client);
    const client = await RawWampClient.connect(url);
    client.send([1, 'realm1', hello]);
    const welcome = (await client.next()) as unknown[];
    expect(welcome[0]).toBe(2);
    return new Peer(client);
  }

  /** Sends CALL and returns its request ID. */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options = {}): number {
    const id = ++this.request;
    const message: unknown[] = [CALL, id, options, procedure];
    if (args !== undefined || kwargs !== undefined) message.push(args ?? []);
    if (kwargs !== undefined) message.push(kwargs);
    this.client.send(message);
    return id;
  }

  /** Subscribes and returns the subscription ID. */
  async subscribe(topic: string): Promise<number> {
    const id = ++this.request;
    this.client.send([SUBSCRIBE, id, {}, topic]);
    const subscribed = (await this.client.next()) as unknown[];
    expect(subscribed).toEqual([SUBSCRIBED, id, expect.any(Number)]);
    return subscribed[2] as number;
  }

  next(timeout?: number): Promise<unknown> {
    return this.client.next(timeout);
  }

  /** Asserts nothing arrives within `milliseconds`. */
  async expectSilence(milliseconds = 150): Promise<void> {
    await expect(this.client.next(milliseconds)).rejects.toThrow('No message');
  }

  terminate(): void {
    this.client.terminate();
  }
}

const isoDate = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe('sample app (serverwamp examples as a Nest app)', () => {
  let directory: string;
  let dbPath: string;
  let running: RunningApp;
  let peer: Peer;
  const peers: Peer[] = [];
  const savedEnv = { DOCS_DB: process.env.DOCS_DB, JOB_DURATION_MS: process.env.JOB_DURATION_MS };

  async function joinPeer(hello?: Record<string, unknown>): Promise<Peer> {
    const joined = await Peer.join(running.url, hello);
    peers.push(joined);
    return joined;
  }

  /** The rows of the database file as on disk, read with sql.js directly (not through the app). */
  async function rowsOnDisk(): Promise<unknown[][]> {
    const SQL = await initSqlJs();
    const db = new SQL.Database(await readFile(dbPath));
    try {
      return db.exec('SELECT id, title, body FROM documents ORDER BY id')[0]?.values ?? [];
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nestjs-wamp-sample-'));
    dbPath = join(directory, 'not-yet-created', 'docs.sqlite'); // the app creates the directory
    process.env.DOCS_DB = dbPath;
    process.env.JOB_DURATION_MS = String(JOB_DURATION_MS);
    running = await startModule(AppModule);
  });
  beforeEach(async () => {
    peer = await joinPeer();
  });
  afterEach(() => {
    for (const each of peers.splice(0)) each.terminate();
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await running?.app.close();
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(directory, { recursive: true, force: true });
  });

  describe('documents (embedded database)', () => {
    it('first start creates the directory and an empty database file with the table', async () => {
      expect(existsSync(dbPath)).toBe(true);
      expect(await rowsOnDisk()).toEqual([]);
      const id = peer.call('docs.listDocuments');
      expect(await peer.next()).toEqual([RESULT, id, {}, [[]]]);
    });

    it('createDocument (positional and kwargs) returns the document, publishes it and writes the file', async () => {
      const watcher = await joinPeer();
      const subscription = await watcher.subscribe('docs.changes');

      const first = peer.call('docs.createDocument', ['First', 'Hello']);
      const created = { id: 1, title: 'First', body: 'Hello', createdAt: isoDate };
      expect(await peer.next()).toEqual([RESULT, first, {}, [created]]);
      expect(await watcher.next()).toEqual([
        EVENT,
        subscription,
        expect.any(Number),
        {},
        [{ action: 'created', document: created }],
      ]);

      // kwargs; surrounding whitespace of the title is dropped by the DTO
      const second = peer.call('docs.createDocument', [], { title: '  Second  ', body: '' });
      const createdSecond = { id: 2, title: 'Second', body: '', createdAt: isoDate };
      expect(await peer.next()).toEqual([RESULT, second, {}, [createdSecond]]);
      expect(await watcher.next()).toEqual([
        EVENT,
        subscription,
        expect.any(Number),
        {},
        [{ action: 'created', document: createdSecond }],
      ]);

      // on disk by the time the RESULT arrived, via an atomic rename (no temporary file left)
      expect(await rowsOnDisk()).toEqual([
        [1, 'First', 'Hello'],
        [2, 'Second', ''],
      ]);
      expect(await readdir(join(directory, 'not-yet-created'))).toEqual(['docs.sqlite']);
    });

    it('listDocuments returns every document, oldest first', async () => {
      const id = peer.call('docs.listDocuments');
      expect(await peer.next()).toEqual([
        RESULT,
        id,
        {},
        [
          [
            { id: 1, title: 'First', body: 'Hello', createdAt: isoDate },
            { id: 2, title: 'Second', body: '', createdAt: isoDate },
          ],
        ],
      ]);
    });

    it('getDocument takes document_id positional, as kwarg, or as an integer string', async () => {
      const document = { id: 1, title: 'First', body: 'Hello', createdAt: isoDate };
      const positional = peer.call('docs.getDocument', [1]);
      expect(await peer.next()).toEqual([RESULT, positional, {}, [document]]);
      const keyword = peer.call('docs.getDocument', [], { document_id: 1 });
      expect(await peer.next()).toEqual([RESULT, keyword, {}, [document]]);
      const text = peer.call('docs.getDocument', ['1']);
      expect(await peer.next()).toEqual([RESULT, text, {}, [document]]);
    });

    it('getDocument of an unknown ID: docs.error.not_found with a readable message', async () => {
      const id = peer.call('docs.getDocument', [404]);
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'docs.error.not_found',
        ['Document 404 does not exist.'],
        { document_id: 404 },
      ]);
    });

    it('getDocument with a non-integer or missing document_id: wamp.error.invalid_argument (its contract)', async () => {
      const fraction = peer.call('docs.getDocument', [1.5]);
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        fraction,
        {},
        'wamp.error.invalid_argument',
        ['kwargs.document_id: document_id must be an integer'],
        { issues: [{ path: ['kwargs', 'document_id'], message: 'document_id must be an integer' }] },
      ]);
      const missing = peer.call('docs.getDocument');
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        missing,
        {},
        'wamp.error.invalid_argument',
        ['kwargs.document_id: document_id must be an integer'],
        { issues: [{ path: ['kwargs', 'document_id'], message: 'document_id must be an integer' }] },
      ]);
    });

    it.each<[string, unknown[] | undefined, Record<string, unknown> | undefined, [string, string][]]>([
      ['an empty title', ['', 'body'], undefined, [['title', 'title should not be empty']]],
      ['a blank title', [], { title: '   ', body: 'body' }, [['title', 'title should not be empty']]],
      [
        'a title over 200 characters',
        ['x'.repeat(201), 'body'],
        undefined,
        [['title', 'title must be shorter than or equal to 200 characters']],
      ],
      [
        'a body over 10000 characters',
        [],
        { title: 'Big', body: 'x'.repeat(10_001) },
        [['body', 'body must be shorter than or equal to 10000 characters']],
      ],
      ['a missing body', ['Title only'], undefined, [['body', 'body must be a string']]],
      ['a number as title', [42, 'body'], undefined, [['title', 'title must be a string']]],
      [
        'an unknown kwarg',
        [],
        { title: 'T', body: 'B', author: 'me' },
        [['', 'property author should not exist']],
      ],
      [
        'nothing at all',
        undefined,
        undefined,
        [
          ['title', 'title must be a string'],
          ['body', 'body must be a string'],
        ],
      ],
    ])(
      'createDocument with %s: wamp.error.invalid_argument naming the problem (its contract)',
      async (_case, args, kwargs, problems) => {
        const watcher = await joinPeer();
        await watcher.subscribe('docs.changes');
        const id = peer.call('docs.createDocument', args, kwargs);
        const issues = problems.map(([name, message]) => ({
          path: name === '' ? ['kwargs'] : ['kwargs', name],
          message,
        }));
        expect(await peer.next()).toEqual([
          ERROR,
          CALL,
          id,
          {},
          'wamp.error.invalid_argument',
          [
            problems
              .map(([name, message]) => `kwargs${name === '' ? '' : `.${name}`}: ${message}`)
              .join('; '),
          ],
          { issues },
        ]);
        await watcher.expectSilence(50); // nothing was created
      },
    );

    it('createDocument with too many positional arguments: wamp.error.invalid_argument', async () => {
      const id = peer.call('docs.createDocument', ['T', 'B', 'extra']);
      const message = 'expected at most 2 positional arguments (title, body), got 3';
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'wamp.error.invalid_argument',
        [`args: ${message}`],
        { issues: [{ path: ['args'], message }] },
      ]);
    });

    it('deleteDocument returns {status: SUCCESS} and publishes the deletion; again: wamp.error.delete_failed', async () => {
      const watcher = await joinPeer();
      const subscription = await watcher.subscribe('docs.changes');
      const id = peer.call('docs.deleteDocument', [], { document_id: 2 });
      expect(await peer.next()).toEqual([RESULT, id, {}, [{ status: 'SUCCESS' }]]);
      expect(await watcher.next()).toEqual([
        EVENT,
        subscription,
        expect.any(Number),
        {},
        [{ action: 'deleted', document: { id: 2, title: 'Second', body: '', createdAt: isoDate } }],
      ]);
      expect(await rowsOnDisk()).toEqual([[1, 'First', 'Hello']]);

      const again = peer.call('docs.deleteDocument', [2]);
      // exactly serverwamp's RPCError('wamp.error.delete_failed', {'status': 'FAILURE'})
      const frame = await peer.client.nextFrame();
      expect(frame.raw.toString()).toBe(
        `[8,48,${again},{},"wamp.error.delete_failed",[],{"status":"FAILURE"}]`,
      );
      await watcher.expectSilence(50);
    });
  });

  describe('slowlyCountToNumber (progressive results, cancel)', () => {
    it('sends each count as a progressive result and the last one as the final result', async () => {
      const id = peer.call('slowlyCountToNumber', [3, 0.01], undefined, { receive_progress: true });
      const step = (count: number): CountStep => ({ count, taunt: 'ah ah ah!' });
      expect(await peer.next()).toEqual([RESULT, id, { progress: true }, [step(1)]]);
      expect(await peer.next()).toEqual([RESULT, id, { progress: true }, [step(2)]]);
      expect(await peer.next()).toEqual([RESULT, id, {}, [step(3)]]);
      await peer.expectSilence(50);
    });

    it('takes kwargs and a taunt; without receive_progress only the final result is sent', async () => {
      const id = peer.call('slowlyCountToNumber', [], { count_to: '2', interval: '0.01', taunt: 'nope' });
      expect(await peer.next()).toEqual([RESULT, id, {}, [{ count: 2, taunt: 'nope' }]]);
      await peer.expectSilence(50);
    });

    it('CANCEL stops the count: wamp.error.canceled, the stream is torn down, nothing more arrives', async () => {
      const counting = running.app.get(CountingService);
      const count = counting.count.bind(counting);
      let tornDown = false;
      jest
        .spyOn(counting, 'count')
        .mockImplementation((...args): Observable<CountStep> =>
          count(...args).pipe(finalize(() => (tornDown = true))),
        );

      const id = peer.call('slowlyCountToNumber', [1000, 0.02], undefined, { receive_progress: true });
      expect(await peer.next()).toEqual([RESULT, id, { progress: true }, [{ count: 1, taunt: 'ah ah ah!' }]]);
      peer.client.send([CANCEL, id, { mode: 'kill' }]);
      let frame = (await peer.next()) as unknown[];
      while (frame[0] === RESULT) frame = (await peer.next()) as unknown[]; // progress sent before CANCEL landed
      expect(frame).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'wamp.error.canceled',
        ['The call was canceled (mode kill).'],
      ]);
      expect(tornDown).toBe(true);
      await peer.expectSilence(100);
    });

    it.each<[string, unknown[], Record<string, unknown> | undefined, string]>([
      ['a fractional count_to', [2.5, 0.1], undefined, 'count_to must be an integer.'],
      ['a text count_to', ['ten', 0.1], undefined, 'count_to must be an integer.'],
      ['count_to 0', [0, 0.1], undefined, 'count_to must be from 1 to 1000, got 0.'],
      ['count_to 1001', [1001, 0.1], undefined, 'count_to must be from 1 to 1000, got 1001.'],
      ['a text interval', [3, 'soon'], undefined, 'interval must be a number of seconds.'],
      ['a negative interval', [3, -1], undefined, 'interval must be from 0 to 10, got -1.'],
      [
        'an interval over 10 s',
        [],
        { count_to: 3, interval: 10.5 },
        'interval must be from 0 to 10, got 10.5.',
      ],
      ['a number as taunt', [3, 0.1, 7], undefined, 'taunt must be a string.'],
    ])('%s: wamp.error.invalid_argument', async (_case, args, kwargs, message) => {
      const id = peer.call('slowlyCountToNumber', args, kwargs, { receive_progress: true });
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'wamp.error.invalid_argument',
        [message],
        { status: 400, message, statusText: 'Bad Request' },
      ]);
    });

    it('a missing interval: wamp.error.invalid_argument naming it', async () => {
      const id = peer.call('slowlyCountToNumber', [3]);
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'wamp.error.invalid_argument',
        ['Missing required argument "interval".'],
        { reason: 'missing', name: 'interval', position: 1 },
      ]);
    });
  });

  describe('doJob (background job, events to the caller only)', () => {
    it('answers at once, then sends STARTED and COMPLETED on job_events to the calling session only', async () => {
      const other = await joinPeer();
      const otherSubscription = await other.subscribe('job_events');
      const subscription = await peer.subscribe('job_events');
      expect(subscription).toBe(otherSubscription); // one subscription per topic, shared

      const started = Date.now();
      const id = peer.call('doJob');
      expect(await peer.next()).toEqual([RESULT, id, {}, ['Job scheduled.']]);
      expect(await peer.next()).toEqual([
        EVENT,
        subscription,
        expect.any(Number),
        {},
        [],
        { job_status: 'STARTED' },
      ]);
      expect(await peer.next()).toEqual([
        EVENT,
        subscription,
        expect.any(Number),
        {},
        [],
        { job_status: 'COMPLETED' },
      ]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(JOB_DURATION_MS - 10);
      await other.expectSilence(50);
    });

    it('a caller that is not subscribed gets the result and no events; other subscribers none either', async () => {
      const other = await joinPeer();
      await other.subscribe('job_events');
      const id = peer.call('doJob');
      expect(await peer.next()).toEqual([RESULT, id, {}, ['Job scheduled.']]);
      await peer.expectSilence(JOB_DURATION_MS + 100);
      await other.expectSilence(10);
    });
  });

  describe('admin.resetDocuments (role-guarded)', () => {
    it('refuses an anonymous session with wamp.error.not_authorized', async () => {
      const id = peer.call('admin.resetDocuments');
      expect(await peer.next()).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'wamp.error.not_authorized',
        ['admin.resetDocuments requires the role "admin"; this session has "anonymous".'],
        { required_roles: ['admin'], authrole: 'anonymous' },
      ]);
      expect(await rowsOnDisk()).toEqual([[1, 'First', 'Hello']]); // nothing deleted
    });

    it('a client claiming authrole admin in HELLO is still anonymous', async () => {
      const claimer = await joinPeer({ roles: { caller: {} }, authid: 'root', authrole: 'admin' });
      const id = claimer.call('admin.resetDocuments');
      expect(await claimer.next()).toEqual([
        ERROR,
        CALL,
        id,
        {},
        'wamp.error.not_authorized',
        ['admin.resetDocuments requires the role "admin"; this session has "anonymous".'],
        { required_roles: ['admin'], authrole: 'anonymous' },
      ]);
    });
  });

  describe('persistence', () => {
    it('after a restart on the same file the documents are still there, and IDs are not reused', async () => {
      const id = peer.call('docs.createDocument', [], { title: 'Third', body: 'kept' });
      expect(await peer.next()).toEqual([
        RESULT,
        id,
        {},
        [{ id: 3, title: 'Third', body: 'kept', createdAt: isoDate }],
      ]);
      for (const each of peers.splice(0)) each.terminate();

      await running.app.close();
      running = await startModule(AppModule);
      peer = await joinPeer();

      const list = peer.call('docs.listDocuments');
      expect(await peer.next()).toEqual([
        RESULT,
        list,
        {},
        [
          [
            { id: 1, title: 'First', body: 'Hello', createdAt: isoDate },
            { id: 3, title: 'Third', body: 'kept', createdAt: isoDate },
          ],
        ],
      ]);
      const created = peer.call('docs.createDocument', ['Fourth', '']);
      expect(await peer.next()).toEqual([
        RESULT,
        created,
        {},
        [{ id: 4, title: 'Fourth', body: '', createdAt: isoDate }],
      ]);
    });

    it('a file that is not a database fails the start with a message naming it', async () => {
      const bad = join(directory, 'bad', 'docs.sqlite');
      await mkdir(join(directory, 'bad'));
      await writeFile(bad, 'this is not SQLite, just long enough to look like a file header.'.repeat(10));
      process.env.DOCS_DB = bad;
      try {
        await expect(startModule(AppModule)).rejects.toThrow(`Cannot open the database ${bad}`);
      } finally {
        process.env.DOCS_DB = dbPath;
      }
    });
  });
  describe("client callees (issue 15): anonymous sessions register, as on Crossbar's default realm1", () => {
    it("a backend registers a procedure and a browser session calls it; the app's own URIs stay the app's", async () => {
      const backend = await joinPeer();
      backend.client.send([64, 1, {}, 'com.example.backend.greet']);
      const [, , registration] = (await backend.next()) as [number, number, number];
      backend.client.send([64, 2, {}, 'docs.getDocument']);
      backend.client.send([64, 3, {}, 'wamp.session.count']);
      expect([await backend.next(), await backend.next()]).toEqual([
        [
          ERROR,
          64,
          2,
          {},
          'wamp.error.procedure_already_exists',
          ['"docs.getDocument" is a procedure of the application; it cannot be registered by a client.'],
        ],
        [
          ERROR,
          64,
          3,
          {},
          'wamp.error.invalid_uri',
          ['"wamp.session.count" is reserved for the router: URIs under "wamp." cannot be registered.'],
        ],
      ]);
      const request = peer.call('com.example.backend.greet', ['Ada']);
      expect(await backend.next()).toEqual([68, 1, registration, {}, ['Ada']]);
      backend.client.send([70, 1, {}, ['Hello, Ada']]);
      expect(await peer.next()).toEqual([RESULT, request, {}, ['Hello, Ada']]);
    });
  });

  // Last: resetting the documents would disturb the tests above.
  describe('ticket user admin (issue 6)', () => {
    it('the ticket user admin gets the role admin, which unlocks the procedure; a wrong ticket is refused', async () => {
      const admin = await RawWampClient.connect(running.url);
      admin.send([1, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'admin' }]);
      expect(await admin.next()).toEqual([4, 'ticket', {}]);
      admin.send([5, 'admin-secret', {}]);
      const welcome = (await admin.next()) as [number, number, Record<string, unknown>];
      expect(welcome[0]).toBe(2);
      expect(welcome[2]).toMatchObject({ authid: 'admin', authrole: 'admin', authmethod: 'ticket' });
      admin.send([48, 1, {}, 'admin.resetDocuments']);
      expect(await admin.next()).toEqual([50, 1, {}, [{ status: 'SUCCESS', deleted: expect.any(Number) }]]);
      admin.terminate();

      const intruder = await RawWampClient.connect(running.url);
      intruder.send([1, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'admin' }]);
      expect(await intruder.next()).toEqual([4, 'ticket', {}]);
      intruder.send([5, 'guess', {}]);
      expect(((await intruder.next()) as unknown[])[2]).toBe('wamp.error.authentication_failed');
      await intruder.waitClosed();
    });
  });

  describe('observability (issue 21): /metrics, /health, the inspector behind the admin', () => {
    it('/metrics counts what the app did, /health is up, /admin/inspector needs the admin password', async () => {
      const id = peer.call('docs.listDocuments');
      expect((await peer.next()) as unknown[]).toEqual([RESULT, id, {}, [expect.any(Array)]]);
      const base = `http://127.0.0.1:${running.port}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const text = await metrics.text();
      expect(text).toMatch(
        /^wamp_calls_finished_total\{realm="realm1",procedure="docs\.listDocuments",outcome="result"\} [1-9]/m,
      );
      expect(text).toMatch(
        /^wamp_sessions\{realm="realm1",transport="websocket",authmethod="anonymous"\} [1-9]/m,
      );
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        info: { wamp: { status: 'up', serving: true } },
      });
      expect((await fetch(`${base}/admin/inspector/state.json`)).status).toBe(401);
      const wrong = Buffer.from('admin:wrong').toString('base64');
      expect(
        (await fetch(`${base}/admin/inspector`, { headers: { authorization: `Basic ${wrong}` } })).status,
      ).toBe(401);
      const right = Buffer.from('admin:admin-secret').toString('base64');
      const state = await fetch(`${base}/admin/inspector/state.json`, {
        headers: { authorization: `Basic ${right}` },
      });
      expect(state.status).toBe(200);
      expect(await state.json()).toMatchObject({
        realm: 'realm1',
        procedures: expect.arrayContaining(['docs.getDocument']),
      });
    });
  });

  describe('docs.changes history (event history)', () => {
    it('a late-comer reads the latest changes with wamp.subscription.get_events', async () => {
      const created = peer.call('docs.createDocument', ['Late news', 'kept']);
      const [, , , [document]] = (await peer.next()) as [number, number, object, [{ id: number }]];
      expect(peer.call('wamp.subscription.lookup', ['docs.changes'])).toBeGreaterThan(created);
      const [, , , [subscription]] = (await peer.next()) as [number, number, object, [number]];
      const latecomer = await joinPeer();
      const request = latecomer.call('wamp.subscription.get_events', [subscription], {
        reverse: true,
        limit: 1,
      });
      expect(await latecomer.next()).toEqual([
        RESULT,
        request,
        {},
        [
          [
            {
              timestamp: isoDate,
              subscription,
              publication: expect.any(Number),
              details: {},
              args: [{ action: 'created', document }],
            },
          ],
        ],
      ]);
    });
  });
});

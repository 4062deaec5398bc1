import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { AppModule } from '../../sample-app/src/app.module.js';
import {
  openAutobahnSession,
  type AutobahnSession,
  type RealClientSession,
} from '../support/real-clients.js';
import { startModule, type RunningApp } from '../support/test-app.js';

/**
 * The typed client generator end to end, on the sample app: `nestjs-wamp client` reads the running router's
 * catalog through the reflection procedures and writes a module; the module compiles under `strict` (and its
 * types refuse a wrong call); compiled, it calls every procedure of the sample app through Autobahn|JS and
 * subscribes to its topics. The same from a saved catalog file.
 */

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'test/e2e/.generated', `client-${process.pid}`);
const CLI = ['--import', '@swc-node/register/esm-register', join(ROOT, 'lib/cli/nestjs-wamp.cli.ts')];

/** What the generated module exports, as the test uses it once compiled. */
interface GeneratedClient {
  docsCreateDocument(kwargs: { title: string; body: string }): Promise<{ id: number; title: string }>;
  docsGetDocument(kwargs: {
    document_id: number | string;
  }): Promise<{ id: number; title: string; body: string }>;
  docsListDocuments(): Promise<{ id: number }[]>;
  docsDeleteDocument(kwargs: { document_id: number }): Promise<{ status: string }>;
  doJob(): Promise<string>;
  slowlyCountToNumber(
    args?: unknown[],
    kwargs?: Record<string, unknown>,
  ): Promise<{ count: number; taunt: string }>;
  adminResetDocuments(): Promise<unknown>;
  onDocsChanges(
    handler: (args: [{ action: string; document: { id: number } }], kwargs: object) => void,
  ): PromiseLike<unknown>;
  onJobEvents(handler: (args: unknown[], kwargs: { job_status: string }) => void): PromiseLike<unknown>;
}

/** Type-checks `files` as a strict project; returns the diagnostics as text (empty when it compiles). */
function compile(files: string[], outDir: string, emit: boolean): string {
  const program = ts.createProgram(files, {
    strict: true,
    noUnusedLocals: true,
    noImplicitReturns: true,
    exactOptionalPropertyTypes: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    outDir,
    noEmit: !emit,
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...(emit ? program.emit().diagnostics : [])];
  return diagnostics
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
    .join('\n');
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('nestjs-wamp client: a typed client generated from the sample app', () => {
  let running: RunningApp;
  let directory: string;
  let session: RealClientSession<AutobahnSession>;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nestjs-wamp-generator-'));
    process.env.DOCS_DB = join(directory, 'docs.sqlite');
    process.env.JOB_DURATION_MS = '20';
    running = await startModule(AppModule);
    await mkdir(OUT, { recursive: true });
  });
  afterAll(async () => {
    await session?.close().catch(() => undefined);
    await running?.app.close();
    await rm(OUT, { recursive: true, force: true });
    await rm(directory, { recursive: true, force: true });
  });

  it('generates from the running router, compiles under strict, and calls every procedure', async () => {
    const file = join(OUT, 'wamp-client.ts');
    const { stderr } = await run(process.execPath, [...CLI, 'client', '--url', running.url, '--out', file], {
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(stderr).toMatch(/^Wrote .*wamp-client\.ts: 7 procedures, 2 topics of realm "realm1"\.\n$/);
    const source = await readFile(file, 'utf8');
    expect(source).toContain('export interface DocsCreateDocumentKwargs {');
    expect(source).toContain(
      '  docsCreateDocument(kwargs: DocsCreateDocumentKwargs): Promise<DocsCreateDocumentResult> {',
    );
    expect(source).toContain('   * @throws docs.error.not_found: There is no document with this ID.');

    // Its types are real: a right call compiles, a wrong one does not.
    const usage = join(OUT, 'usage.ts');
    await writeFile(
      usage,
      [
        "import { WampApiClient, type WampSession } from './wamp-client.js';",
        'export async function use(session: WampSession): Promise<number> {',
        '  const client = new WampApiClient(session);',
        "  const created = await client.docsCreateDocument({ title: 'T', body: 'B' });",
        '  // @ts-expect-error a number is not a title',
        "  await client.docsCreateDocument({ title: 5, body: 'B' });",
        '  // @ts-expect-error the body is required',
        "  await client.docsCreateDocument({ title: 'T' });",
        '  await client.onDocsChanges(([change]) => change.document.title.toUpperCase());',
        '  return created.id;',
        '}',
        '',
      ].join('\n'),
    );
    expect(compile([file, usage], join(OUT, 'js'), true)).toBe('');

    const generated = (await import(join(OUT, 'js', 'wamp-client.js'))) as {
      WampApiClient: new (session: AutobahnSession) => GeneratedClient;
    };
    session = await openAutobahnSession(running.url, 'realm1', 'json');
    const client = new generated.WampApiClient(session.client);

    const changes: { action: string; id: number }[] = [];
    await client.onDocsChanges(([change]) => changes.push({ action: change.action, id: change.document.id }));
    const jobEvents: string[] = [];
    await client.onJobEvents((_args, kwargs) => jobEvents.push(kwargs.job_status));

    const created = await client.docsCreateDocument({ title: '  Generated ', body: 'by the client' });
    expect(created).toMatchObject({ title: 'Generated' });
    expect(await client.docsGetDocument({ document_id: created.id })).toMatchObject({
      id: created.id,
      body: 'by the client',
    });
    expect((await client.docsListDocuments()).map((document) => document.id)).toContain(created.id);
    expect(await client.docsDeleteDocument({ document_id: created.id })).toEqual({ status: 'SUCCESS' });
    await expect(client.docsGetDocument({ document_id: created.id })).rejects.toMatchObject({
      error: 'docs.error.not_found',
    });
    expect(await client.slowlyCountToNumber([2, 0])).toEqual({ count: 2, taunt: 'ah ah ah!' });
    expect(await client.doJob()).toBe('Job scheduled.');
    await expect(client.adminResetDocuments()).rejects.toMatchObject({ error: 'wamp.error.not_authorized' });
    await within(
      (async () => {
        while (jobEvents.length < 2 || changes.length < 2) await new Promise((done) => setTimeout(done, 10));
      })(),
      3000,
      'the events',
    );
    expect(changes).toEqual([
      { action: 'created', id: created.id },
      { action: 'deleted', id: created.id },
    ]);
    expect(jobEvents).toEqual(['STARTED', 'COMPLETED']);
  });

  it('generates the same module from a saved catalog (WampCatalog.snapshot())', async () => {
    const { WampCatalog } = await import('../../lib/index.js');
    const catalogFile = join(OUT, 'catalog.json');
    await writeFile(catalogFile, JSON.stringify(running.app.get(WampCatalog).snapshot()));
    const file = join(OUT, 'from-file.ts');
    await run(process.execPath, [...CLI, 'client', '--catalog', catalogFile, '--out', file], { cwd: ROOT });
    const fromRouter = (await readFile(join(OUT, 'wamp-client.ts'), 'utf8')).split('\n').slice(3).join('\n');
    const fromFile = (await readFile(file, 'utf8')).split('\n').slice(3).join('\n');
    expect(fromFile).toEqual(fromRouter);
  });

  it('fails with a readable message: no router there, bad usage', async () => {
    const unreachable = run(
      process.execPath,
      [...CLI, 'client', '--url', 'ws://127.0.0.1:1/ws', '--out', join(OUT, 'x.ts')],
      {
        cwd: ROOT,
      },
    );
    await expect(unreachable).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^nestjs-wamp: Cannot reach ws:\/\/127\.0\.0\.1:1\/ws/),
    });
    await expect(run(process.execPath, [...CLI, 'client'], { cwd: ROOT })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage:'),
    });
  });
});

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readmeTypeScriptBlocks } from '../support/readme-blocks.js';
import { openAutobahnSession, type AutobahnError } from '../support/real-clients.js';

/**
 * The package as users get it: `npm pack` (which runs `prepare`, the build), then the tarball installed into
 * fresh apps this test writes: ESM and CommonJS, Nest 11 and 12, Express and Fastify, each with the
 * tsconfig such an app has. Their source is the README's Quickstart, word for word. Each app is built with
 * `tsc`, started with `node`, and called by Autobahn|JS; then SIGTERM must end every session with GOODBYE
 * (`enableShutdownHooks`), and the app must log no wiring warning.
 *
 * Needs the npm registry (npm install); run with `npm run test:consumers`.
 */

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface ConsumerApp {
  readonly name: string;
  readonly type: 'module' | 'commonjs';
  readonly nest: 11 | 12;
  readonly platform: 'express' | 'fastify';
  /** `nodenext` (Nest 11+ templates, ESM or CommonJS) or `commonjs` (the classic template). */
  readonly module: 'nodenext' | 'commonjs';
}

const APPS: readonly ConsumerApp[] = [
  { name: 'esm-nest12-express', type: 'module', nest: 12, platform: 'express', module: 'nodenext' },
  { name: 'cjs-nest12-fastify', type: 'commonjs', nest: 12, platform: 'fastify', module: 'commonjs' },
  { name: 'esm-nest11-fastify', type: 'module', nest: 11, platform: 'fastify', module: 'nodenext' },
  { name: 'cjs-nest11-express', type: 'commonjs', nest: 11, platform: 'express', module: 'nodenext' },
];

function packageJson(app: ConsumerApp, tarball: string): string {
  const nest = `^${app.nest}.0.0`;
  return JSON.stringify(
    {
      name: app.name,
      private: true,
      type: app.type,
      scripts: { build: 'tsc -p .', start: 'node dist/main.js' },
      dependencies: {
        '@nestjs/common': nest,
        '@nestjs/core': nest,
        '@nestjs/microservices': nest,
        [`@nestjs/platform-${app.platform}`]: nest,
        'nestjs-wamp': `file:${tarball}`,
        'reflect-metadata': '^0.2.2',
        rxjs: '^7.8.1',
        // The README's Redis and NATS examples (nestjs-wamp/redis, nestjs-wamp/nats) need their optional peers,
        // as the README says.
        ioredis: '^6.0.0',
        '@nats-io/transport-node': '^3.4.0',
        '@nats-io/jetstream': '^3.4.0',
        '@nats-io/kv': '^3.4.0',
        // The README's contract examples: a zod schema, and a JSON Schema (which needs the optional peer ajv).
        zod: '^4.2.0',
        ajv: '^8.0.0',
        // The README's observability example: Prometheus, terminus (the app's Nest major) and OpenTelemetry's API.
        'prom-client': '^15.1.0',
        '@nestjs/terminus': nest,
        '@opentelemetry/api': '^1.9.0',
      },
      // What `nest new` gives each major: TypeScript 5 for Nest 11, 6 for Nest 12.
      devDependencies: { '@types/node': '^22.0.0', typescript: app.nest === 11 ? '~5.9.0' : '~6.0.0' },
    },
    null,
    2,
  );
}

function tsconfig(app: ConsumerApp): string {
  const module =
    app.module === 'nodenext'
      ? { module: 'nodenext', moduleResolution: 'nodenext', resolvePackageJsonExports: true }
      : { module: 'commonjs' };
  return JSON.stringify(
    {
      compilerOptions: {
        ...module,
        target: 'ES2023',
        strict: true,
        esModuleInterop: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        // The published types must hold up without skipLibCheck.
        skipLibCheck: false,
        outDir: 'dist',
        rootDir: 'src',
        types: ['node'],
      },
      include: ['src'],
    },
    null,
    2,
  );
}

/** The README's app files: the Quickstart, with the platform's `main.ts`. */
function readmeSources(app: ConsumerApp): Map<string, string> {
  const files = new Map<string, string>();
  const variants = new Map<string, string>();
  for (const { code } of readmeTypeScriptBlocks(readFileSync(join(root, 'README.md'), 'utf8'))) {
    const first = /^\/\/ (src\/[\w./-]+\.ts)(?: \(([\w-]+)\))?/.exec(code) as RegExpExecArray;
    if (first[2] === undefined) files.set(first[1], code);
    else if (first[2] === app.platform) variants.set(first[1], code);
  }
  for (const [path, code] of variants) files.set(path, code);
  return files;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts the app and resolves once it printed its WAMP URL; rejects after 30 s. */
function startApp(directory: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: directory,
    env: { ...process.env, PORT: String(port), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('WAMP router at ')) {
        clearTimeout(timer);
        resolveStart({ child, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited with ${code} before starting:\n${output}`));
    });
  });
}

interface CallOutcome {
  readonly found: unknown;
  readonly notFound: string;
  readonly badArgument: string;
  readonly closeReason: string;
  /** How the process ended after SIGTERM: Nest closes the app, then re-raises the signal. */
  readonly exit: string;
}

/** Calls the Quickstart's procedure three ways, then sends SIGTERM and sees how the session ends. */
async function exercise(url: string, child: ChildProcess): Promise<CallOutcome> {
  const session = await openAutobahnSession(url, 'realm1', 'json');
  const errorOf = async (args: unknown[]): Promise<string> => {
    try {
      await session.client.call('docs.getDocument', args);
      return 'no error';
    } catch (error) {
      return (error as AutobahnError).error;
    }
  };
  const found = await session.client.call('docs.getDocument', [42]);
  const notFound = await errorOf([7]);
  const badArgument = await errorOf(['forty-two']);
  const exited = new Promise<string>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(signal ?? `exit code ${code}`)),
  );
  child.kill('SIGTERM');
  const timeout = <T>(value: T): Promise<T> =>
    new Promise((resolveLater) => setTimeout(() => resolveLater(value), 10_000).unref());
  const closed = await Promise.race([session.closed, timeout(undefined)]);
  const exit = await Promise.race([exited, timeout('still running 10 s after SIGTERM')]);
  return { found, notFound, badArgument, closeReason: closed?.reason ?? 'no GOODBYE', exit };
}

describe('the packed library in fresh consumer apps', () => {
  let workspace: string;
  let tarball: string;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'nestjs-wamp-consumers-'));
    // npm pack runs prepare (the build), as an install from git would.
    await run('npm', ['pack', '--pack-destination', workspace], { cwd: root, timeout: 180_000 });
    const packed = readdirSync(workspace).find((file) => file.endsWith('.tgz'));
    if (!packed) throw new Error('npm pack produced no tarball');
    tarball = join(workspace, packed);
  }, 240_000);

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('ships the build, the types, the licence and source maps with their sources, and nothing else', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const entries = stdout.trim().split('\n');
    expect(entries).toEqual(
      expect.arrayContaining([
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/LICENSE',
        'package/README.md',
        'package/package.json',
      ]),
    );
    expect(
      entries.filter((entry) => !/^package\/(dist\/|LICENSE$|README\.md$|package\.json$)/.test(entry)),
    ).toEqual([]);
    const { stdout: map } = await run('tar', ['xzfO', tarball, 'package/dist/index.js.map']);
    expect(JSON.parse(map)).toMatchObject({ sourcesContent: [expect.stringContaining('export')] });
  });

  it('nestjs-wamp/core runs a router in a project without any @nestjs package', async () => {
    const directory = join(workspace, 'core-only');
    mkdirSync(directory, { recursive: true });
    writeFileSync(
      join(directory, 'package.json'),
      JSON.stringify({
        name: 'core-only',
        private: true,
        type: 'module',
        dependencies: { 'nestjs-wamp': `file:${tarball}` },
      }),
    );
    // --legacy-peer-deps: npm would otherwise install the (Nest) peer dependencies on its own.
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--legacy-peer-deps'], {
      cwd: directory,
      timeout: 300_000,
    });
    expect(
      readdirSync(join(directory, 'node_modules')).filter((name) => name === '@nestjs' || name === 'rxjs'),
    ).toEqual([]);
    writeFileSync(
      join(directory, 'main.js'),
      [
        "import { WampRouter, JsonSerializer, encodeMessage } from 'nestjs-wamp/core';",
        'const sent = [];',
        '// What a transport does: encode each typed message with its serializer and write the frame.',
        "const connection = { serializer: new JsonSerializer(), transport: { type: 'websocket', protocol: 'wamp.2.json', secure: false, url: '/', headers: {} },",
        '  send: (message) => sent.push(connection.serializer.encode(encodeMessage(message))), sendEvent: (frame) => sent.push(frame), close: () => undefined };',
        'const logger = { log() {}, warn() {}, error() {} };',
        "const router = new WampRouter({ realms: [{ name: 'realm1' }], strictUris: true, maxPayload: 65536, maxDepth: 32, maxUriLength: 1024,",
        '  maxUriComponents: 64, helloTimeout: 0, goodbyeTimeout: 100, checkRequestIds: false, maxCallsPerSession: 8, defaultCallTimeout: 0,',
        "  subscriptionPolicy: 'open', maxSubscriptionsPerSession: 8, maxRetainedTopics: 8, maxRetainedBytes: 65536, agent: 'core-only', logger });",
        'const session = router.openSession(connection);',
        "session.handleFrame(Buffer.from(JSON.stringify([1, 'realm1', { roles: { caller: {} } }])));",
        'await new Promise((resolve) => setTimeout(resolve, 50));',
        'console.log(String(sent[0]));',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: directory, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual([
      2,
      expect.any(Number),
      expect.objectContaining({ realm: 'realm1', agent: 'core-only' }),
    ]);
  });

  it.each(APPS.map((app) => [app.name, app] as const))(
    '%s: installs, builds with tsc, serves the Quickstart and shuts down politely',
    async (_name, app) => {
      const directory = join(workspace, app.name);
      mkdirSync(join(directory, 'src'), { recursive: true });
      writeFileSync(join(directory, 'package.json'), packageJson(app, tarball));
      writeFileSync(join(directory, 'tsconfig.json'), tsconfig(app));
      for (const [path, code] of readmeSources(app)) writeFileSync(join(directory, path), code);
      await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: directory,
        timeout: 300_000,
      });
      await run('npx', ['tsc', '-p', '.'], { cwd: directory, timeout: 120_000 }).catch(
        (error: { stdout?: string }) => {
          throw new Error(`tsc failed for ${app.name}:\n${error.stdout ?? String(error)}`);
        },
      );
      const port = await freePort();
      const { child, output } = await startApp(directory, port);
      let outcome: CallOutcome;
      try {
        outcome = await exercise(`ws://127.0.0.1:${port}/ws`, child);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      expect(outcome).toEqual({
        found: { id: 42, title: 'The answer' },
        notFound: 'docs.error.not_found',
        // ParseIntPipe's exception mapped by the global WampExceptionFilter: inheritAppConfig worked.
        badArgument: 'wamp.error.invalid_argument',
        closeReason: 'wamp.close.system_shutdown',
        exit: 'SIGTERM',
      });
      expect(output()).not.toMatch(/never started|built without the application's global/);

      // The same app wired without inheritAppConfig: the module must say so at startup, on every Nest and module
      // format (its check reads Nest's container, which is not public API).
      const main = join(directory, 'src/main.ts');
      writeFileSync(main, readFileSync(main, 'utf8').replace('{ inheritAppConfig: true }', '{}'));
      await run('npx', ['tsc', '-p', '.'], { cwd: directory, timeout: 120_000 });
      const miswired = await startApp(directory, await freePort());
      miswired.child.kill('SIGKILL');
      expect(miswired.output()).toMatch(/WAMP handlers were built without the application's global pipes/);
    },
    420_000,
  );
});

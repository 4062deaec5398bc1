import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startModule, type Platform, type RunningApp } from '../support/test-app.js';

/**
 * The sample app's browser page (sample-app/public, served by PageModule) in a real Chromium, driven by
 * playwright-core, against the real sample AppModule: live documents across two pages, a progressive and
 * cancelled call, and readable errors. Skipped (with the reason in its name) when Debian's chromium is
 * not installed (`apt-get install -y chromium`).
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Every wait on the page is bounded by this (ms). */
const STEP_TIMEOUT = 5000;

const haveChromium = existsSync(CHROMIUM);
const describeInChromium = haveChromium ? describe : describe.skip;
const skipReason = haveChromium ? '' : ` (SKIPPED: ${CHROMIUM} is missing; apt-get install -y chromium)`;

/** Starts the sample AppModule on 127.0.0.1:0 with its documents database in a fresh temp directory. */
async function startSample(platform: Platform): Promise<{ running: RunningApp; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nestjs-wamp-page-'));
  const previous = process.env.DOCS_DB;
  process.env.DOCS_DB = join(dataDir, 'docs.sqlite'); // read when the app's config provider is created
  try {
    const { AppModule } = await import('../../sample-app/src/app.module.js');
    return { running: await startModule(AppModule, platform), dataDir };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    if (previous === undefined) delete process.env.DOCS_DB;
    else process.env.DOCS_DB = previous;
  }
}

describe.each<Platform>(['express', 'fastify'])('sample page over HTTP on %s', (platform) => {
  let running: RunningApp;
  let dataDir: string;
  let origin: string;

  beforeAll(async () => {
    ({ running, dataDir } = await startSample(platform));
    origin = `http://127.0.0.1:${running.port}`;
  }, 20000);
  afterAll(async () => {
    await running?.app.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['/', 'text/html; charset=utf-8', '<title>nestjs-wamp sample</title>'],
    ['/app.js', 'text/javascript; charset=utf-8', 'new autobahn.Connection'],
    ['/vendor/autobahn.min.js', 'text/javascript; charset=utf-8', 'autobahn'],
  ])('GET %s is served as %s', async (path, type, text) => {
    const response = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain(text);
  });

  it('the page gets a Content-Security-Policy without inline scripts', async () => {
    const response = await fetch(`${origin}/`, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    await response.arrayBuffer();
  });

  it.each([
    '/node_modules/autobahn-browser/autobahn.min.js',
    '/vendor/autobahn.js',
    '/vendor/../package.json',
    '/vendor/%2e%2e/package.json',
    '/package.json',
    '/index.html',
    '/public/app.js',
  ])('nothing else is reachable: GET %s is 404', async (path) => {
    // A raw path: fetch() would normalise "..".
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: running.port, path, timeout: STEP_TIMEOUT }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});

describeInChromium(`sample page in Chromium${skipReason}`, () => {
  let browser: Browser;
  let running: RunningApp;
  let dataDir: string;
  let contexts: BrowserContext[] = [];
  let pageA: Page;
  let pageB: Page;
  const pageErrors: string[] = [];

  /** A page in its own browser context (its own cookies and storage, like a second user), connected. */
  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    context.setDefaultTimeout(STEP_TIMEOUT);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${running.port}/`);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await page.locator('[data-testid=documents][data-loaded=true]').waitFor({ state: 'attached' });
    return page;
  }

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    ({ running, dataDir } = await startSample('express'));
    // launch() runs Chromium on a fresh temporary user-data-dir of its own, removed on close().
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 15000 });
    pageA = await openPage();
    pageB = await openPage();
  }, 30000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    contexts = [];
    await browser?.close();
    await running?.app.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 15000);

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  // Markup in a title must come out as text (textContent), never as HTML.
  const title = `Browser <img src=x onerror="window.__xss=1"> ${Date.now()}`;
  const documentIn = (page: Page) => page.getByTestId('document').filter({ hasText: title });

  it('a document created in page A appears in page B through docs.changes', async () => {
    await pageA.getByTestId('title').fill(title);
    await pageA.getByTestId('body').fill('Created from page A.');
    await pageA.getByTestId('create').click();

    await documentIn(pageB).waitFor();
    expect(await documentIn(pageB).getByTestId('document-title').textContent()).toBe(title);
    expect(await documentIn(pageB).getByTestId('document-body').textContent()).toBe('Created from page A.');
    expect(await pageB.locator('[data-testid=documents] img').count()).toBe(0);
    expect(await pageB.evaluate('window.__xss')).toBeUndefined();
    await documentIn(pageA).waitFor();
    expect(await pageA.getByTestId('title').inputValue()).toBe(''); // the form was reset
  });

  it('deleting it in page A removes it from page B', async () => {
    await documentIn(pageA).getByTestId('delete-document').click();
    await documentIn(pageB).waitFor({ state: 'detached' });
    await documentIn(pageA).waitFor({ state: 'detached' });
    await pageB.getByTestId('no-documents').waitFor({ state: 'visible' });
  });

  /** The progress bar's value and max. */
  const progressOf = (page: Page) =>
    page.getByTestId('count-progress').evaluate((bar) => {
      const { value, max } = bar as unknown as { value: number; max: number };
      return { value, max };
    });

  /** Polls `read` until `done` holds for its result, at most STEP_TIMEOUT ms; returns that result. */
  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + STEP_TIMEOUT;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`Timed out; last value ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('who is online: each page lists both sessions, live from the session meta API, and a page that closes goes', async () => {
    const idOf = async (page: Page): Promise<string> =>
      ((await page.getByTestId('connection').textContent()) ?? '').replace(/\D+/g, '');
    const [idA, idB] = [await idOf(pageA), await idOf(pageB)];
    for (const page of [pageA, pageB]) {
      await page.locator('[data-testid=online][data-loaded=true]').waitFor({ state: 'attached' });
      for (const id of [idA, idB])
        await page.locator(`[data-testid=online-session][data-session="${id}"]`).waitFor();
    }
    expect(await pageA.locator(`[data-session="${idA}"]`).textContent()).toContain('you');
    const pageC = await openPage();
    const idC = await idOf(pageC);
    const inA = pageA.locator(`[data-testid=online-session][data-session="${idC}"]`);
    await inA.waitFor();
    expect(await inA.textContent()).toBe(`anonymous-${idC} (anonymous)`);
    await pageC.context().close();
    await inA.waitFor({ state: 'detached' });
  });

  it('the API catalog: the page lists the procedures from the reflection API, and /catalog.json has the same', async () => {
    await pageA.locator('[data-testid=catalog][data-loaded=true]').waitFor({ state: 'attached' });
    const create = pageA.locator('[data-testid=catalog-procedure][data-uri="docs.createDocument"]');
    expect(await create.textContent()).toBe(
      'docs.createDocument(title, body) — Creates a document and publishes it on docs.changes.',
    );
    const listed = await pageA
      .locator('[data-testid=catalog-procedure]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-uri')));
    const response = await fetch(`http://127.0.0.1:${running.port}/catalog.json`, {
      signal: AbortSignal.timeout(STEP_TIMEOUT),
    });
    expect(response.status).toBe(200);
    const catalog = (await response.json()) as { realm: string; procedures: { uri: string }[] };
    expect(catalog.realm).toBe('realm1');
    expect(catalog.procedures.map((procedure) => procedure.uri)).toEqual(listed);
    expect(listed).toEqual(expect.arrayContaining(['docs.getDocument', 'slowlyCountToNumber', 'doJob']));
  });

  it('the inspector (admin only): a session appears and goes, try-a-call answers, errors are listed; screenshot', async () => {
    const inspectorUrl = `http://127.0.0.1:${running.port}/admin/inspector`;
    // Without the admin's password: 401 with a Basic challenge.
    const refused = await fetch(inspectorUrl, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    const context = await browser.newContext({
      viewport: { width: 1100, height: 1200 },
      httpCredentials: { username: 'admin', password: 'admin-secret' },
    });
    context.setDefaultTimeout(STEP_TIMEOUT);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(inspectorUrl);
    await page.locator('[data-testid=updated][data-loaded=true]').waitFor();
    expect(await page.getByTestId('realm').textContent()).toBe('realm realm1');
    const registration = page.locator('[data-testid=registration][data-key="docs.createDocument"]');
    await registration.waitFor();

    // A session that joins appears in the list (within the page's one-second refresh), and goes when it leaves.
    const { RawWampClient } = await import('../support/raw-wamp-client.js');
    const { client, welcome } = await RawWampClient.join(`ws://127.0.0.1:${running.port}/ws`);
    const row = page.locator(`[data-testid=session][data-key="${welcome[1] as number}"]`);
    await row.waitFor({ timeout: 3000 });
    expect(await row.textContent()).toContain('anonymous');
    client.send([48, 1, {}, 'docs.nope', []]);
    expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
    client.send([6, {}, 'wamp.close.close_realm']);
    await client.next();
    await row.waitFor({ state: 'detached', timeout: 3000 });
    // The refused call is among the recent errors.
    await page
      .locator('[data-testid=error]')
      .filter({ hasText: 'wamp.error.no_such_procedure' })
      .first()
      .waitFor({ timeout: 3000 });

    // Try a call: docs.createDocument through the form, answered with the new document.
    await page.getByTestId('call-procedure').fill('docs.createDocument');
    await page.getByTestId('call-kwargs').fill('{"title": "From the inspector", "body": "tried"}');
    await page.getByTestId('call-submit').click();
    await page.locator('[data-testid=call-answer][data-state=result]').waitFor();
    const answer = JSON.parse((await page.getByTestId('call-answer').textContent()) ?? '{}') as {
      ok: boolean;
      args: { title: string }[];
    };
    expect(answer.ok).toBe(true);
    expect(answer.args[0]?.title).toBe('From the inspector');
    const created = answer.args[0] as unknown as { id: number };
    // And an ERROR comes back as one.
    await page.getByTestId('call-kwargs').fill('{"title": ""}');
    await page.getByTestId('call-submit').click();
    await page.locator('[data-testid=call-answer][data-state=error]').waitFor();
    expect(await page.getByTestId('call-answer').textContent()).toContain('wamp.error.invalid_argument');

    // Tidy up for the tests that follow: delete it the same way.
    await page.getByTestId('call-procedure').fill('docs.deleteDocument');
    await page.getByTestId('call-kwargs').fill(JSON.stringify({ document_id: created.id }));
    await page.getByTestId('call-submit').click();
    await page.locator('[data-testid=call-answer][data-state=result]').waitFor();

    const { mkdirSync, statSync } = await import('node:fs');
    const shots = join(import.meta.dirname, '.generated');
    mkdirSync(shots, { recursive: true });
    const file = join(shots, `inspector-${process.pid}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  it('slowlyCountToNumber moves the progress bar, and Cancel stops it with wamp.error.canceled', async () => {
    await pageA.getByTestId('count-to').fill('20');
    await pageA.getByTestId('interval').fill('0.1');
    await pageA.getByTestId('count-start').click();
    await pageA.locator('[data-testid=count-state][data-state=running]').waitFor();
    expect((await progressOf(pageA)).max).toBe(20);

    // The bar fills as progressive results arrive: distinct, increasing values.
    const first = await until(
      () => progressOf(pageA),
      ({ value }) => value >= 2,
    );
    const later = await until(
      () => progressOf(pageA),
      ({ value }) => value > first.value,
    );
    expect(later.value).toBeLessThan(20);

    await pageA.getByTestId('count-cancel').click();
    await pageA.locator('[data-testid=count-state][data-state=canceled]').waitFor();
    expect(await pageA.getByTestId('status').textContent()).toContain('wamp.error.canceled');
    const stopped = await progressOf(pageA);
    expect(stopped.value).toBeLessThan(20);
    // Canceled means canceled: no more progress, the session is still open, and Start works again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await progressOf(pageA)).toEqual(stopped);
    expect(await pageA.getByTestId('connection').getAttribute('data-state')).toBe('open');
    expect(await pageA.getByTestId('count-start').isEnabled()).toBe(true);
    expect(await pageA.getByTestId('count-cancel').isEnabled()).toBe(false);
  });

  it('a count that runs to the end fills the bar', async () => {
    await pageA.getByTestId('count-to').fill('3');
    await pageA.getByTestId('interval').fill('0.05');
    await pageA.getByTestId('count-start').click();
    await pageA.locator('[data-testid=count-state][data-state=done]').waitFor();
    expect(await progressOf(pageA)).toEqual({ value: 3, max: 3 });
  });

  it('an invalid document (empty title) shows the error URI and the validation message', async () => {
    await pageA.getByTestId('title').fill('');
    await pageA.getByTestId('body').fill('No title.');
    await pageA.getByTestId('create').click();
    const status = pageA.locator('[data-testid=status][data-kind=error]');
    await status.waitFor();
    const text = await status.textContent();
    expect(text).toContain('wamp.error.invalid_argument: ');
    expect(text).toMatch(/title should not be empty/);
    expect(await status.isVisible()).toBe(true);
    expect(await pageA.getByTestId('document').count()).toBe(0);
  });
});

import { Controller, Get, Header, StreamableFile } from '@nestjs/common';
import { WampCatalog, type WampApiSnapshot } from '../../../lib/index.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** sample-app/public: the page and its script. */
const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** The one file of node_modules the page needs: the browser build of Autobahn|JS. */
const AUTOBAHN_PATH = createRequire(import.meta.url).resolve('autobahn-browser/autobahn.min.js');

/**
 * The page's Content-Security-Policy: scripts only from this origin (no inline script, no eval),
 * WebSocket only back to this host (`'self'` covers ws:/wss: to the same host in current browsers).
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

async function file(path: string, type: string): Promise<StreamableFile> {
  return new StreamableFile(await readFile(path), { type });
}

/**
 * Serves the sample's browser page: exactly three fixed files, so nothing else on disk (in
 * particular nothing else of node_modules) is reachable. Handlers return a `StreamableFile`
 * (no `@Res()`), which Nest sends the same way on Express and Fastify.
 */
@Controller()
export class PageController {
  constructor(private readonly catalog: WampCatalog) {}

  /**
   * The realm's API as JSON: what the reflection procedures tell, for tools that speak HTTP (and what
   * `npx nestjs-wamp client --catalog` reads). A real app would put its own guard here.
   */
  @Get('catalog.json')
  @Header('Cache-Control', 'no-cache')
  catalogJson(): WampApiSnapshot {
    return this.catalog.snapshot();
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  index(): Promise<StreamableFile> {
    return file(`${PUBLIC_DIR}index.html`, 'text/html; charset=utf-8');
  }

  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  script(): Promise<StreamableFile> {
    return file(`${PUBLIC_DIR}app.js`, 'text/javascript; charset=utf-8');
  }

  @Get('vendor/autobahn.min.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @Header('X-Content-Type-Options', 'nosniff')
  autobahn(): Promise<StreamableFile> {
    return file(AUTOBAHN_PATH, 'text/javascript; charset=utf-8');
  }
}

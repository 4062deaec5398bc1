import { createRequire } from 'node:module';

/** Injection token of the options given to `WampModule.forRoot()` / `forRootAsync()`. */
export const WAMP_MODULE_OPTIONS = Symbol.for('nestjs-wamp:module-options');

/** Injection token of the options with every default filled in and validated. */
export const WAMP_RESOLVED_OPTIONS = Symbol.for('nestjs-wamp:resolved-options');

/** Version of this package, read from its package.json (same relative path from `lib/` and `dist/`). */
const WAMP_PACKAGE_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/** Default `agent` announced in WELCOME. */
export const DEFAULT_WAMP_AGENT = `nestjs-wamp/${WAMP_PACKAGE_VERSION}`;

import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';

/** Where the documents database lives unless `DOCS_DB` says otherwise: `sample-app/data/docs.sqlite`. */
const DEFAULT_DOCS_DB = fileURLToPath(new URL('../../data/docs.sqlite', import.meta.url));

/**
 * The sample app's settings, read once from the environment at startup. Bad values fail the start with a
 * message naming the variable, rather than surfacing later as a confusing runtime error.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `PORT` | `8080` | HTTP + WAMP port (`0` picks a free one); RawSocket is served on it too |
 * | `RAWSOCKET_PORT` | `8081` | WAMP over RawSocket on a port of its own (`0` picks a free one) |
 * | `HOST` | `127.0.0.1` | interface to listen on (loopback: the sample is not exposed to the network by default) |
 * | `DOCS_DB` | `sample-app/data/docs.sqlite` | SQLite file of the documents (relative paths are from the working directory) |
 * | `JOB_DURATION_MS` | `3000` | how long `doJob`'s background job runs |
 * | `ADMIN_TICKET` | `admin-secret` | ticket (password) of the sample's `admin` user; set your own outside a demo |
 * | `WAMP_BACKPLANE` | none | `redis://host:port` or `nats://host:port`: this process becomes one instance of a cluster (Redis or NATS engine); unset, it runs alone |
 * | `WAMP_BACKPLANE_LEASE` | `10000` | with a backplane: ms after which a silent instance is taken for lost (`backplaneLease`) |
 */
export class AppConfig {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly docsDbPath: string,
    readonly jobDurationMs: number,
    readonly adminTicket: string,
    /** Redis or NATS URL of the backplane, when the app runs as one instance of a cluster. */
    readonly backplaneUrl?: string,
    /** `backplaneLease` (ms): how long another instance may stay silent before it is taken for lost. */
    readonly backplaneLease = 10_000,
    /** RawSocket's own port (it is served on the HTTP port as well). */
    readonly rawSocketPort = 8081,
  ) {}

  /** Reads and validates the settings from `env` (the process environment by default). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    return new AppConfig(
      integerFrom(env, 'PORT', 8080, 0, 65_535),
      nonEmpty(env.HOST) ?? '127.0.0.1',
      resolvePath(nonEmpty(env.DOCS_DB)) ?? DEFAULT_DOCS_DB,
      integerFrom(env, 'JOB_DURATION_MS', 3000, 0, 24 * 3600 * 1000),
      nonEmpty(env.ADMIN_TICKET) ?? 'admin-secret',
      backplaneFrom(env),
      integerFrom(env, 'WAMP_BACKPLANE_LEASE', 10_000, 100, 3_600_000),
      integerFrom(env, 'RAWSOCKET_PORT', 8081, 0, 65_535),
    );
  }
}

/** `WAMP_BACKPLANE`, checked: a `redis://`, `rediss://`, `nats://` or `tls://` URL, or nothing. */
function backplaneFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = nonEmpty(env.WAMP_BACKPLANE);
  if (raw === undefined) return undefined;
  if (!/^(rediss?|nats|tls):\/\/[^\s]+$/.test(raw)) {
    throw new Error(
      `Environment variable WAMP_BACKPLANE="${raw}" must be a Redis URL such as redis://127.0.0.1:6379 ` +
        'or a NATS URL such as nats://127.0.0.1:4222.',
    );
  }
  return raw;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function resolvePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

function integerFrom(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`Environment variable ${name}="${raw}" must be an integer from ${min} to ${max}.`);
  }
  return value;
}

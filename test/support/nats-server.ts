import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

/** Debian's nats-server (`apt-get install -y nats-server`); the tests that need it are skipped without it. */
export const NATS_SERVER = '/usr/sbin/nats-server';

/** Why the NATS tests are skipped, or `undefined` when nats-server is there. */
export const natsSkipReason = existsSync(NATS_SERVER)
  ? undefined
  : `${NATS_SERVER} not installed (apt-get install -y nats-server)`;

/** A nats-server process of a test, with JetStream, on a loopback port of its own. */
export interface NatsProcess {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL: as a crash would) and waits for the process to end. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with an empty store (nothing kept from before). */
  restart(): Promise<void>;
}

function launch(port: number, store: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not start within 5 s:\n${output}`));
    }, 5000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** Starts a nats-server with JetStream on a free loopback port; the caller kills it when done. */
export async function startNats(): Promise<NatsProcess> {
  const port = await freePort();
  let store = await mkdtemp(join(tmpdir(), 'nestjs-wamp-nats-'));
  let child = await launch(port, store);
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const ended = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await ended;
    }
    await rm(store, { recursive: true, force: true });
  };
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      store = await mkdtemp(join(tmpdir(), 'nestjs-wamp-nats-'));
      child = await launch(port, store);
    },
  };
}

import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../sample-app/src/app.module.js';
import { AppConfig } from '../../sample-app/src/config/app-config.js';
import { joinAs } from '../support/meta-sessions.js';
import { SERVER_ENGINES, type BackplaneServer } from '../support/backplane-servers.js';
import { startModule, type RunningApp } from '../support/test-app.js';

/**
 * The sample app as a cluster (issue 17): two instances of `AppModule` with `WAMP_BACKPLANE` pointing at a real
 * redis-server or nats-server behave as one router: a document created through one instance is announced on `docs.changes` to a
 * subscriber connected to the other. And `WAMP_BACKPLANE` is checked at startup.
 */

describe('sample app: WAMP_BACKPLANE', () => {
  it('refuses what is not a Redis or NATS URL, naming the variable', () => {
    expect(() => AppConfig.fromEnv({ WAMP_BACKPLANE: 'kafka://127.0.0.1:9092' })).toThrow(
      'Environment variable WAMP_BACKPLANE="kafka://127.0.0.1:9092" must be a Redis URL such as redis://127.0.0.1:6379 or a NATS URL such as nats://127.0.0.1:4222.',
    );
    expect(AppConfig.fromEnv({ WAMP_BACKPLANE: 'nats://10.0.0.1:4222' }).backplaneUrl).toBe(
      'nats://10.0.0.1:4222',
    );
    expect(AppConfig.fromEnv({}).backplaneUrl).toBeUndefined();
    expect(AppConfig.fromEnv({ WAMP_BACKPLANE: 'redis://10.0.0.1:6380/2' }).backplaneUrl).toBe(
      'redis://10.0.0.1:6380/2',
    );
    expect(AppConfig.fromEnv({}).backplaneLease).toBe(10_000);
    expect(AppConfig.fromEnv({ WAMP_BACKPLANE_LEASE: '1500' }).backplaneLease).toBe(1500);
    expect(() => AppConfig.fromEnv({ WAMP_BACKPLANE_LEASE: '10s' })).toThrow(
      'Environment variable WAMP_BACKPLANE_LEASE="10s" must be an integer from 100 to 3600000.',
    );
  });

  for (const engine of SERVER_ENGINES)
    (engine.skip ? it.skip : it)(
      `${engine.skip ? `[skipped: ${engine.skip}] ` : ''}two instances on one ${engine.name}: a change made on A reaches a subscriber on B`,
      async () => {
        const saved = { DOCS_DB: process.env.DOCS_DB, WAMP_BACKPLANE: process.env.WAMP_BACKPLANE };
        const directory = await mkdtemp(join(tmpdir(), 'nestjs-wamp-cluster-'));
        let server: BackplaneServer | undefined;
        const apps: RunningApp[] = [];
        try {
          server = await engine.start();
          process.env.WAMP_BACKPLANE = server.url;
          for (const node of ['a', 'b']) {
            process.env.DOCS_DB = join(directory, `${node}.sqlite`);
            apps.push(await startModule(AppModule));
          }
          const subscriber = await joinAs(apps[1]);
          const writer = await joinAs(apps[0]);
          subscriber.client.send([32, 1, {}, 'docs.changes']);
          const [, , subscription] = (await subscriber.client.next()) as number[];
          writer.client.send([48, 1, {}, 'docs.createDocument', ['Clustered', 'made on A']]);
          const [, , , [document]] = (await writer.client.next()) as [
            number,
            number,
            object,
            [{ id: number }],
          ];
          expect(await subscriber.client.next()).toEqual([
            36,
            subscription,
            expect.any(Number),
            {},
            [{ action: 'created', document }],
          ]);
          subscriber.client.terminate();
          writer.client.terminate();
        } finally {
          for (const app of apps) await app.app.close();
          await server?.kill();
          for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
          }
          await rm(directory, { recursive: true, force: true });
        }
      },
    );
});

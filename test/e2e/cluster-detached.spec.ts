import 'reflect-metadata';
import { MemoryBackplane, MemoryBackplaneHub } from '../../lib/core/index.js';
import { joinAs } from '../support/meta-sessions.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { SERVER_ENGINES } from '../support/backplane-servers.js';
import { startApp } from '../support/test-app.js';

/**
 * An instance cut off from its backplane but not from its clients does not serve a diverged view forever
 * (issue 17): after `backplaneLease` its sessions get GOODBYE `wamp.close.system_shutdown` and new connections
 * HTTP 503, so clients move to instances that still see the cluster; when the backplane is back, it accepts
 * sessions again. A cut shorter than the lease changes nothing.
 */

const DETACHED = 'This instance lost its backplane: connect to another instance.';

async function refusedWith(url: string): Promise<number | undefined> {
  try {
    const client = await RawWampClient.connect(url);
    client.terminate();
    return undefined;
  } catch (error) {
    return (error as { statusCode?: number }).statusCode;
  }
}

describe('an instance cut off from its backplane', () => {
  it('in memory: a cut shorter than the lease changes nothing; a longer one closes the sessions and refuses new ones until it heals', async () => {
    const hub = new MemoryBackplaneHub();
    const backplane = new MemoryBackplane(hub, 'cut');
    // A lease well above the short cut, so that a loaded machine's late timers cannot turn one into the other.
    const running = await startApp({ wamp: { backplane, backplaneLease: 1000 } });
    try {
      const survivor = await joinAs(running);
      backplane.setConnected(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      backplane.setConnected(true);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      // Still served: a call answers.
      survivor.client.send([48, 1, {}, 'wamp.session.count']);
      expect(await survivor.client.next()).toEqual([50, 1, {}, [1]]);

      backplane.setConnected(false);
      expect(await survivor.client.next(2000)).toEqual([
        6,
        { message: DETACHED },
        'wamp.close.system_shutdown',
      ]);
      survivor.client.send([6, {}, 'wamp.close.goodbye_and_out']);
      expect(await refusedWith(running.url)).toBe(503);

      backplane.setConnected(true);
      const welcomed = await joinAs(running);
      welcomed.client.terminate();
    } finally {
      await running.app.close();
    }
  });

  for (const engine of SERVER_ENGINES) {
    const maybe = engine.skip ? it.skip : it;
    const skipped = engine.skip ? `[skipped: ${engine.skip}] ` : '';
    maybe(
      `${skipped}on ${engine.name}: the server killed for longer than the lease, then back`,
      async () => {
        const server = await engine.start();
        const running = await startApp({
          wamp: { backplane: engine.backplane(server.url), backplaneLease: 500 },
        });
        try {
          const session = await joinAs(running);
          await server.kill();
          expect(await session.client.next(5000)).toEqual([
            6,
            { message: DETACHED },
            'wamp.close.system_shutdown',
          ]);
          expect(await refusedWith(running.url)).toBe(503);
          await server.restart();
          const deadline = Date.now() + 10_000;
          while ((await refusedWith(running.url)) === 503 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const welcomed = await joinAs(running);
          welcomed.client.terminate();
        } finally {
          await running.app.close();
          await server.kill();
        }
      },
      30_000,
    );

    maybe(
      `${skipped}on ${engine.name}: an instance that never reaches its server refuses sessions after the lease, serves once the server is up, and closes at once while it is down`,
      async () => {
        const server = await engine.start();
        await server.kill();
        const backplane = engine.backplane(server.url);
        const running = await startApp({ wamp: { backplane, backplaneLease: 500 } });
        try {
          expect(backplane.connected).toBe(false);
          const deadline = Date.now() + 5000;
          while ((await refusedWith(running.url)) !== 503 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          expect(await refusedWith(running.url)).toBe(503);

          await server.restart();
          const healed = Date.now() + 10_000;
          while ((await refusedWith(running.url)) === 503 && Date.now() < healed) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const welcomed = await joinAs(running);
          welcomed.client.terminate();
          await server.kill();
        } finally {
          // Closing while the server is down: nothing may wait for a reconnection that never comes.
          const started = Date.now();
          await running.app.close();
          expect(Date.now() - started).toBeLessThan(2000);
          await server.kill();
        }
      },
      30_000,
    );
  }
});

import 'reflect-metadata';
import { joinAs, type JoinedSession } from '../support/meta-sessions.js';
import { SERVER_ENGINES, type BackplaneServer } from '../support/backplane-servers.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * The backplane's server restarted under steady publishing (issue 17), on each engine: two app instances on a real
 * redis-server or nats-server, a publisher on one sending a numbered, acknowledged PUBLISH every 2 ms, a
 * subscriber on the other. The server is killed (SIGKILL, nothing kept: Redis without persistence, NATS with its
 * store wiped) and started again 1 s later. Counted by sequence number: every acknowledged publication reaches the
 * subscriber exactly once and in order (what is sent while the server is away waits for it, and each instance's
 * reader resumes after its last message, or from the beginning of a stream made anew).
 *
 * Then the dealer's side: the server restarted empty, so the registration claims it held are gone. The owners
 * re-assert them on their next heartbeat (a third of the lease): `single` still holds across instances, and a call
 * from the other instance still reaches the callee, once.
 */

/** What each engine reports when its server goes away: proof that the outage really happened. */
const LOST: Record<string, RegExp> = {
  Redis: /ECONNREFUSED|reading failed/,
  NATS: /connection to NATS lost/,
};

const PUBLICATIONS = 1000;

for (const engine of SERVER_ENGINES) {
  if (engine.skip) {
    it.skip(`[skipped: ${engine.skip}] ${engine.name} restarted under publishing`, () => undefined);
    continue;
  }
  describe(`${engine.name} backplane: the server restarted under steady publishing`, () => {
    let server: BackplaneServer;
    const apps: RunningApp[] = [];
    const sessions: JoinedSession[] = [];
    /** What the backplanes reported: proof that the server really went away during the run. */
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      warn: (message: string) => warnings.push(message),
      error: () => undefined,
    };
    beforeAll(async () => {
      server = await engine.start();
      for (const node of ['node-a', 'node-b'])
        apps.push(
          await startApp({ wamp: { backplane: engine.backplane(server.url, { nodeId: node, logger }) } }),
        );
    });
    afterAll(async () => {
      for (const session of sessions) session.client.terminate();
      for (const app of apps) await app.app.close();
      await server.kill();
    });

    it('every acknowledged publication reaches the subscriber on the other instance once, in order', async () => {
      const subscriber = await joinAs(apps[0]);
      const publisher = await joinAs(apps[1]);
      sessions.push(subscriber, publisher);
      subscriber.client.send([32, 1, {}, 'com.restart.seq']);
      expect(((await subscriber.client.next()) as number[])[0]).toBe(33);

      const received: number[] = [];
      let receiving = true;
      const reading = (async () => {
        while (receiving || received.length < PUBLICATIONS) {
          const event = (await subscriber.client.next(15_000)) as [number, number, number, object, [number]];
          expect(event[0]).toBe(36);
          received.push(event[4][0]);
          if (received.length === PUBLICATIONS) return;
        }
      })();

      let acknowledged = 0;
      const acknowledging = (async () => {
        while (acknowledged < PUBLICATIONS) {
          const answer = (await publisher.client.next(15_000)) as number[];
          expect(answer[0]).toBe(17);
          acknowledged++;
        }
      })();

      const outage = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await server.kill();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await server.restart();
      })();
      for (let sequence = 0; sequence < PUBLICATIONS; sequence++) {
        publisher.client.send([16, sequence + 1, { acknowledge: true }, 'com.restart.seq', [sequence]]);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await outage;
      await acknowledging;
      receiving = false;
      await reading;
      expect(warnings.some((warning) => LOST[engine.name].test(warning))).toBe(true);
      expect(acknowledged).toBe(PUBLICATIONS);
      expect(received).toEqual(Array.from({ length: PUBLICATIONS }, (_, sequence) => sequence));
    }, 60_000);
  });
  describe(`${engine.name} backplane: the server restarted under registrations`, () => {
    const LEASE = 3000;
    let server: BackplaneServer;
    const apps: RunningApp[] = [];
    const sessions: JoinedSession[] = [];
    beforeAll(async () => {
      server = await engine.start();
      for (const node of ['node-a', 'node-b']) {
        const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
        apps.push(
          await startApp({
            wamp: {
              backplane: engine.backplane(server.url, { nodeId: node, logger }),
              backplaneLease: LEASE,
            },
          }),
        );
      }
    });
    afterAll(async () => {
      for (const session of sessions) session.client.terminate();
      for (const app of apps) await app.app.close();
      await server.kill();
    });

    it('the owner re-asserts its claim: "single" still holds, and calls still reach the callee once', async () => {
      const callee = await joinAs(apps[0]);
      const caller = await joinAs(apps[1]);
      const rival = await joinAs(apps[1]);
      sessions.push(callee, caller, rival);
      callee.client.send([64, 1, {}, 'com.restart.single']);
      expect(((await callee.client.next()) as number[]).slice(0, 2)).toEqual([65, 1]);

      await server.kill();
      await server.restart();
      // One heartbeat and a margin: the claim is back in the empty server.
      await new Promise((resolve) => setTimeout(resolve, LEASE / 3 + 1500));
      rival.client.send([64, 1, {}, 'com.restart.single']);
      expect(((await rival.client.next(5000)) as unknown[]).slice(0, 5)).toEqual([
        8,
        64,
        1,
        {},
        'wamp.error.procedure_already_exists',
      ]);
      caller.client.send([48, 1, {}, 'com.restart.single', ['once']]);
      const [type, request, , , args] = (await callee.client.next(5000)) as [
        number,
        number,
        number,
        object,
        unknown[],
      ];
      expect([type, args]).toEqual([68, ['once']]);
      callee.client.send([70, request, {}, ['done']]);
      expect(await caller.client.next(5000)).toEqual([50, 1, {}, ['done']]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(callee.client.pending).toHaveLength(0);
    }, 30_000);
  });
}

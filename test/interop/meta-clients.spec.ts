/**
 * The session meta API with real clients (issue 16): Autobahn|JS watches `wamp.session.on_join` / `on_leave`
 * while an Autobahn|Python session comes and goes, and each calls `wamp.session.*` procedures about the other.
 */
import { closeQuietly, within, type AutobahnCall } from '../support/client-steps.js';
import { openAutobahnSession, pythonAutobahnAvailable, runPythonClient } from '../support/real-clients.js';
import { startApp, type RunningApp } from '../support/test-app.js';

const REALM = 'realm1';
const STEP_MS = 5000;

describe('session meta API with real clients', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({});
  });
  afterAll(async () => {
    await running?.app.close();
  });

  const skip = pythonAutobahnAvailable('json') ? null : 'Autobahn|Python with json not importable';
  (skip ? it.skip : it)(
    `${skip ? `[skipped: ${skip}] ` : ''}Autobahn|JS sees an Autobahn|Python session join and leave, and each looks the other up`,
    async () => {
      const watcher = await openAutobahnSession(running.url, REALM, 'msgpack');
      try {
        const joins: unknown[][] = [];
        const leaves: unknown[][] = [];
        await watcher.client.subscribe('wamp.session.on_join', (args) => void joins.push(args));
        await watcher.client.subscribe('wamp.session.on_leave', (args) => void leaves.push(args));
        const python = await runPythonClient(running.url, REALM, 'json', {
          actions: {
            call: [
              { procedure: 'wamp.session.get', args: [watcher.sessionId], tag: 'get' },
              { procedure: 'wamp.session.count', tag: 'count' },
            ],
          },
        });
        expect(python.error).toBeUndefined();
        expect(python.calls).toEqual([
          expect.objectContaining({
            tag: 'get',
            outcome: 'result',
            value: expect.objectContaining({ session: watcher.sessionId, authrole: 'anonymous' }),
          }),
          expect.objectContaining({ tag: 'count', outcome: 'result', value: 2 }),
        ]);
        const deadline = Date.now() + STEP_MS;
        while (leaves.length === 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        expect(joins).toEqual([
          [
            expect.objectContaining({
              session: python.joined,
              authmethod: 'anonymous',
              authrole: 'anonymous',
            }),
          ],
        ]);
        expect(leaves).toEqual([[python.joined, `anonymous-${python.joined}`, 'anonymous']]);
        await expect(
          within(watcher.client.call('wamp.session.count') as AutobahnCall, STEP_MS, 'count'),
        ).resolves.toBe(1);
      } finally {
        await closeQuietly(watcher);
      }
    },
    20000,
  );
});

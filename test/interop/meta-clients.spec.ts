/**
 * The meta API with real clients (issue 16): Autobahn|JS watches `wamp.session.on_join` / `on_leave` while an
 * Autobahn|Python session comes and goes, and each calls `wamp.session.*` procedures about the other; then
 * Autobahn|JS watches the registration meta events and a testament while Autobahn|Python registers a procedure,
 * looks it up through `wamp.registration.*`, leaves a testament and loses its connection.
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

  (skip ? it.skip : it)(
    `${skip ? `[skipped: ${skip}] ` : ''}Autobahn|JS watches an Autobahn|Python callee's registration and testament through the meta API`,
    async () => {
      const watcher = await openAutobahnSession(running.url, REALM, 'cbor');
      try {
        const registrationEvents: [string, unknown[]][] = [];
        for (const event of ['on_create', 'on_register', 'on_unregister', 'on_delete']) {
          await watcher.client.subscribe(
            `wamp.registration.${event}`,
            (args) => void registrationEvents.push([event, args]),
          );
        }
        const testaments: unknown[][] = [];
        await watcher.client.subscribe('com.interop.gone', (args) => void testaments.push(args));
        const python = await runPythonClient(running.url, REALM, 'msgpack', {
          actions: {
            register: [{ procedure: 'com.interop.meta.echo', behavior: 'echo' }],
            call: [
              { procedure: 'wamp.registration.lookup', args: ['com.interop.meta.echo'], tag: 'lookup' },
              {
                procedure: 'wamp.registration.list_callees',
                args: [{ __result__: 'lookup' }],
                tag: 'callees',
              },
              {
                procedure: 'wamp.session.add_testament',
                args: ['com.interop.gone', ['python left'], { who: 'python' }],
                tag: 'testament',
              },
              // Then the connection is lost (no GOODBYE): the testament goes out anyway.
              { procedure: 'wamp.session.count', tag: 'count', disconnect_after_ms: 0 },
            ],
          },
        });
        const [registered] = python.events.filter((line) => 'registered' in line) as {
          registration: number;
        }[];
        expect(python.calls.slice(0, 3)).toEqual([
          expect.objectContaining({ tag: 'lookup', outcome: 'result', value: registered.registration }),
          expect.objectContaining({ tag: 'callees', outcome: 'result', value: [python.joined] }),
          expect.objectContaining({ tag: 'testament', outcome: 'result' }),
        ]);
        const deadline = Date.now() + STEP_MS;
        while ((registrationEvents.length < 4 || testaments.length === 0) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        expect(registrationEvents).toEqual([
          [
            'on_create',
            [
              python.joined,
              expect.objectContaining({
                id: registered.registration,
                uri: 'com.interop.meta.echo',
                match: 'exact',
                invoke: 'single',
              }),
            ],
          ],
          ['on_register', [python.joined, registered.registration]],
          ['on_unregister', [python.joined, registered.registration]],
          ['on_delete', [python.joined, registered.registration]],
        ]);
        expect(testaments).toEqual([['python left']]);
        await expect(
          within(
            watcher.client.call('wamp.registration.lookup', ['com.interop.meta.echo']) as AutobahnCall,
            STEP_MS,
            'lookup after leave',
          ),
        ).resolves.toBeNull();
      } finally {
        await closeQuietly(watcher);
      }
    },
    20000,
  );
});

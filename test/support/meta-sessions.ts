import type { WampAuthenticator } from '../../lib/core/index.js';
import { RawWampClient } from './raw-wamp-client.js';
import { startApp, type RunningApp, type TestAppSetup } from './test-app.js';

/** Test-only: authid and authrole are whatever the client sends as authid (never do this outside a test). */
export const roleFromAuthid: WampAuthenticator = (request) =>
  Promise.resolve({
    authid: String(request.details.authid ?? 'nobody'),
    authrole: String(request.details.authid ?? 'nobody'),
    authmethod: 'test',
    authprovider: 'test',
  });

/** A joined raw session, its session ID and WELCOME.Details. */
export interface JoinedSession {
  readonly client: RawWampClient;
  readonly id: number;
  readonly details: { readonly roles: Record<string, { readonly features: object }> };
}

/** Joins `realm1` with every client role, as `authid` when given (see {@link roleFromAuthid}). */
export async function joinAs(running: RunningApp, authid?: string): Promise<JoinedSession> {
  const client = await RawWampClient.connect(running.url);
  client.send([
    1,
    'realm1',
    { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} }, ...(authid ? { authid } : {}) },
  ]);
  const welcome = (await client.next()) as [number, number, JoinedSession['details']];
  if (welcome[0] !== 2) throw new Error(`Expected WELCOME, got ${JSON.stringify(welcome)}`);
  return { client, id: welcome[1], details: welcome[2] };
}

/**
 * Starts an app for a `describe` block (closed after it) and gives its tests `joined(authid?)`: a session whose
 * socket is terminated after each test.
 */
export function appForMetaTests(setup: TestAppSetup = {}): {
  readonly app: () => RunningApp;
  readonly joined: (authid?: string) => Promise<JoinedSession>;
} {
  let running: RunningApp | undefined;
  const clients: RawWampClient[] = [];
  beforeAll(async () => {
    running = await startApp(setup);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
  });
  afterAll(async () => {
    await running?.app.close();
  });
  const app = (): RunningApp => {
    if (!running) throw new Error('The app is not started yet (use it inside a test).');
    return running;
  };
  return {
    app,
    joined: async (authid) => {
      const session = await joinAs(app(), authid);
      clients.push(session.client);
      return session;
    },
  };
}

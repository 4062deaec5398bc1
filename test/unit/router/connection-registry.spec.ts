import {
  ConnectionRegistry,
  WampRouter,
  type RegisteredConnection,
  type WampSession,
} from '../../../lib/core/index.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { routerOptions } from '../../support/router-options.js';

/**
 * The transport-neutral half of an endpoint: limit, keepalive sweep and graceful close, driven here with a
 * fake transport so that a RawSocket endpoint can rely on the same behaviour the WebSocket one is tested for.
 */
class FakeTransportConnection extends FakeConnection implements RegisteredConnection {
  lastSeen = Date.now();
  pingSentAt = 0;
  open = true;
  pings = 0;
  terminated = 0;
  session?: WampSession;

  constructor(private readonly registry: ConnectionRegistry<FakeTransportConnection>) {
    super();
  }

  get canPing(): boolean {
    return this.open;
  }

  ping(): void {
    this.pings++;
  }

  terminate(): void {
    this.terminated++;
    this.open = false;
  }

  transportClosed(): void {
    const session = this.session;
    this.session = undefined;
    this.registry.remove(this);
    session?.transportClosed();
  }
}

const OPTIONS = { maxConnections: 2, pingInterval: 1000, pingTimeout: 500, shutdownTimeout: 200 };

function setUp(options = OPTIONS) {
  const router = new WampRouter(routerOptions());
  const registry = new ConnectionRegistry<FakeTransportConnection>(router, options);
  const connect = async (join = true): Promise<FakeTransportConnection> => {
    const connection = new FakeTransportConnection(registry);
    registry.add(connection);
    connection.session = router.openSession(connection);
    if (join) {
      connection.session.handleFrame(Buffer.from(JSON.stringify([1, 'realm1', { roles: { caller: {} } }])));
      await new Promise((resolve) => setImmediate(resolve));
      expect(connection.take()[0]?.[0]).toBe(2);
    }
    return connection;
  };
  return { router, registry, connect };
}

describe('ConnectionRegistry', () => {
  it('counts handshakes in progress against the limit, and a released slot is given back once', async () => {
    const { registry, connect } = setUp();
    const first = registry.admit();
    const second = registry.admit();
    expect([first.accepted, second.accepted]).toEqual([true, true]);
    expect(registry.admit()).toEqual({ accepted: false, reason: 'full' });
    if (!first.accepted) throw new Error('unreachable');
    first.release();
    first.release();
    const third = registry.admit();
    expect(third.accepted).toBe(true);
    // Two slots held by handshakes: an open connection fills the limit on its own too.
    if (third.accepted) third.release();
    if (second.accepted) second.release();
    await connect();
    await connect();
    expect(registry.size).toBe(2);
    expect(registry.admit()).toEqual({ accepted: false, reason: 'full' });
  });

  it('refuses new connections as soon as the router starts shutting down', async () => {
    const { router, registry } = setUp();
    const shutdown = router.shutdown(undefined, 50);
    expect(registry.admit()).toEqual({ accepted: false, reason: 'shutting_down' });
    await shutdown;
  });

  it('pings a connection silent for pingInterval once, and cuts it when the pong is overdue', async () => {
    const { registry, connect } = setUp();
    const silent = await connect();
    const talking = await connect();
    const start = Date.now();
    silent.lastSeen = start - 1000;
    talking.lastSeen = start - 10;
    registry.sweep(start);
    expect([silent.pings, talking.pings]).toEqual([1, 0]);
    expect(silent.pingSentAt).toBe(start);
    registry.sweep(start + 100);
    expect(silent.pings).toBe(1);
    expect(silent.terminated).toBe(0);
    registry.sweep(start + 500);
    expect(silent.terminated).toBe(1);
    expect(talking.terminated).toBe(0);
  });

  it('does not ping a connection whose transport cannot carry one', async () => {
    const { registry, connect } = setUp();
    const closing = await connect();
    closing.open = false;
    closing.lastSeen = 0;
    registry.sweep(Date.now());
    expect(closing.pings).toBe(0);
  });

  it('closes gracefully: GOODBYE to every session, then the silent ones are cut and disposed of', async () => {
    const { router, registry, connect } = setUp();
    const polite = await connect();
    const silent = await connect();
    const started = Date.now();
    const closing = registry.close();
    await new Promise((resolve) => setImmediate(resolve));
    const [goodbye] = polite.take();
    expect(goodbye).toEqual([6, { message: 'The router is shutting down.' }, 'wamp.close.system_shutdown']);
    expect(silent.take()[0]).toEqual(goodbye);
    polite.session?.handleFrame(Buffer.from(JSON.stringify([6, {}, 'wamp.close.goodbye_and_out'])));
    await closing;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(silent.terminated).toBe(1);
    expect(registry.size).toBe(0);
    expect(router.sessionCount).toBe(0);
  });
});

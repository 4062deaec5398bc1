import { WampRouter, type WampCall } from '../../../lib/core/index.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { routerOptions } from '../../support/router-options.js';

/** A router whose procedure `test.hold` keeps every call it gets (unanswered) in `calls`. */
function setUp() {
  const router = new WampRouter(routerOptions({ maxCallsPerSession: 8 }));
  const calls: WampCall[] = [];
  router.realms.get('realm1')!.dealer.registerProcedure('test.hold', (call) => calls.push(call));
  const connection = new FakeConnection();
  const session = router.openSession(connection);
  const send = (message: unknown[]): void => session.handleFrame(Buffer.from(JSON.stringify(message)));
  send([1, 'realm1', { roles: { caller: {} } }]);
  return { router, calls, connection, session, send };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PendingCall interrupt listeners (the transport hot path, without an AbortController)', () => {
  it.each(['kill', 'killnowait'])('fires once on CANCEL %s, together with the signal', async (mode) => {
    const { calls, connection, send } = setUp();
    await flush();
    send([48, 1, {}, 'test.hold']);
    const call = calls[0]!;
    let fired = 0;
    call.onInterrupt(() => fired++);
    expect(call.interrupted).toBe(false);
    send([49, 1, { mode }]);
    send([49, 1, { mode }]);
    expect(fired).toBe(1);
    expect(call.interrupted).toBe(true);
    expect(call.signal.aborted).toBe(true);
    expect(connection.take().at(-1)).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.canceled',
      [`The call was canceled (mode ${mode}).`],
    ]);
  });

  it('runs a listener added after the interrupt at once', async () => {
    const { calls, session, send } = setUp();
    await flush();
    send([48, 1, {}, 'test.hold']);
    session.transportClosed();
    let fired = 0;
    calls[0]!.onInterrupt(() => fired++);
    expect(fired).toBe(1);
  });

  it('fires on a dealer timeout, and never for a call that is answered or skipped', async () => {
    const { calls, connection, send } = setUp();
    await flush();
    send([48, 1, { timeout: 20 }, 'test.hold']);
    send([48, 2, {}, 'test.hold']);
    send([48, 3, {}, 'test.hold']);
    const fired: number[] = [];
    for (const call of calls) call.onInterrupt(() => fired.push(call.request));
    calls[1]!.result([2]);
    send([49, 3, { mode: 'skip' }]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toEqual([1]);
    expect(calls[2]!.interrupted).toBe(false);
    expect(connection.take().slice(1)).toEqual([
      [50, 2, {}, [2]],
      [8, 48, 3, {}, 'wamp.error.canceled', ['The call was canceled (mode skip).']],
      [8, 48, 1, {}, 'wamp.error.timeout', ['The call did not complete within 20 ms.']],
    ]);
  });
});

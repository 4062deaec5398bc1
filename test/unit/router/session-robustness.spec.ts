import {
  JsonSerializer,
  LocalBroker,
  LocalDealer,
  WampRouter,
  type WampRouterOptions,
} from '../../../lib/core/index.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { recordingLogger, routerOptions } from '../../support/router-options.js';

/**
 * What a client's input, or a value the application cannot send to that client, may not do: cost the router
 * the decoding of a frame it refuses, leave a caller without an answer, abort a subscriber for the server's
 * data, or end as an unhandled rejection.
 */

const ROLES = { caller: {}, subscriber: {}, publisher: {} };

/** A value no serializer can carry: it is infinitely deep. */
const cyclic: unknown[] = [];
cyclic.push(cyclic);

function frame(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message));
}

async function flush(): Promise<void> {
  for (let round = 0; round < 3; round++) await new Promise((resolve) => setImmediate(resolve));
}

/** A JSON serializer that counts how many frames it decoded. */
class CountingJsonSerializer extends JsonSerializer {
  decoded = 0;
  override decode(data: Buffer): unknown[] {
    this.decoded++;
    return super.decode(data);
  }
}

async function joined(overrides: Partial<WampRouterOptions> = {}) {
  const logger = recordingLogger();
  const router = new WampRouter(routerOptions({ logger, ...overrides }));
  const serializer = new CountingJsonSerializer();
  const connection = new FakeConnection(serializer);
  const session = router.openSession(connection);
  session.handleFrame(frame([1, 'realm1', { roles: ROLES }]));
  await flush();
  expect(connection.take()[0][0]).toBe(2);
  serializer.decoded = 0;
  return { router, connection, session, serializer, logger };
}

const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => process.on('unhandledRejection', recordUnhandled));
afterAll(() => process.off('unhandledRejection', recordUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

describe('an oversized frame is refused without being decoded', () => {
  it('a request over maxPayload gets payload_size_exceeded from its first bytes', async () => {
    const { connection, session, serializer } = await joined({ maxPayload: 1024 });
    session.handleFrame(frame([48, 5, {}, 'a.b', ['x'.repeat(2000)]]));
    expect(connection.take()).toEqual([
      [
        8,
        48,
        5,
        {},
        'wamp.error.payload_size_exceeded',
        [expect.stringMatching(/exceeds the limit of 1024/)],
      ],
    ]);
    expect(serializer.decoded).toBe(0);
    expect(session.state).toBe('established');
  });

  it('an oversized frame that does not start like a request, or comes before WELCOME, is a protocol violation', async () => {
    const { connection, session, serializer } = await joined({ maxPayload: 1024 });
    session.handleFrame(frame({ not: 'a message', padding: 'x'.repeat(2000) }));
    expect(connection.take()).toEqual([
      [
        3,
        { message: expect.stringMatching(/exceeds the limit of 1024 bytes/) },
        'wamp.error.protocol_violation',
      ],
    ]);
    expect(serializer.decoded).toBe(0);

    const router = new WampRouter(routerOptions({ maxPayload: 1024 }));
    const counting = new CountingJsonSerializer();
    const early = new FakeConnection(counting);
    router.openSession(early).handleFrame(frame([1, 'realm1', { roles: ROLES, padding: 'x'.repeat(2000) }]));
    expect(early.take()[0][2]).toBe('wamp.error.protocol_violation');
    expect(counting.decoded).toBe(0);
  });
});

describe('values the peer cannot be sent', () => {
  it('a RESULT its serializer cannot carry becomes ERROR runtime_error (the caller is never left waiting)', async () => {
    const { router, connection, session, logger } = await joined();
    const dealer = router.realms.get('realm1')?.dealer as LocalDealer;
    dealer.registerProcedure('big.result', (call) => call.result([cyclic]));
    dealer.registerProcedure('big.progress', (call) => {
      call.progress([cyclic]);
      call.result(['never sent']);
    });
    session.handleFrame(frame([48, 1, {}, 'big.result']));
    session.handleFrame(frame([48, 2, { receive_progress: true }, 'big.progress']));
    expect(connection.take()).toEqual([
      [
        8,
        48,
        1,
        {},
        'wamp.error.runtime_error',
        ["The procedure's answer cannot be encoded as wamp.2.json."],
      ],
      [
        8,
        48,
        2,
        {},
        'wamp.error.runtime_error',
        ["The procedure's answer cannot be encoded as wamp.2.json."],
      ],
    ]);
    expect(dealer.callsInFlight).toBe(0);
    expect(logger.errors.filter((message) => message.includes('cannot send RESULT (50)'))).toHaveLength(2);
    expect(session.state).toBe('established');
  });

  it('a retained or server-sent EVENT a subscriber cannot be sent is skipped for it, not a reason to abort it', async () => {
    const { router, connection, session, logger } = await joined();
    const broker = router.realms.get('realm1')?.broker as LocalBroker;
    broker.publishFromServer('kept', [cyclic], undefined, { retain: true });
    session.handleFrame(frame([32, 1, { get_retained: true }, 'kept']));
    const [subscribed] = connection.take();
    expect(subscribed[0]).toBe(33);
    expect(broker.sendToSession(session, 'kept', [cyclic])).toBe(0);
    expect(() => broker.publishFromServer('kept', [cyclic])).not.toThrow();
    expect(connection.take()).toEqual([]);
    expect(session.state).toBe('established');
    expect(logger.errors.filter((message) => message.startsWith('Cannot encode an EVENT'))).toHaveLength(3);
  });

  it('a WELCOME the client cannot be sent (authextra from the app) ends that session, not the process', async () => {
    const logger = recordingLogger();
    const router = new WampRouter(
      routerOptions({
        logger,
        realms: [
          {
            name: 'realm1',
            authenticator: async () => ({
              authid: 'a',
              authrole: 'r',
              authmethod: 'x',
              authprovider: 'p',
              authextra: { deep: cyclic },
            }),
          },
        ],
      }),
    );
    const connection = new FakeConnection();
    const session = router.openSession(connection);
    session.handleFrame(frame([1, 'realm1', { roles: ROLES }]));
    await flush();
    expect(connection.take()).toEqual([
      [3, { message: 'Internal router error.' }, 'wamp.error.runtime_error'],
    ]);
    expect(session.state).toBe('closed');
    expect(router.sessionCount).toBe(0);
    expect(logger.errors.some((message) => message.includes('internal error while joining'))).toBe(true);
  });
});

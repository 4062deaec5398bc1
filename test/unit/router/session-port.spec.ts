import {
  JsonSerializer,
  LocalBroker,
  LocalDealer,
  WampMessageType,
  WampRouter,
  type OutgoingEvent,
  type WampMessage,
  type WampPeer,
} from '../../../lib/core/index.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { recordingLogger, routerOptions } from '../../support/router-options.js';

/**
 * The session port (`WampPeer`): the broker and the dealer serve any implementation of it, not only the
 * in-process `WampSession` — here a peer with no socket and no serializer, as an in-process meta-API peer or
 * a session on another instance would be — and `WampSession` keeps the port's promises (never throws, says
 * when a message could not be encoded, sends nothing once closed).
 */

/** A peer that keeps what it is sent as typed messages: it has no bytes to write. */
class InProcessPeer implements WampPeer {
  readonly sent: WampMessage[] = [];
  readonly events: OutgoingEvent[] = [];
  readonly realm = 'realm1';
  readonly transport = { type: 'rawsocket', protocol: 'in-process', secure: false } as const;
  isOpen = true;
  readonly features: ReadonlySet<string> = new Set();
  private readonly controller = new AbortController();

  constructor(
    readonly id: number,
    readonly identity = {
      authid: `peer${id}`,
      authrole: 'service',
      authmethod: 'anonymous',
      authprovider: 'static',
    },
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  send(message: WampMessage): boolean {
    if (this.isOpen) this.sent.push(message);
    return true;
  }

  deliverEvent(event: OutgoingEvent): boolean {
    if (!this.isOpen) return false;
    this.events.push(event);
    return true;
  }

  sendEvent(): number {
    return 0;
  }

  protocolViolation(): void {
    this.abort('wamp.error.protocol_violation', '');
  }

  async close(): Promise<void> {
    this.abort('wamp.close.normal', '');
  }

  abort(_reason?: string, _message?: string): void {
    this.isOpen = false;
    this.controller.abort();
  }
}

function ids(): () => number {
  let next = 0;
  return () => ++next;
}

describe('the session port (WampPeer)', () => {
  it('the broker subscribes, excludes, delivers to and detaches peers that are not WampSessions', () => {
    const broker = new LocalBroker(ids(), { ...routerOptions(), logger: recordingLogger() });
    const subscriber = new InProcessPeer(1);
    const publisher = new InProcessPeer(2);
    for (const peer of [subscriber, publisher]) {
      broker.subscribe(peer, {
        type: WampMessageType.SUBSCRIBE,
        request: 1,
        options: {},
        topic: 'com.example',
      });
      expect(peer.sent).toEqual([
        { type: WampMessageType.SUBSCRIBED, request: 1, subscription: expect.any(Number) },
      ]);
    }
    broker.publish(publisher, {
      type: WampMessageType.PUBLISH,
      request: 2,
      options: { acknowledge: true, disclose_me: true },
      topic: 'com.example',
      args: [1],
    });
    // The publisher is excluded by its ID (exclude_me defaults to true); the subscriber gets the typed EVENT.
    expect(publisher.events).toEqual([]);
    expect(subscriber.events.map((event) => event.message)).toEqual([
      {
        type: WampMessageType.EVENT,
        subscription:
          subscriber.sent[0].type === WampMessageType.SUBSCRIBED ? subscriber.sent[0].subscription : -1,
        publication: expect.any(Number),
        details: { publisher: 2, publisher_authid: 'peer2', publisher_authrole: 'service' },
        args: [1],
      },
    ]);
    expect(publisher.sent.at(-1)).toMatchObject({ type: WampMessageType.PUBLISHED, request: 2 });
    // The same event can still be encoded by a peer that has bytes to write.
    expect(JSON.parse(String(subscriber.events[0].frameFor(new JsonSerializer()))) as unknown).toEqual([
      36,
      expect.any(Number),
      expect.any(Number),
      { publisher: 2, publisher_authid: 'peer2', publisher_authrole: 'service' },
      [1],
    ]);
    broker.detach(subscriber);
    broker.publishFromServer('com.example', [2]);
    expect(subscriber.events).toHaveLength(1);
    expect(publisher.events.map((event) => event.message.args)).toEqual([[2]]);
  });

  it('the dealer calls a procedure for a peer that is not a WampSession and answers it typed', () => {
    const dealer = new LocalDealer(ids(), {
      maxCallsPerSession: 4,
      defaultCallTimeout: 0,
      maxRegistrationsPerSession: 4,
      maxInvocationsPerCallee: 4,
      interruptTimeout: 1000,
      logger: recordingLogger(),
    });
    dealer.registerProcedure('com.example.add', (call) => {
      expect(call.caller.identity?.authid).toBe('peer7');
      call.result([(call.args[0] as number) + (call.args[1] as number)]);
    });
    const caller = new InProcessPeer(7);
    dealer.call(caller, {
      type: WampMessageType.CALL,
      request: 9,
      options: {},
      procedure: 'com.example.add',
      args: [2, 3],
    });
    expect(caller.sent).toEqual([{ type: WampMessageType.RESULT, request: 9, details: {}, args: [5] }]);
    dealer.call(caller, {
      type: WampMessageType.CALL,
      request: 10,
      options: {},
      procedure: 'com.example.none',
    });
    expect(caller.sent[1]).toMatchObject({
      type: WampMessageType.ERROR,
      requestType: WampMessageType.CALL,
      request: 10,
      error: 'wamp.error.no_such_procedure',
    });
  });

  describe('WampSession keeps the port promises', () => {
    async function joined() {
      const logger = recordingLogger();
      const router = new WampRouter(routerOptions({ logger }));
      const connection = new FakeConnection();
      const session = router.openSession(connection);
      session.handleFrame(Buffer.from(JSON.stringify([1, 'realm1', { roles: { subscriber: {} } }])));
      await new Promise((resolve) => setImmediate(resolve));
      connection.take();
      return { logger, connection, session };
    }

    it('send returns false and logs when the message cannot be encoded, and never throws', async () => {
      const { logger, connection, session } = await joined();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(session.send({ type: WampMessageType.RESULT, request: 1, details: {}, args: [cyclic] })).toBe(
        false,
      );
      expect(connection.sent).toEqual([]);
      expect(logger.errors).toEqual([expect.stringContaining('cannot send RESULT (50) as wamp.2.json')]);
      expect(session.send({ type: WampMessageType.RESULT, request: 2, details: {}, args: [1] })).toBe(true);
      expect(connection.take()).toEqual([[50, 2, {}, [1]]]);
    });

    it('sends nothing and delivers nothing once closed, and its signal fires', async () => {
      const { connection, session } = await joined();
      expect(session.isOpen).toBe(true);
      session.abort('wamp.error.canceled', 'bye');
      expect(session.signal.aborted).toBe(true);
      expect(session.isOpen).toBe(false);
      connection.take();
      session.send({ type: WampMessageType.RESULT, request: 3, details: {}, args: [] });
      const event = {
        message: { type: WampMessageType.EVENT, subscription: 1, publication: 1, details: {} },
      } as unknown as OutgoingEvent;
      expect(session.deliverEvent(event)).toBe(false);
      expect(connection.sent).toEqual([]);
    });
  });
});

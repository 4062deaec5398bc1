import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import WebSocket from 'ws';
import { LocalBroker, WampRouter, type WampAuthenticator } from '../../lib/core/index.js';
import { WampArg, WampGateway, type WebSocketConnection } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

type Message = unknown[];
type Dict = Record<string, unknown>;

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const MAX_ID = Number.MAX_SAFE_INTEGER;
const BARRIER_PROCEDURE = 'test.barrier';

function expectId(value: unknown): number {
  expect(Number.isInteger(value)).toBe(true);
  expect(value).toBeGreaterThanOrEqual(1);
  expect(value).toBeLessThanOrEqual(MAX_ID);
  return value as number;
}

/** One joined session driven frame by frame, with its own request counter. */
class Peer {
  private request = 0;

  constructor(
    readonly client: RawWampClient,
    readonly session: number,
    readonly authid: string,
    readonly authrole: string,
  ) {}

  nextRequest(): number {
    return ++this.request;
  }

  send(message: Message): void {
    this.client.send(message);
  }

  async next(timeout?: number): Promise<Message> {
    return (await this.client.next(timeout)) as Message;
  }

  /** SUBSCRIBE; expects exactly `[33, request, subscription]` and returns the subscription ID. */
  async subscribe(topic: string, options: Dict = {}): Promise<number> {
    const request = this.nextRequest();
    this.send([32, request, options, topic]);
    const answer = await this.next();
    expect(answer).toEqual([33, request, expect.any(Number)]);
    return expectId(answer[2]);
  }

  /** UNSUBSCRIBE; expects exactly `[35, request]`. */
  async unsubscribe(subscription: number): Promise<void> {
    const request = this.nextRequest();
    this.send([34, request, subscription]);
    expect(await this.next()).toEqual([35, request]);
  }

  /** PUBLISH with `acknowledge: true`; expects exactly `[17, request, publication]`, returns the publication ID. */
  async publish(topic: string, args?: unknown[], kwargs?: Dict, options: Dict = {}): Promise<number> {
    const request = this.nextRequest();
    this.send(publishMessage(request, { ...options, acknowledge: true }, topic, args, kwargs));
    const answer = await this.next();
    expect(answer).toEqual([17, request, expect.any(Number)]);
    return expectId(answer[2]);
  }

  /** PUBLISH without acknowledgement. */
  publishQuietly(topic: string, args?: unknown[], kwargs?: Dict, options: Dict = {}): void {
    this.send(publishMessage(this.nextRequest(), options, topic, args, kwargs));
  }

  /**
   * A round trip through the router: CALLs a procedure nobody registered and returns every message that
   * arrived before the ERROR answering it. Whatever the router queued for this session before it
   * handled the CALL comes first, so `[]` proves nothing else was sent (no sleeps needed).
   */
  async barrier(timeout = 2000): Promise<Message[]> {
    const request = this.nextRequest();
    this.send([48, request, {}, BARRIER_PROCEDURE]);
    const before: Message[] = [];
    for (;;) {
      const message = await this.next(timeout);
      if (message[0] === 8 && message[1] === 48 && message[2] === request) {
        expect(message.slice(0, 5)).toEqual([8, 48, request, {}, 'wamp.error.no_such_procedure']);
        return before;
      }
      before.push(message);
    }
  }
}

function publishMessage(
  request: number,
  options: Dict,
  topic: string,
  args?: unknown[],
  kwargs?: Dict,
): Message {
  const message: Message = [16, request, options, topic];
  if (args !== undefined || kwargs !== undefined) message.push(args ?? []);
  if (kwargs !== undefined) message.push(kwargs);
  return message;
}

/** Every client a test opened, terminated after the test. */
const opened: RawWampClient[] = [];

async function join(url: string, realm = 'realm1', protocol = 'wamp.2.json'): Promise<Peer> {
  const { client, welcome } = await RawWampClient.join(url, realm, protocol);
  opened.push(client);
  const details = welcome[2] as { authid: string; authrole: string };
  return new Peer(client, welcome[1] as number, details.authid, details.authrole);
}

/** Joins the `roles` realm, whose test authenticator grants the authid and role asked for in HELLO. */
async function joinAs(url: string, authid: string, role: string): Promise<Peer> {
  const client = await RawWampClient.connect(url);
  opened.push(client);
  client.send([1, 'roles', { roles: ROLES, authid, authextra: { role } }]);
  const welcome = (await client.next()) as Message;
  expect(welcome).toEqual([2, expect.any(Number), expect.objectContaining({ authid, authrole: role })]);
  return new Peer(client, welcome[1] as number, authid, role);
}

/** Grants exactly the authid and `authextra.role` of HELLO (test only: never trust a client like this). */
const roleAuthenticator: WampAuthenticator = (request) =>
  Promise.resolve({
    authid: request.details.authid ?? `anonymous-${request.sessionId}`,
    authrole:
      typeof request.details.authextra?.role === 'string' ? request.details.authextra.role : 'anonymous',
    authmethod: 'anonymous',
    authprovider: 'test',
  });

function brokerOf(running: RunningApp, realm = 'realm1'): LocalBroker {
  return running.app.get(WampRouter).realms.get(realm)!.broker as LocalBroker;
}

async function waitFor(condition: () => boolean, what: string, timeout = 3000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Terminates the test's clients and checks the brokers let go of every subscription. */
async function closeAll(running: RunningApp, realms: string[] = ['realm1']): Promise<void> {
  for (const client of opened.splice(0)) client.terminate();
  for (const realm of realms) {
    const broker = brokerOf(running, realm);
    await waitFor(() => broker.subscriptionCount === 0, `subscriptions of ${realm} to be released`);
  }
}

/** The router's side of a client's connection (matched by the client's local port). */
function serverConnection(running: RunningApp, client: RawWampClient): WebSocketConnection {
  const endpoint = running.app.get(WampGateway).endpoint;
  const port = (client.socket as unknown as { _socket: { localPort: number } })._socket.localPort;
  const found = endpoint.openConnections.find((connection) => connection.transport.remotePort === port);
  if (!found) throw new Error(`No server connection for local port ${port}`);
  return found;
}

@Controller()
class EchoController {
  @MessagePattern('test.echo')
  echo(@WampArg(0) value: string): string {
    return value;
  }
}

describe('broker (express)', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: { realms: ['realm1', { name: 'roles', authenticator: roleAuthenticator }] },
    });
  });
  afterEach(async () => {
    await closeAll(running, ['realm1', 'roles']);
  });
  afterAll(async () => {
    await running.app.close();
  });

  describe('subscribe', () => {
    it('SUBSCRIBE -> [33, request, subscription]', async () => {
      const peer = await join(running.url);
      peer.send([32, 1, {}, 'com.example.topic']);
      const answer = await peer.next();
      expect(answer).toEqual([33, 1, expect.any(Number)]);
      expectId(answer[2]);
      expect(brokerOf(running).subscriptionCount).toBe(1);
    });

    it('the same topic and policy from another session gets the same subscription ID', async () => {
      const first = await join(running.url);
      const second = await join(running.url);
      const id = await first.subscribe('com.example.shared');
      expect(await second.subscribe('com.example.shared')).toBe(id);
      expect(await second.subscribe('com.example.shared', { match: 'exact' })).toBe(id);
      // Another policy on the same string is another subscription.
      const prefix = await second.subscribe('com.example.shared', { match: 'prefix' });
      expect(prefix).not.toBe(id);
      expect(brokerOf(running).subscriptionCount).toBe(2);
    });

    it('subscribing twice in one session returns the same ID, and one EVENT per publication', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.twice');
      expect(await subscriber.subscribe('com.example.twice')).toBe(id);
      expect(await subscriber.subscribe('com.example.twice')).toBe(id);
      const first = await publisher.publish('com.example.twice', ['one']);
      const second = await publisher.publish('com.example.twice', ['two']);
      expect(await subscriber.barrier()).toEqual([
        [36, id, first, {}, ['one']],
        [36, id, second, {}, ['two']],
      ]);
      // One UNSUBSCRIBE ends it, however many SUBSCRIBEs there were.
      await subscriber.unsubscribe(id);
      await publisher.publish('com.example.twice', ['three']);
      expect(await subscriber.barrier()).toEqual([]);
    });

    it('invalid topic URI in SUBSCRIBE -> ERROR wamp.error.invalid_uri, session lives on', async () => {
      const peer = await join(running.url);
      for (const [topic, options] of [
        ['com.Example.topic', {}],
        ['com..topic', {}],
        ['com..topic', { match: 'prefix' }],
        ['com.topic ', { match: 'wildcard' }],
        ['com.#', {}],
      ] as const) {
        const request = peer.nextRequest();
        peer.send([32, request, options, topic]);
        expect(await peer.next()).toEqual([
          8,
          32,
          request,
          {},
          'wamp.error.invalid_uri',
          [expect.any(String)],
        ]);
      }
      // Pattern policies allow empty components where they mean something.
      await peer.subscribe('com..topic', { match: 'wildcard' });
      await peer.subscribe('com.example.', { match: 'prefix' });
    });
  });

  describe('unsubscribe', () => {
    it('UNSUBSCRIBE -> [35, request], and no more events', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.unsub');
      subscriber.send([34, 77, id]);
      expect(await subscriber.next()).toEqual([35, 77]);
      await publisher.publish('com.example.unsub', ['late']);
      expect(await subscriber.barrier()).toEqual([]);
      expect(brokerOf(running).subscriptionCount).toBe(0);
    });

    it('unknown subscription -> [8, 34, request, {}, wamp.error.no_such_subscription, [message]]', async () => {
      const peer = await join(running.url);
      peer.send([34, 5, 123456789]);
      const error = await peer.next();
      expect(error).toEqual([8, 34, 5, {}, 'wamp.error.no_such_subscription', [expect.any(String)]]);
    });

    it('UNSUBSCRIBE twice -> the second is wamp.error.no_such_subscription', async () => {
      const peer = await join(running.url);
      const id = await peer.subscribe('com.example.twice_unsub');
      await peer.unsubscribe(id);
      peer.send([34, 9, id]);
      expect(await peer.next()).toEqual([
        8,
        34,
        9,
        {},
        'wamp.error.no_such_subscription',
        [expect.any(String)],
      ]);
    });

    it("another session's subscription ID is not this session's to end", async () => {
      const owner = await join(running.url);
      const other = await join(running.url);
      const publisher = await join(running.url);
      const id = await owner.subscribe('com.example.owned');
      other.send([34, 3, id]);
      expect(await other.next()).toEqual([
        8,
        34,
        3,
        {},
        'wamp.error.no_such_subscription',
        [expect.any(String)],
      ]);
      const publication = await publisher.publish('com.example.owned', [1]);
      expect(await owner.barrier()).toEqual([[36, id, publication, {}, [1]]]);
    });

    it('one session unsubscribing leaves the others on the shared subscription', async () => {
      const first = await join(running.url);
      const second = await join(running.url);
      const publisher = await join(running.url);
      const id = await first.subscribe('com.example.shared_unsub');
      expect(await second.subscribe('com.example.shared_unsub')).toBe(id);
      await first.unsubscribe(id);
      const publication = await publisher.publish('com.example.shared_unsub', ['still']);
      expect(await first.barrier()).toEqual([]);
      expect(await second.barrier()).toEqual([[36, id, publication, {}, ['still']]]);
      expect(brokerOf(running).subscriptionCount).toBe(1);
      await second.unsubscribe(id);
      expect(brokerOf(running).subscriptionCount).toBe(0);
    });
  });

  describe('publish', () => {
    it('acknowledge -> [17, request, publication]; EVENT carries the same publication ID', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.pub');
      publisher.send([16, 41, { acknowledge: true }, 'com.example.pub', ['hello'], { who: 'world' }]);
      const published = await publisher.next();
      expect(published).toEqual([17, 41, expect.any(Number)]);
      const publication = expectId(published[2]);
      expect(await subscriber.next()).toEqual([36, id, publication, {}, ['hello'], { who: 'world' }]);
    });

    it('publication IDs differ between publications', async () => {
      const publisher = await join(running.url);
      const ids = new Set<number>();
      for (let index = 0; index < 20; index++) ids.add(await publisher.publish('com.example.ids'));
      expect(ids.size).toBe(20);
    });

    it('without acknowledge the publisher gets nothing, subscribers get the EVENT', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.quiet');
      publisher.send([16, 1, {}, 'com.example.quiet', [1, 2, 3]]);
      publisher.send([16, 2, { acknowledge: false }, 'com.example.quiet', [4]]);
      expect(await publisher.barrier()).toEqual([]);
      const events = await subscriber.barrier();
      expect(events).toEqual([
        [36, id, expect.any(Number), {}, [1, 2, 3]],
        [36, id, expect.any(Number), {}, [4]],
      ]);
      expectId(events[0][2]);
      expect(events[0][2]).not.toBe(events[1][2]);
    });

    it('no empty trailing payload: EVENT has exactly the payload elements that carry something', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.payload');
      const cases: [unknown[] | undefined, Dict | undefined, string][] = [
        [undefined, undefined, ''],
        [[], undefined, ''],
        [[], {}, ''],
        [['a'], undefined, ',["a"]'],
        [['a'], {}, ',["a"]'],
        [[], { k: 1 }, ',[],{"k":1}'],
        [undefined, { k: 1 }, ',[],{"k":1}'],
        [[null], { k: null }, ',[null],{"k":null}'],
      ];
      for (const [args, kwargs, tail] of cases) {
        const publication = await publisher.publish('com.example.payload', args, kwargs);
        const frame = await subscriber.client.nextFrame();
        expect(frame.isBinary).toBe(false);
        expect(frame.raw.toString()).toBe(`[36,${id},${publication},{}${tail}]`);
      }
      expect(await subscriber.barrier()).toEqual([]);
    });

    it('publishing to a topic nobody subscribed is fine', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.example.nobody', ['x']);
      expect(await publisher.barrier()).toEqual([]);
    });

    it('invalid topic URI in PUBLISH with acknowledge -> ERROR wamp.error.invalid_uri, session lives on', async () => {
      const publisher = await join(running.url);
      for (const topic of ['com.Example.x', 'com..x', 'com.x.', 'com x']) {
        const request = publisher.nextRequest();
        publisher.send([16, request, { acknowledge: true }, topic, ['x']]);
        expect(await publisher.next()).toEqual([
          8,
          16,
          request,
          {},
          'wamp.error.invalid_uri',
          [expect.any(String)],
        ]);
      }
      await publisher.publish('com.example.fine');
    });

    // Spec (basic profile, "Publish ERROR"): the Broker sends ERROR for a PUBLISH it cannot fulfil only
    // when PUBLISH.Options.acknowledge == true; "by default, publications are unacknowledged, and the
    // Broker will not respond, whether the publication was successful indeed or not". Crossbar and
    // Autobahn's router send the invalid_uri ERROR only `if publish.acknowledge`.
    it('invalid topic URI in PUBLISH without acknowledge -> no answer at all (spec: ERROR only when acknowledged)', async () => {
      const publisher = await join(running.url);
      publisher.send([16, 1, {}, 'com.Example.x', ['x']]);
      expect(await publisher.barrier()).toEqual([]);
    });

    // Spec (basic profile, URIs): the first component `wamp` is reserved for the protocol; the router's
    // meta events live there. Crossbar refuses a client PUBLISH to `wamp.*` with wamp.error.invalid_uri
    // ("publish with restricted topic URI") and dispatches nothing, so meta events cannot be forged.
    it('a client cannot publish into the reserved wamp.* namespace (no forged meta events)', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      await subscriber.subscribe('wamp.session.on_join');
      publisher.send([16, 1, { acknowledge: true }, 'wamp.session.on_join', [{ session: 1 }]]);
      expect(await publisher.next()).toEqual([8, 16, 1, {}, 'wamp.error.invalid_uri', [expect.any(String)]]);
      expect(await subscriber.barrier()).toEqual([]);
    });
  });

  describe('publisher exclusion', () => {
    it('by default the publisher does not receive its own event', async () => {
      const publisher = await join(running.url);
      const other = await join(running.url);
      const id = await publisher.subscribe('com.example.self');
      await other.subscribe('com.example.self');
      const publication = await publisher.publish('com.example.self', ['mine']);
      expect(await publisher.barrier()).toEqual([]);
      expect(await other.barrier()).toEqual([[36, id, publication, {}, ['mine']]]);
      await publisher.publish('com.example.self', ['mine too'], undefined, { exclude_me: true });
      expect(await publisher.barrier()).toEqual([]);
    });

    it('exclude_me: false -> the publisher receives its own event', async () => {
      const publisher = await join(running.url);
      const id = await publisher.subscribe('com.example.self');
      publisher.send([16, 3, { acknowledge: true, exclude_me: false }, 'com.example.self', ['echo']]);
      const received = [await publisher.next(), await publisher.next()];
      const published = received.find((message) => message[0] === 17)!;
      expect(published).toEqual([17, 3, expect.any(Number)]);
      expect(received).toContainEqual([36, id, published[2], {}, ['echo']]);
      expect(await publisher.barrier()).toEqual([]);
    });
  });

  describe('publisher identification', () => {
    it('disclose_me: true -> EVENT.Details has publisher, publisher_authid, publisher_authrole', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.who');
      const prefixId = await subscriber.subscribe('com.example.', { match: 'prefix' });
      const publication = await publisher.publish('com.example.who', ['me'], undefined, {
        disclose_me: true,
      });
      const disclosed = {
        publisher: publisher.session,
        publisher_authid: `anonymous-${publisher.session}`,
        publisher_authrole: 'anonymous',
      };
      const events = await subscriber.barrier();
      expect(events).toHaveLength(2);
      expect(events).toContainEqual([36, id, publication, disclosed, ['me']]);
      expect(events).toContainEqual([
        36,
        prefixId,
        publication,
        { ...disclosed, topic: 'com.example.who' },
        ['me'],
      ]);
    });

    it('without disclose_me (or disclose_me: false) nothing about the publisher is disclosed', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.example.who');
      const first = await publisher.publish('com.example.who', [1]);
      const second = await publisher.publish('com.example.who', [2], undefined, { disclose_me: false });
      expect(await subscriber.barrier()).toEqual([
        [36, id, first, {}, [1]],
        [36, id, second, {}, [2]],
      ]);
    });
  });

  describe('pattern-based subscriptions', () => {
    it("match: 'prefix' -> EVENT.Details.topic is the concrete topic; plain string prefix", async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.myapp', { match: 'prefix' });
      for (const topic of ['com.myapp', 'com.myapp.x', 'com.myapp.x.y.z', 'com.myapp2']) {
        const publication = await publisher.publish(topic, [topic]);
        expect(await subscriber.barrier()).toEqual([[36, id, publication, { topic }, [topic]]]);
      }
      for (const topic of ['com.myap', 'org.myapp', 'com']) {
        await publisher.publish(topic);
        expect(await subscriber.barrier()).toEqual([]);
      }
    });

    it('a prefix ending in a dot matches only whole components below it', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.myapp.', { match: 'prefix' });
      const publication = await publisher.publish('com.myapp.x');
      await publisher.publish('com.myapp2');
      await publisher.publish('com.myapp');
      expect(await subscriber.barrier()).toEqual([[36, id, publication, { topic: 'com.myapp.x' }]]);
    });

    it("match: 'wildcard' -> com..update matches com.a.update only, with Details.topic", async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com..update', { match: 'wildcard' });
      const publication = await publisher.publish('com.a.update', [1]);
      await publisher.publish('com.a.b.update', [2]);
      await publisher.publish('com.update', [3]);
      await publisher.publish('com.a.updated', [4]);
      const second = await publisher.publish('com.b.update', [5]);
      expect(await subscriber.barrier()).toEqual([
        [36, id, publication, { topic: 'com.a.update' }, [1]],
        [36, id, second, { topic: 'com.b.update' }, [5]],
      ]);
    });

    it('exact + prefix + wildcard subscriptions all matching -> three EVENTs, one per subscription', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const exact = await subscriber.subscribe('com.myapp.topic1');
      const prefix = await subscriber.subscribe('com.myapp', { match: 'prefix' });
      const wildcard = await subscriber.subscribe('com..topic1', { match: 'wildcard' });
      expect(new Set([exact, prefix, wildcard]).size).toBe(3);
      const publication = await publisher.publish('com.myapp.topic1', ['x'], { y: 1 });
      const events = await subscriber.barrier();
      expect(events).toHaveLength(3);
      expect(events).toEqual(
        expect.arrayContaining([
          [36, exact, publication, {}, ['x'], { y: 1 }],
          [36, prefix, publication, { topic: 'com.myapp.topic1' }, ['x'], { y: 1 }],
          [36, wildcard, publication, { topic: 'com.myapp.topic1' }, ['x'], { y: 1 }],
        ]),
      );
      // Another topic reaches only the subscriptions it matches.
      const other = await publisher.publish('com.myapp.topic2');
      expect(await subscriber.barrier()).toEqual([[36, prefix, other, { topic: 'com.myapp.topic2' }]]);
    });

    it('sessions on the same pattern share its ID; each gets one EVENT', async () => {
      const first = await join(running.url);
      const second = await join(running.url);
      const publisher = await join(running.url);
      const id = await first.subscribe('com..shared', { match: 'wildcard' });
      expect(await second.subscribe('com..shared', { match: 'wildcard' })).toBe(id);
      const publication = await publisher.publish('com.x.shared');
      for (const peer of [first, second]) {
        expect(await peer.barrier()).toEqual([[36, id, publication, { topic: 'com.x.shared' }]]);
      }
    });

    // Spec, advanced profile, "Event History": subscriptions 1 exact com.mycompany.log.auth, 2 exact
    // com.mycompany.log.basket, 3 prefix com.mycompany.log; its five publications and where they go.
    it('routes the spec event-history example to the subscriptions it lists', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const auth = await subscriber.subscribe('com.mycompany.log.auth');
      const basket = await subscriber.subscribe('com.mycompany.log.basket');
      const log = await subscriber.subscribe('com.mycompany.log', { match: 'prefix' });
      const expected: [string, number[]][] = [
        ['com.mycompany.log.auth', [auth, log]],
        ['com.mycompany.log.basket', [basket, log]],
        ['com.mycompany.log.basket', [basket, log]],
        ['com.mycompany.log.basket', [basket, log]],
        ['com.mycompany.log.checkout', [log]],
      ];
      for (const [topic, subscriptions] of expected) {
        const publication = await publisher.publish(topic);
        const events = await subscriber.barrier();
        expect(events.map((event) => event[1]).sort()).toEqual([...subscriptions].sort());
        for (const event of events) {
          expect(event).toEqual([36, event[1], publication, event[1] === log ? { topic } : {}]);
        }
      }
    });

    it('routes the spec wildcard example (com.myapp..userevent)', async () => {
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      const id = await subscriber.subscribe('com.myapp..userevent', { match: 'wildcard' });
      for (const topic of ['com.myapp.foo.userevent', 'com.myapp.bar.userevent', 'com.myapp.a12.userevent']) {
        const publication = await publisher.publish(topic);
        expect(await subscriber.barrier()).toEqual([[36, id, publication, { topic }]]);
      }
      for (const topic of ['com.myapp.foo.userevent.bar', 'com.myapp.foo.user', 'com.myapp2.foo.userevent']) {
        await publisher.publish(topic);
        expect(await subscriber.barrier()).toEqual([]);
      }
    });
  });

  describe('subscriber black- and whitelisting (anonymous sessions)', () => {
    it('exclude / eligible / *_authid / *_authrole on anonymous-<id> sessions with role anonymous', async () => {
      const publisher = await join(running.url);
      const a = await join(running.url);
      const b = await join(running.url);
      const c = await join(running.url);
      const subscribers = { a, b, c };
      const id = await a.subscribe('com.example.bw');
      await b.subscribe('com.example.bw');
      await c.subscribe('com.example.bw');
      expect([a.authid, a.authrole]).toEqual([`anonymous-${a.session}`, 'anonymous']);
      const cases: [string, Dict, string[]][] = [
        ['no lists', {}, ['a', 'b', 'c']],
        ['exclude b', { exclude: [b.session] }, ['a', 'c']],
        ['eligible a', { eligible: [a.session] }, ['a']],
        ['exclude_authid a', { exclude_authid: [a.authid] }, ['b', 'c']],
        ['eligible_authid b c', { eligible_authid: [b.authid, c.authid] }, ['b', 'c']],
        ['exclude_authrole anonymous', { exclude_authrole: ['anonymous'] }, []],
        ['eligible_authrole anonymous', { eligible_authrole: ['anonymous'] }, ['a', 'b', 'c']],
        ['eligible_authrole admin', { eligible_authrole: ['admin'] }, []],
        [
          'eligible a b, exclude_authid a',
          { eligible: [a.session, b.session], exclude_authid: [a.authid] },
          ['b'],
        ],
        [
          'eligible a b c, exclude a (spec example)',
          { eligible: [a.session, b.session, c.session], exclude: [a.session] },
          ['b', 'c'],
        ],
        [
          'eligible_authrole anonymous, exclude c',
          { eligible_authrole: ['anonymous'], exclude: [c.session] },
          ['a', 'b'],
        ],
      ];
      for (const [name, options, expected] of cases) {
        const publication = await publisher.publish('com.example.bw', [name], undefined, options);
        for (const [label, peer] of Object.entries(subscribers)) {
          const received = await peer.barrier();
          try {
            expect(received).toEqual(expected.includes(label) ? [[36, id, publication, {}, [name]]] : []);
          } catch (error) {
            throw new Error(`${name}: subscriber ${label} got ${JSON.stringify(received)}`, { cause: error });
          }
        }
      }
    });
  });

  describe('subscriber black- and whitelisting (authid and authrole differ)', () => {
    it('follows the spec: every present whitelist must hold, no present blacklist may hit', async () => {
      const publisher = await joinAs(running.url, 'pub', 'publisher');
      const s1 = await joinAs(running.url, 'alice', 'admin');
      const s2 = await joinAs(running.url, 'bob', 'staff');
      const s3 = await joinAs(running.url, 'carol', 'staff');
      const s4 = await joinAs(running.url, 'alice', 'guest');
      const subscribers: Record<string, Peer> = { s1, s2, s3, s4, publisher };
      const id = await s1.subscribe('com.example.bw');
      for (const peer of [s2, s3, s4, publisher]) expect(await peer.subscribe('com.example.bw')).toBe(id);
      const unknownSession = 1;
      const cases: [string, Dict, string[]][] = [
        ['no lists', {}, ['s1', 's2', 's3', 's4']],
        ['exclude s2', { exclude: [s2.session] }, ['s1', 's3', 's4']],
        ['exclude unknown session', { exclude: [unknownSession] }, ['s1', 's2', 's3', 's4']],
        ['exclude []', { exclude: [] }, ['s1', 's2', 's3', 's4']],
        ['eligible s1 s3', { eligible: [s1.session, s3.session] }, ['s1', 's3']],
        ['eligible unknown session', { eligible: [unknownSession] }, []],
        ['eligible []', { eligible: [] }, []],
        ['exclude_authid alice', { exclude_authid: ['alice'] }, ['s2', 's3']],
        ['eligible_authid alice', { eligible_authid: ['alice'] }, ['s1', 's4']],
        ['exclude_authrole staff', { exclude_authrole: ['staff'] }, ['s1', 's4']],
        ['eligible_authrole staff', { eligible_authrole: ['staff'] }, ['s2', 's3']],
        [
          'eligible s1 s2 s3 + exclude s1',
          { eligible: [s1.session, s2.session, s3.session], exclude: [s1.session] },
          ['s2', 's3'],
        ],
        [
          'eligible_authid alice bob + exclude s4',
          { eligible_authid: ['alice', 'bob'], exclude: [s4.session] },
          ['s1', 's2'],
        ],
        [
          'eligible_authrole staff admin + exclude_authid bob',
          { eligible_authrole: ['staff', 'admin'], exclude_authid: ['bob'] },
          ['s1', 's3'],
        ],
        [
          'eligible s1 s2 + eligible_authrole staff',
          { eligible: [s1.session, s2.session], eligible_authrole: ['staff'] },
          ['s2'],
        ],
        [
          'eligible_authid alice + exclude_authrole guest',
          { eligible_authid: ['alice'], exclude_authrole: ['guest'] },
          ['s1'],
        ],
        [
          'eligible_authid alice + eligible_authrole guest',
          { eligible_authid: ['alice'], eligible_authrole: ['guest'] },
          ['s4'],
        ],
        ['exclude_authrole every role', { exclude_authrole: ['admin', 'staff', 'guest'] }, []],
        [
          'exclude s1 + exclude_authid bob + exclude_authrole guest',
          { exclude: [s1.session], exclude_authid: ['bob'], exclude_authrole: ['guest'] },
          ['s3'],
        ],
        ['exclude_me false', { exclude_me: false }, ['s1', 's2', 's3', 's4', 'publisher']],
        [
          'exclude_me false + eligible_authrole publisher',
          { exclude_me: false, eligible_authrole: ['publisher'] },
          ['publisher'],
        ],
        [
          'exclude_me false + exclude publisher (exclusion wins)',
          { exclude_me: false, exclude: [publisher.session] },
          ['s1', 's2', 's3', 's4'],
        ],
        ['eligible publisher, exclude_me default', { eligible: [publisher.session, s1.session] }, ['s1']],
      ];
      for (const [name, options, expected] of cases) {
        const request = publisher.nextRequest();
        publisher.send([16, request, { ...options, acknowledge: true }, 'com.example.bw', [name]]);
        const toPublisher = await publisher.barrier();
        const published = toPublisher.find((message) => message[0] === 17);
        expect(published).toEqual([17, request, expect.any(Number)]);
        const publication = published![2];
        for (const [label, peer] of Object.entries(subscribers)) {
          const received =
            peer === publisher ? toPublisher.filter((message) => message[0] !== 17) : await peer.barrier();
          try {
            expect(received).toEqual(expected.includes(label) ? [[36, id, publication, {}, [name]]] : []);
          } catch (error) {
            throw new Error(`${name}: subscriber ${label} got ${JSON.stringify(received)}`, { cause: error });
          }
        }
      }
    });
  });

  describe('event retention', () => {
    it('retain, then SUBSCRIBE with get_retained -> SUBSCRIBED, then the EVENT with Details.retained', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.retain.a', ['v1'], { unit: 'C' }, { retain: true });
      const subscriber = await join(running.url);
      subscriber.send([32, 1, { get_retained: true }, 'com.retain.a']);
      const subscribed = await subscriber.next();
      expect(subscribed).toEqual([33, 1, expect.any(Number)]);
      const event = await subscriber.next();
      expect(event).toEqual([
        36,
        subscribed[2],
        expect.any(Number),
        { retained: true },
        ['v1'],
        { unit: 'C' },
      ]);
      expectId(event[2]);
      expect(await subscriber.barrier()).toEqual([]);
    });

    it('without get_retained (or get_retained: false) no retained event is sent', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.retain.b', ['v1'], undefined, { retain: true });
      const subscriber = await join(running.url);
      await subscriber.subscribe('com.retain.b');
      expect(await subscriber.barrier()).toEqual([]);
      const other = await join(running.url);
      await other.subscribe('com.retain.b', { get_retained: false });
      expect(await other.barrier()).toEqual([]);
    });

    it('a publication without retain is not retained; the last retained publication per topic wins', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.retain.c', ['not retained']);
      const nothing = await join(running.url);
      await nothing.subscribe('com.retain.c', { get_retained: true });
      expect(await nothing.barrier()).toEqual([]);
      await publisher.publish('com.retain.c', ['v1'], undefined, { retain: true });
      await publisher.publish('com.retain.c', ['v2'], undefined, { retain: true });
      await publisher.publish('com.retain.c', ['v3 not retained']);
      const subscriber = await join(running.url);
      const id = await subscriber.subscribe('com.retain.c', { get_retained: true });
      expect(await subscriber.barrier()).toEqual([[36, id, expect.any(Number), { retained: true }, ['v2']]]);
    });

    it('retained without subscribers and without acknowledge; delivered to the subscriber that asks', async () => {
      const publisher = await join(running.url);
      publisher.publishQuietly('com.retain.quiet', ['kept'], undefined, { retain: true });
      expect(await publisher.barrier()).toEqual([]);
      const subscriber = await join(running.url);
      const id = await subscriber.subscribe('com.retain.quiet', { get_retained: true });
      expect(await subscriber.barrier()).toEqual([
        [36, id, expect.any(Number), { retained: true }, ['kept']],
      ]);
    });

    it('pattern subscriptions get retained events with Details.topic', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.retainp.one', [1], undefined, { retain: true });
      await publisher.publish('com.retainp.two', [2], undefined, { retain: true });
      await publisher.publish('com.retainq.one', [3], undefined, { retain: true });
      const subscriber = await join(running.url);
      const prefix = await subscriber.subscribe('com.retainp.', { match: 'prefix', get_retained: true });
      const prefixEvents = await subscriber.barrier();
      expect(prefixEvents).toHaveLength(2);
      expect(prefixEvents).toEqual(
        expect.arrayContaining([
          [36, prefix, expect.any(Number), { retained: true, topic: 'com.retainp.one' }, [1]],
          [36, prefix, expect.any(Number), { retained: true, topic: 'com.retainp.two' }, [2]],
        ]),
      );
      const wildcard = await subscriber.subscribe('com..one', { match: 'wildcard', get_retained: true });
      const wildcardEvents = await subscriber.barrier();
      expect(wildcardEvents).toHaveLength(2);
      expect(wildcardEvents).toEqual(
        expect.arrayContaining([
          [36, wildcard, expect.any(Number), { retained: true, topic: 'com.retainp.one' }, [1]],
          [36, wildcard, expect.any(Number), { retained: true, topic: 'com.retainq.one' }, [3]],
        ]),
      );
    });

    it('a retained event published with disclose_me keeps the publisher details', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.retain.who', ['x'], undefined, { retain: true, disclose_me: true });
      const subscriber = await join(running.url);
      const id = await subscriber.subscribe('com.retain.who', { get_retained: true });
      expect(await subscriber.barrier()).toEqual([
        [
          36,
          id,
          expect.any(Number),
          {
            retained: true,
            publisher: publisher.session,
            publisher_authid: `anonymous-${publisher.session}`,
            publisher_authrole: 'anonymous',
          },
          ['x'],
        ],
      ]);
    });

    // Spec, advanced profile, "Event Retention": "The Broker MUST NOT send the Subscriber a Retained Event
    // that they would not be eligible to receive if they were subscribing when it was published."
    // (Crossbar checks the retained publication's exclude/eligible against the subscribing session.)
    it('a retained event is not sent to a session its exclude/eligible lists would have kept out', async () => {
      const publisher = await join(running.url);
      const excluded = await join(running.url);
      const allowed = await join(running.url);
      await publisher.publish('com.retain.private', ['secret'], undefined, {
        retain: true,
        exclude: [excluded.session],
      });
      await publisher.publish('com.retain.vip', ['vip only'], undefined, {
        retain: true,
        eligible: [allowed.session],
      });
      for (const topic of ['com.retain.private', 'com.retain.vip']) {
        await excluded.subscribe(topic, { get_retained: true });
        const received = await excluded.barrier();
        expect({ topic, received }).toEqual({ topic, received: [] });
      }
      for (const [topic, args] of [
        ['com.retain.private', ['secret']],
        ['com.retain.vip', ['vip only']],
      ] as const) {
        const id = await allowed.subscribe(topic, { get_retained: true });
        expect(await allowed.barrier()).toEqual([[36, id, expect.any(Number), { retained: true }, args]]);
      }
    });

    // Same section: "the Broker MUST send the Subscriber the **most recent** Retained Event that they would
    // have received if they were subscribing when it was published." Crossbar keeps the last broadcast
    // retained event plus later restricted ones for this.
    it('a session outside the last retained publication lists gets the most recent one it was eligible for', async () => {
      const publisher = await join(running.url);
      const insider = await join(running.url);
      const outsider = await join(running.url);
      await publisher.publish('com.retain.layered', ['for everyone'], undefined, { retain: true });
      await publisher.publish('com.retain.layered', ['for the insider'], undefined, {
        retain: true,
        eligible: [insider.session],
      });
      const insiderId = await insider.subscribe('com.retain.layered', { get_retained: true });
      expect(await insider.barrier()).toEqual([
        [36, insiderId, expect.any(Number), { retained: true }, ['for the insider']],
      ]);
      const outsiderId = await outsider.subscribe('com.retain.layered', { get_retained: true });
      expect(await outsider.barrier()).toEqual([
        [36, outsiderId, expect.any(Number), { retained: true }, ['for everyone']],
      ]);
    });
  });

  describe('ordering', () => {
    it('SUBSCRIBED arrives before any EVENT of it, while a publisher floods the topic', async () => {
      const publisher = await join(running.url);
      await publisher.publish('com.order.flood', [-1], undefined, { retain: true });
      const subscriber = await join(running.url);
      for (let index = 0; index < 300; index++) {
        publisher.publishQuietly('com.order.flood', [index]);
        if (index === 100) subscriber.send([32, 1, { get_retained: true }, 'com.order.flood']);
        // Let both sockets flush now and then, so the SUBSCRIBE tends to land mid-flood.
        if (index % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      }
      await publisher.barrier();
      const received = await subscriber.barrier();
      // One more publication, surely after the SUBSCRIBE was handled.
      const last = await publisher.publish('com.order.flood', [300]);
      received.push(...(await subscriber.barrier()));
      expect(received[0]).toEqual([33, 1, expect.any(Number)]);
      const id = received[0][2];
      const events = received.slice(1);
      for (const event of events) expect(event.slice(0, 2)).toEqual([36, id]);
      // The retained event (whatever was retained when the SUBSCRIBE was handled) comes first, then the
      // live events in publish order, with no gaps or repeats, up to the last one.
      expect(events[0]).toEqual([36, id, expect.any(Number), { retained: true }, [-1]]);
      const live = events.slice(1).map((event) => (event[4] as number[])[0]);
      expect(live).toEqual(Array.from({ length: live.length }, (_, index) => 301 - live.length + index));
      expect(events[events.length - 1]).toEqual([36, id, last, {}, [300]]);
    });

    it('1,000 subscriber sessions each receive all 50 events, in publish order', async () => {
      const started = Date.now();
      const SUBSCRIBERS = 1000;
      const EVENTS = 50;
      const BATCH = 100;
      const subscribers: Peer[] = [];
      let id = 0;
      for (let offset = 0; offset < SUBSCRIBERS; offset += BATCH) {
        const batch = await Promise.all(Array.from({ length: BATCH }, () => join(running.url)));
        const ids = await Promise.all(batch.map((peer) => peer.subscribe('com.order.fanout')));
        id ||= ids[0];
        expect(new Set(ids)).toEqual(new Set([id]));
        subscribers.push(...batch);
      }
      const publisher = await join(running.url);
      const publications: number[] = [];
      const requests: number[] = [];
      for (let sequence = 0; sequence < EVENTS; sequence++) {
        const request = publisher.nextRequest();
        requests.push(request);
        publisher.send([16, request, { acknowledge: true }, 'com.order.fanout', [sequence]]);
      }
      for (const request of requests) {
        const published = await publisher.next();
        expect(published).toEqual([17, request, expect.any(Number)]);
        publications.push(published[2] as number);
      }
      const expected = publications.map((publication, sequence) => [36, id, publication, {}, [sequence]]);
      await Promise.all(
        subscribers.map(async (peer) => {
          const received: Message[] = [];
          for (let index = 0; index < EVENTS; index++) received.push(await peer.next(5000));
          expect(received).toEqual(expected);
        }),
      );
      const elapsed = Date.now() - started;
      // Bounded: the whole test (1,000 joins, 50,000 EVENTs) takes a few seconds at most.
      expect(elapsed).toBeLessThan(15000);
    }, 30000);
  });

  describe('binary payloads across serializers', () => {
    it('msgpack bytes -> JSON "\\u0000"+base64, cbor byte string, msgpack bin; and back from JSON', async () => {
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
      const base64 = bytes.toString('base64');
      const jsonA = await join(running.url);
      const cbor = await join(running.url, 'realm1', 'wamp.2.cbor');
      const jsonB = await join(running.url);
      const msgpack = await join(running.url, 'realm1', 'wamp.2.msgpack');
      const publisherMsgpack = await join(running.url, 'realm1', 'wamp.2.msgpack');
      const publisherJson = await join(running.url);
      const id = await jsonA.subscribe('com.example.bytes');
      for (const peer of [cbor, jsonB, msgpack]) expect(await peer.subscribe('com.example.bytes')).toBe(id);

      const publication = await publisherMsgpack.publish('com.example.bytes', [bytes], {
        nested: { b: bytes },
      });
      for (const peer of [jsonA, jsonB]) {
        const frame = await peer.client.nextFrame();
        expect(frame.isBinary).toBe(false);
        expect(frame.raw.toString()).toBe(
          `[36,${id},${publication},{},["\\u0000${base64}"],{"nested":{"b":"\\u0000${base64}"}}]`,
        );
      }
      const cborFrame = await cbor.client.nextFrame();
      expect(cborFrame.isBinary).toBe(true);
      // CBOR byte string of 6 bytes: major type 2, length 6 (0x46), then the bytes.
      expect(cborFrame.raw.includes(Buffer.concat([Buffer.from([0x46]), bytes]))).toBe(true);
      const cborEvent = cborFrame.message as Message;
      expect(cborEvent.slice(0, 4)).toEqual([36, id, publication, {}]);
      expect(Buffer.from((cborEvent[4] as Uint8Array[])[0])).toEqual(bytes);
      expect(Buffer.from((cborEvent[5] as { nested: { b: Uint8Array } }).nested.b)).toEqual(bytes);
      const msgpackFrame = await msgpack.client.nextFrame();
      // msgpack bin 8: 0xc4, length, bytes.
      expect(msgpackFrame.raw.includes(Buffer.concat([Buffer.from([0xc4, 6]), bytes]))).toBe(true);
      expect(Buffer.from(((msgpackFrame.message as Message)[4] as Uint8Array[])[0])).toEqual(bytes);

      const second = await publisherJson.publish('com.example.bytes', [`\u0000${base64}`]);
      const fromJson = await cbor.next();
      expect(fromJson.slice(0, 4)).toEqual([36, id, second, {}]);
      expect(Buffer.from((fromJson[4] as Uint8Array[])[0])).toEqual(bytes);
      const fromJsonMsgpack = await msgpack.next();
      expect(Buffer.from((fromJsonMsgpack[4] as Uint8Array[])[0])).toEqual(bytes);
      for (const peer of [jsonA, jsonB]) {
        expect((await peer.client.nextFrame()).raw.toString()).toBe(
          `[36,${id},${second},{},["\\u0000${base64}"]]`,
        );
      }
      for (const peer of [jsonA, cbor, jsonB, msgpack]) expect(await peer.barrier()).toEqual([]);
    });
  });

  describe('session end', () => {
    it("a subscriber's terminated session releases its subscriptions; later publications are fine", async () => {
      const broker = brokerOf(running);
      const subscriber = await join(running.url);
      const publisher = await join(running.url);
      await subscriber.subscribe('com.example.gone');
      await subscriber.subscribe('com.example.', { match: 'prefix' });
      await subscriber.subscribe('com..gone', { match: 'wildcard' });
      expect(broker.subscriptionCount).toBe(3);
      subscriber.client.terminate();
      await waitFor(() => broker.subscriptionCount === 0, 'the subscriptions to go');
      await publisher.publish('com.example.gone', ['anyone?']);
      expect(await publisher.barrier()).toEqual([]);
    });

    it('GOODBYE releases the subscriptions too, and a shared subscription stays for the others', async () => {
      const broker = brokerOf(running);
      const leaving = await join(running.url);
      const staying = await join(running.url);
      const publisher = await join(running.url);
      const id = await leaving.subscribe('com.example.bye');
      await staying.subscribe('com.example.bye');
      leaving.send([6, {}, 'wamp.close.close_realm']);
      expect(await leaving.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
      await leaving.client.waitClosed();
      expect(broker.subscriptionCount).toBe(1);
      const publication = await publisher.publish('com.example.bye', [1]);
      expect(await staying.barrier()).toEqual([[36, id, publication, {}, [1]]]);
    });
  });
});

describe('broker spec examples with loose URIs (express)', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ wamp: { strictUris: false } });
  });
  afterEach(async () => {
    await closeAll(running);
  });
  afterAll(async () => {
    await running.app.close();
  });

  // Spec, advanced profile, "Pattern-based Subscriptions > Prefix Matching": a plain string prefix.
  it('routes the spec prefix example (com.myapp.topic.emergency)', async () => {
    const subscriber = await join(running.url);
    const publisher = await join(running.url);
    subscriber.send([32, 912873614, { match: 'prefix' }, 'com.myapp.topic.emergency']);
    const subscribed = await subscriber.next();
    expect(subscribed).toEqual([33, 912873614, expect.any(Number)]);
    const id = subscribed[2];
    for (const topic of [
      'com.myapp.topic.emergency.11',
      'com.myapp.topic.emergency-low',
      'com.myapp.topic.emergency.category.severe',
      'com.myapp.topic.emergency',
    ]) {
      const publication = await publisher.publish(topic, ['Hello, world!']);
      expect(await subscriber.barrier()).toEqual([[36, id, publication, { topic }, ['Hello, world!']]]);
    }
    await publisher.publish('com.myapp.topic.emerge', ['Hello, world!']);
    expect(await subscriber.barrier()).toEqual([]);
  });
});

describe('slow consumers (express, outboundBufferLimit 64 KiB, slowConsumerTimeout 300 ms)', () => {
  const LIMIT = 64 * 1024;
  /** Short, so that the publisher held back by the stalled subscriber goes on quickly. */
  const TIMEOUT = 300;
  /** Events per round of the flood (about 1 MB: well within what one reading consumer absorbs). */
  const ROUND = 1000;
  /**
   * Loopback TCP buffers absorb several MB for a consumer that stops reading (about 3.9 MB with this
   * machine's tcp_rmem/tcp_wmem) before anything stays in the server's process, so the flood goes on in
   * rounds until the router reacts, then one more round; capped at 20 MB.
   */
  const MAX_ROUNDS = 20;
  const PAD = 'x'.repeat(1000);

  /** Records the largest `bufferedAmount` right after each send on this connection's socket. */
  function watchBuffer(connection: WebSocketConnection): { max: number; restore: () => void } {
    const socket = connection.socket;
    const original = socket.send;
    const watch = { max: 0, restore: () => (socket.send = original) };
    socket.send = function (this: WebSocket, ...args: unknown[]) {
      (original as (...params: unknown[]) => void).apply(this, args);
      watch.max = Math.max(watch.max, socket.bufferedAmount);
    } as WebSocket['send'];
    return watch;
  }

  /** Publishes rounds of ~1 KB events until `reacted()` holds, plus one round; returns how many were sent. */
  async function flood(publisher: Peer, reacted: () => boolean): Promise<number> {
    let sent = 0;
    let extra = 1;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      for (let index = 0; index < ROUND; index++) publisher.publishQuietly('com.flood', [sent++, PAD]);
      expect(await publisher.barrier(5000)).toEqual([]);
      if (reacted() && extra-- === 0) return sent;
    }
    throw new Error(`The router did not react to the slow consumer after ${sent} events`);
  }

  async function receiveAll(peer: Peer, count: number): Promise<void> {
    const events = await peer.barrier(5000);
    expect(events).toHaveLength(count);
    events.forEach((event, sequence) => expect((event[4] as unknown[])[0]).toBe(sequence));
  }

  describe("policy 'drop' (default)", () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp({
        wamp: { outboundBufferLimit: LIMIT, slowConsumerTimeout: TIMEOUT },
        controllers: [EchoController],
      });
    });
    afterEach(async () => {
      await closeAll(running);
    });
    afterAll(async () => {
      await running.app.close();
    });

    it('a subscriber that stops reading gets events dropped, its buffer stays bounded, others get all', async () => {
      const slow = await join(running.url);
      const healthy = await join(running.url);
      const publisher = await join(running.url);
      const id = await slow.subscribe('com.flood');
      await healthy.subscribe('com.flood');
      const connection = serverConnection(running, slow.client);
      const watch = watchBuffer(connection);
      try {
        slow.client.socket.pause();
        const started = performance.now();
        const total = await flood(publisher, () => connection.droppedEvents > 0);
        await receiveAll(healthy, total);

        const frameBytes = Buffer.byteLength(JSON.stringify([36, id, MAX_ID, {}, [total, PAD]])) + 10;
        expect(connection.droppedEvents).toBeGreaterThan(0);
        // Behind (past the high-water mark, half the cap), it held the publisher back until it was found slow
        // after the timeout; its queue stayed near the high-water mark, under the cap.
        expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT);
        expect(watch.max).toBeGreaterThan(LIMIT / 2);
        expect(watch.max).toBeLessThanOrEqual(LIMIT + frameBytes);
        expect(connection.socket.bufferedAmount).toBeLessThanOrEqual(LIMIT + frameBytes);
        expect(connection.socket.readyState).toBe(WebSocket.OPEN);

        // A call result is never dropped, even now that it is found slow and its EVENTs are dropped.
        const before = connection.socket.bufferedAmount;
        slow.send([48, 900, {}, 'test.echo', ['still here']]);
        await waitFor(() => connection.socket.bufferedAmount > before, 'the RESULT to be queued');

        slow.client.socket.resume();
        const received: Message[] = [];
        for (;;) {
          const message = await slow.next(5000);
          if (message[0] !== 36) {
            expect(message).toEqual([50, 900, {}, ['still here']]);
            break;
          }
          received.push(message);
        }
        expect(await slow.barrier()).toEqual([]);
        // What arrived arrived in order; arrived + dropped = published.
        const sequence = received.map((event) => (event[4] as unknown[])[0] as number);
        expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
        expect(new Set(sequence).size).toBe(sequence.length);
        expect(received.length + connection.droppedEvents).toBe(total);

        // Once drained, the consumer gets events again.
        const publication = await publisher.publish('com.flood', ['after']);
        expect(await slow.barrier()).toEqual([[36, id, publication, {}, ['after']]]);
      } finally {
        watch.restore();
        slow.client.socket.resume();
      }
    }, 20000);
  });

  describe("policy 'disconnect'", () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp({
        wamp: { outboundBufferLimit: LIMIT, slowConsumerPolicy: 'disconnect', slowConsumerTimeout: TIMEOUT },
      });
    });
    afterEach(async () => {
      await closeAll(running);
    });
    afterAll(async () => {
      await running.app.close();
    });

    it('a subscriber that stops reading is closed with 1008; the others are unaffected', async () => {
      const slow = await join(running.url);
      const healthy = await join(running.url);
      const publisher = await join(running.url);
      const id = await slow.subscribe('com.flood');
      await healthy.subscribe('com.flood');
      const connection = serverConnection(running, slow.client);
      slow.client.socket.pause();
      const total = await flood(publisher, () => connection.socket.readyState !== WebSocket.OPEN);
      await receiveAll(healthy, total);
      expect(connection.socket.readyState).not.toBe(WebSocket.OPEN);
      expect(connection.droppedEvents).toBe(0);

      slow.client.socket.resume();
      const closed = await slow.client.waitClosed(5000);
      expect(closed.code).toBe(1008);
      // The session is gone from the subscription; the healthy one still gets events.
      const publication = await publisher.publish('com.flood', ['after']);
      expect(await healthy.barrier()).toEqual([[36, id, publication, {}, ['after']]]);
      expect(brokerOf(running).subscriptionCount).toBe(1);
    }, 20000);
  });
});

describe('broker smoke (fastify)', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ platform: 'fastify' });
  });
  afterEach(async () => {
    await closeAll(running);
  });
  afterAll(async () => {
    await running.app.close();
  });

  it('subscribe, publish, EVENT, unsubscribe', async () => {
    const subscriber = await join(running.url);
    const publisher = await join(running.url, 'realm1', 'wamp.2.msgpack');
    const id = await subscriber.subscribe('com.example.fastify');
    const prefix = await subscriber.subscribe('com.example.', { match: 'prefix' });
    const publication = await publisher.publish(
      'com.example.fastify',
      ['hi'],
      { n: 1 },
      { disclose_me: true },
    );
    const disclosed = {
      publisher: publisher.session,
      publisher_authid: `anonymous-${publisher.session}`,
      publisher_authrole: 'anonymous',
    };
    const events = await subscriber.barrier();
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        [36, id, publication, disclosed, ['hi'], { n: 1 }],
        [36, prefix, publication, { ...disclosed, topic: 'com.example.fastify' }, ['hi'], { n: 1 }],
      ]),
    );
    await subscriber.unsubscribe(id);
    await subscriber.unsubscribe(prefix);
    await publisher.publish('com.example.fastify');
    expect(await subscriber.barrier()).toEqual([]);
  });
});

import type { WampIdentity } from '../../../lib/core/router/wamp-authenticator.interface.js';
import type { WampPeer } from '../../../lib/core/router/wamp-peer.interface.js';
import { OutgoingEvent } from '../../../lib/core/router/outgoing-event.js';
import { WampMessageType } from '../../../lib/core/protocol/message-type.enum.js';
import { MembershipRegistry, endMembership } from '../../../lib/core/router/broker/memberships.js';
import type { Publication } from '../../../lib/core/router/broker/publication.js';
import { disclosureOf, eligibilityOf } from '../../../lib/core/router/broker/publication-filter.js';
import { PublicationInterceptors } from '../../../lib/core/router/broker/publication-interceptors.js';
import { RetentionStore } from '../../../lib/core/router/broker/retention-store.js';
import { SubscriptionHookRegistry } from '../../../lib/core/router/broker/subscription-hooks.js';
import { newSubscription, type BrokerSubscription } from '../../../lib/core/router/broker/subscription-table.js';
import type { ClientPublication } from '../../../lib/core/router/broker/broker-hooks.interface.js';
import { JsonSerializer } from '../../../lib/core/serializers/json.serializer.js';
import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import { recordingLogger } from '../../support/router-options.js';

/** The broker's components, each on its own, with plain peers: no router, no sockets. */

function peer(id: number, authid = `user${id}`, authrole = 'user'): WampPeer {
  const identity: WampIdentity = { authid, authrole, authmethod: 'anonymous', authprovider: 'static' };
  return {
    id,
    realm: 'realm1',
    identity,
    transport: { type: 'websocket', protocol: 'wamp.2.json', secure: false, url: '/ws', headers: {} },
    isOpen: true,
    features: new Set(),
    signal: new AbortController().signal,
    send: () => true,
    deliverEvent: () => true,
    sendEvent: () => 0,
    protocolViolation: () => undefined,
    close: async () => undefined,
    abort: () => undefined,
  };
}

function publication(options: Publication['options'], publisher?: number, topic = 't'): Publication {
  return {
    topic,
    id: 1,
    args: ['x'],
    options,
    publisher:
      publisher === undefined
        ? undefined
        : { session: publisher, authid: `user${publisher}`, authrole: 'user' },
  };
}

describe('eligibilityOf (publication filter)', () => {
  const [a, b, c] = [peer(1, 'ann', 'admin'), peer(2, 'bob'), peer(3, 'cyd')];

  it('lets everyone through when nothing restricts (no check at all for server publications)', () => {
    expect(eligibilityOf(publication({}))).toBeUndefined();
  });

  it('excludes the publisher by session ID unless exclude_me is false', () => {
    const eligible = eligibilityOf(publication({}, 1)) as (subscriber: WampPeer) => boolean;
    expect([a, b].map(eligible)).toEqual([false, true]);
    expect(eligibilityOf(publication({ exclude_me: false }, 1))).toBeUndefined();
  });

  it('applies black and white lists by session, authid and authrole; exclusions win', () => {
    const check = (options: Publication['options']) =>
      [a, b, c].map(eligibilityOf(publication(options)) as (p: WampPeer) => boolean);
    expect(check({ eligible: [1, 2], exclude: [2] })).toEqual([true, false, false]);
    expect(check({ eligible_authid: ['bob', 'cyd'] })).toEqual([false, true, true]);
    expect(check({ exclude_authrole: ['admin'] })).toEqual([false, true, true]);
    expect(check({ eligible_authrole: ['admin'], exclude_authid: ['ann'] })).toEqual([false, false, false]);
  });

  it('discloses the publisher only when asked', () => {
    expect(disclosureOf(publication({ disclose_me: true }, 2))).toEqual({
      publisher: 2,
      publisher_authid: 'user2',
      publisher_authrole: 'user',
    });
    expect(disclosureOf(publication({}, 2))).toBeUndefined();
    expect(disclosureOf(publication({ disclose_me: true }))).toBeUndefined();
  });
});

describe('RetentionStore', () => {
  it('keeps the newest event per topic, and behind it the restricted ones a subscriber may still get', () => {
    const store = new RetentionStore({ maxRetainedTopics: 10, maxRetainedBytes: 1 << 20 });
    store.retain({ ...publication({}), id: 1 });
    store.retain({ ...publication({ eligible: [1] }), id: 2 });
    expect(store.eventsFor('t', 'exact', peer(1)).map((event) => event.id)).toEqual([2]);
    expect(store.eventsFor('t', 'exact', peer(2)).map((event) => event.id)).toEqual([1]);
    store.retain({ ...publication({}), id: 3 }); // unrestricted: replaces the list
    expect(store.eventsFor('t', 'exact', peer(1)).map((event) => event.id)).toEqual([3]);
  });

  it('does not give publishers their own retained event (exclude_me), decided from the stored options', () => {
    const store = new RetentionStore({ maxRetainedTopics: 10, maxRetainedBytes: 1 << 20 });
    store.retain(publication({}, 7));
    expect(store.eventsFor('t', 'exact', peer(7))).toEqual([]);
    expect(store.eventsFor('t', 'exact', peer(8))).toHaveLength(1);
  });

  it('finds pattern subscriptions by prefix and wildcard, and forgets the least recently retained first', () => {
    const store = new RetentionStore({ maxRetainedTopics: 2, maxRetainedBytes: 1 << 20 });
    for (const topic of ['a.x', 'a.y', 'b.x']) store.retain(publication({}, undefined, topic));
    expect(store.size).toBe(2);
    expect(store.eventsFor('a.', 'prefix', peer(1)).map((event) => event.topic)).toEqual(['a.y']);
    expect(store.eventsFor('.x', 'wildcard', peer(1)).map((event) => event.topic)).toEqual(['b.x']);
  });

  it('keeps within its byte budget', () => {
    const store = new RetentionStore({ maxRetainedTopics: 100, maxRetainedBytes: 1000 });
    for (let index = 0; index < 50; index++)
      store.retain({ ...publication({}, undefined, `t${index}`), args: ['x'.repeat(100)] });
    expect(store.heldBytes).toBeLessThanOrEqual(1000);
    expect(store.size).toBeLessThan(50);
  });
});

describe('SubscriptionHookRegistry', () => {
  const hook = async () => ({ allow: true as const });

  it('picks exact, then the longest prefix, then a wildcard; refuses duplicates', () => {
    const hooks = new SubscriptionHookRegistry();
    hooks.register('a.', 'prefix', hook);
    hooks.register('a.b.', 'prefix', hook);
    hooks.register('a..c', 'wildcard', hook);
    const removeExact = hooks.register('a.b.c', 'exact', hook);
    expect(hooks.find('a.b.c')?.pattern).toBe('a.b.c');
    removeExact();
    expect(hooks.find('a.b.c')?.pattern).toBe('a.b.');
    expect(hooks.find('a.z.c')?.pattern).toBe('a.');
    expect(hooks.find('q')).toBeUndefined();
    expect(() => hooks.register('a.', 'prefix', hook)).toThrow('already registered');
  });
});

describe('PublicationInterceptors', () => {
  const base = (publisher: WampPeer, topic: string): ClientPublication => ({
    publisher,
    topic,
    args: [],
    kwargs: {},
    options: {},
    publicationId: 1,
  });

  it("settles at once when nothing waits, and keeps one publisher's order across a slow handler", async () => {
    const interceptors = new PublicationInterceptors(recordingLogger());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    interceptors.register('slow', async () => {
      await gate;
      return { accept: true };
    });
    const order: string[] = [];
    const publisher = peer(1);
    interceptors.intercept(base(publisher, 'free'), () => order.push('free-1'));
    expect(order).toEqual(['free-1']); // synchronous
    interceptors.intercept(base(publisher, 'slow'), () => order.push('slow'));
    interceptors.intercept(base(publisher, 'free'), () => order.push('free-2')); // queued behind slow
    interceptors.intercept(base(peer(2), 'free'), () => order.push('other publisher'));
    expect(order).toEqual(['free-1', 'other publisher']);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['free-1', 'other publisher', 'slow', 'free-2']);
  });

  it('chains handlers, and turns a throwing handler into a runtime_error refusal (logged)', async () => {
    const logger = recordingLogger();
    const interceptors = new PublicationInterceptors(logger);
    interceptors.register('t', async () => ({ accept: true }));
    interceptors.register('t', async () => {
      throw new Error('boom');
    });
    const verdict = await new Promise((resolve) => interceptors.intercept(base(peer(1), 't'), resolve));
    expect(verdict).toEqual({ accept: false, uri: 'wamp.error.runtime_error', args: ['Internal error.'] });
    expect(logger.errors).toEqual(['Publication handler for "t" failed']);
  });
});

describe('MembershipRegistry', () => {
  const subscription = (): BrokerSubscription => newSubscription(1, 't', 'exact');

  it('holds, counts, releases and detaches; admissions keep a subscription alive', () => {
    const members = new MembershipRegistry();
    const [one, two] = [subscription(), subscription()];
    const session = peer(1);
    members.hold(session, one, { ended: false });
    const requests = members.startAdmission(session, two, 5);
    expect(members.count(session)).toBe(2);
    expect(members.isAdmitting(two)).toBe(true);
    expect(members.waiting(session, two)).toBe(requests);
    expect(members.finishAdmission(session, two, requests)).toBe(true);
    expect(members.finishAdmission(session, two, requests)).toBe(false);
    expect(members.isAdmitting(two)).toBe(false);
    expect(one.subscribers.has(session)).toBe(true);
    const detached = members.detach(session);
    expect(detached.held.map(([held]) => held)).toEqual([one]);
    expect(one.subscribers.size).toBe(0);
    expect(members.count(session)).toBe(0);
  });

  it('runs a teardown exactly once, and logs one that throws', () => {
    const logger = recordingLogger();
    let runs = 0;
    const membership = {
      ended: false,
      teardown: () => {
        runs++;
        throw new Error('x');
      },
    };
    endMembership(membership, logger);
    endMembership(membership, logger);
    expect(runs).toBe(1);
    expect(logger.errors).toEqual(['Subscription teardown failed']);
  });
});

describe('OutgoingEvent', () => {
  it('encodes once per serializer, and reports a failed encoding once', () => {
    const json = new JsonSerializer();
    const msgpack = new MsgpackSerializer();
    let encodes = 0;
    const counting = {
      ...json,
      protocol: json.protocol,
      binary: false,
      batched: false,
      encode: (message: readonly unknown[]) => {
        encodes++;
        return json.encode(message);
      },
      decode: json.decode.bind(json),
    };
    const event = new OutgoingEvent(
      { type: WampMessageType.EVENT, subscription: 1, publication: 2, details: {}, args: ['x'] },
      () => undefined,
    );
    for (let index = 0; index < 3; index++)
      expect(event.frameFor(counting)?.toString()).toBe('[36,1,2,{},["x"]]');
    expect(encodes).toBe(1);
    expect(event.frameFor(msgpack)).toBeInstanceOf(Buffer);
    const errors: string[] = [];
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const broken = new OutgoingEvent(
      { type: WampMessageType.EVENT, subscription: 1, publication: 2, details: {}, args: [cyclic] },
      (serializer) => errors.push(serializer.protocol),
    );
    expect(broken.frameFor(json)).toBeUndefined();
    expect(broken.frameFor(json)).toBeUndefined();
    expect(errors).toEqual(['wamp.2.json']);
  });
});

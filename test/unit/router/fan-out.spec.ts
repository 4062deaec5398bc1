/**
 * Broker fan-out on the router core (no sockets): an EVENT is encoded once per serializer in use per
 * matching subscription, never once per subscriber, and every subscriber on one serializer is handed the
 * very same frame. Sessions use the library's own JsonSerializer and MsgpackSerializer, wrapped to count
 * `encode()` calls, shared by all connections of a subprotocol as the gateway's SerializerRegistry does.
 */
import {
  encodeMessage,
  type WampMessage,
  JsonSerializer,
  MsgpackSerializer,
  WampRouter,
  type WampConnection,
  type WampSerializer,
  type WampSession,
} from '../../../lib/core/index.js';
import { type WampTransportInfo } from '../../../lib/index.js';
import { recordingLogger, routerOptions } from '../../support/router-options.js';

const ROLES = { subscriber: {}, publisher: {} };
const EVENT = 36;
const TOPIC = 'com.example.fanout.topic';
/** `Buffer.from([0, 1, 2, 255])` in WAMP JSON. */
const BIN_JSON = '\u0000AAEC/w==';

/** Wraps a serializer and records every message it encodes and every frame it returns. */
class CountingSerializer implements WampSerializer {
  readonly encoded: { message: unknown[]; frame: Buffer | string }[] = [];
  /** Set to make encoding EVENTs throw (as for a value the format cannot carry). */
  failEvents = false;

  constructor(readonly inner: WampSerializer) {}

  get protocol(): string {
    return this.inner.protocol;
  }
  get binary(): boolean {
    return this.inner.binary;
  }
  get batched(): boolean {
    return this.inner.batched;
  }

  encode(message: readonly unknown[]): Buffer | string {
    if (this.failEvents && message[0] === EVENT) {
      this.encoded.push({ message: [...message], frame: '' });
      throw new Error('cannot encode this EVENT');
    }
    const frame = this.inner.encode(message);
    this.encoded.push({ message: [...message], frame });
    return frame;
  }

  decode(frame: Buffer): unknown[] {
    return this.inner.decode(frame);
  }

  /** The EVENT encodes so far. */
  get events(): { message: unknown[]; frame: Buffer | string }[] {
    return this.encoded.filter((e) => e.message[0] === EVENT);
  }

  /** A frame as a client would send it (not counted). */
  frame(message: unknown[]): Buffer {
    const encoded = this.inner.encode(message);
    return typeof encoded === 'string' ? Buffer.from(encoded) : encoded;
  }
}

/** A connection that keeps the EVENT frames as handed over (references) and the other messages. */
class RecordingConnection implements WampConnection {
  readonly frames: (Buffer | string)[] = [];
  readonly sent: unknown[][] = [];
  readonly transport: WampTransportInfo;

  constructor(readonly serializer: CountingSerializer) {
    this.transport = {
      type: 'websocket',
      protocol: serializer.protocol,
      remoteAddress: '127.0.0.1',
      secure: false,
      url: '/ws',
      headers: {},
    };
  }

  send(message: WampMessage): void {
    this.sent.push(encodeMessage(message));
  }

  sendEvent(frame: Buffer | string): void {
    this.frames.push(frame);
  }

  close(): void {}

  /** The EVENT frames as their text (JSON) or bytes: the broker hands text frames over as UTF-8 Buffers. */
  get wire(): (Buffer | string)[] {
    return this.frames.map((f) => (this.serializer.binary ? f : f.toString()));
  }

  /** The EVENT frames received, decoded with the connection's serializer. */
  events(): unknown[][] {
    return this.frames.map(
      (f) => this.serializer.decode(typeof f === 'string' ? Buffer.from(f) : f)[0] as unknown[],
    );
  }
}

interface Peer {
  name: string;
  connection: RecordingConnection;
  session: WampSession;
  serializer: CountingSerializer;
}

function setup() {
  const logger = recordingLogger();
  const router = new WampRouter(routerOptions({ maxPayload: 64 * 1024, logger }));
  const json = new CountingSerializer(new JsonSerializer());
  const msgpack = new CountingSerializer(new MsgpackSerializer());
  let request = 0;

  async function join(name: string, serializer: CountingSerializer): Promise<Peer> {
    const connection = new RecordingConnection(serializer);
    const session = router.openSession(connection);
    session.handleFrame(serializer.frame([1, 'realm1', { roles: ROLES }]));
    await flush();
    expect(session.state).toBe('established');
    connection.sent.length = 0;
    return { name, connection, session, serializer };
  }

  /** Subscribes `peer` and returns the subscription ID (SUBSCRIBED is synchronous without a hook). */
  function subscribe(peer: Peer, topic: string, options: Record<string, unknown> = {}): number {
    const id = ++request;
    peer.session.handleFrame(peer.serializer.frame([32, id, options, topic]));
    const subscribed = peer.connection.sent.find((m) => m[0] === 33 && m[1] === id);
    if (!subscribed) throw new Error(`${peer.name}: no SUBSCRIBED: ${JSON.stringify(peer.connection.sent)}`);
    return subscribed[2] as number;
  }

  /** Publishes with acknowledge and returns the publication ID. */
  function publish(
    peer: Peer,
    topic: string,
    options: Record<string, unknown>,
    ...payload: unknown[]
  ): number {
    const id = ++request;
    peer.session.handleFrame(
      peer.serializer.frame([16, id, { acknowledge: true, ...options }, topic, ...payload]),
    );
    const published = peer.connection.sent.find((m) => m[0] === 17 && m[1] === id);
    if (!published) throw new Error(`${peer.name}: no PUBLISHED: ${JSON.stringify(peer.connection.sent)}`);
    return published[2] as number;
  }

  return { router, logger, json, msgpack, join, subscribe, publish };
}

async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

/** Joins 5 JSON and 3 msgpack sessions, interleaved (so the per-serializer frame cache is exercised). */
async function eightSubscribers(ctx: ReturnType<typeof setup>) {
  const order: ('json' | 'msgpack')[] = [
    'json',
    'msgpack',
    'json',
    'json',
    'msgpack',
    'json',
    'msgpack',
    'json',
  ];
  const peers: Peer[] = [];
  let j = 0;
  let m = 0;
  for (const kind of order) {
    peers.push(await ctx.join(kind === 'json' ? `J${++j}` : `M${++m}`, ctx[kind]));
  }
  return {
    peers,
    jsonPeers: peers.filter((p) => p.serializer === ctx.json),
    msgpackPeers: peers.filter((p) => p.serializer === ctx.msgpack),
  };
}

describe('broker fan-out: one encode per serializer', () => {
  it('one PUBLISH to 5 JSON + 3 msgpack subscribers: 2 EVENT encodes, one shared frame per serializer', async () => {
    const ctx = setup();
    const { peers, jsonPeers, msgpackPeers } = await eightSubscribers(ctx);
    const subscription = ctx.subscribe(peers[0], TOPIC);
    for (const peer of peers.slice(1)) expect(ctx.subscribe(peer, TOPIC)).toBe(subscription);
    const publisher = await ctx.join('publisher', ctx.json);

    const publication = ctx.publish(publisher, TOPIC, {}, ['hello', 42], { bin: BIN_JSON });

    expect(ctx.json.events).toHaveLength(1);
    expect(ctx.msgpack.events).toHaveLength(1);
    const jsonFrame = ctx.json.events[0].frame;
    const msgpackFrame = ctx.msgpack.events[0].frame;
    expect(typeof jsonFrame).toBe('string');
    expect(Buffer.isBuffer(msgpackFrame)).toBe(true);
    // JSON text is turned into bytes once for all subscribers (ws would otherwise convert it per send).
    const sharedJsonFrame = jsonPeers[0]!.connection.frames[0];
    expect(Buffer.isBuffer(sharedJsonFrame)).toBe(true);
    expect(sharedJsonFrame!.toString()).toBe(jsonFrame);
    for (const peer of jsonPeers) {
      expect(peer.connection.frames).toHaveLength(1);
      // The same Buffer object, not an equal copy.
      expect(peer.connection.frames[0]).toBe(sharedJsonFrame);
    }
    for (const peer of msgpackPeers) {
      expect(peer.connection.frames).toHaveLength(1);
      // The same Buffer object, not an equal copy.
      expect(peer.connection.frames[0]).toBe(msgpackFrame);
    }
    expect(publisher.connection.frames).toEqual([]);
    // Both frames carry the same EVENT (binary as bytes whatever the wire format).
    const expected = [
      EVENT,
      subscription,
      publication,
      {},
      ['hello', 42],
      { bin: Buffer.from([0, 1, 2, 255]) },
    ];
    for (const peer of peers) expect(peer.connection.events()).toEqual([expected]);
    expect(ctx.logger.errors).toEqual([]);
  });

  it('exact + prefix (+ wildcard) subscriptions matching one topic: one encode per serializer per subscription', async () => {
    const ctx = setup();
    const { peers } = await eightSubscribers(ctx);
    const byName = new Map(peers.map((p) => [p.name, p]));
    const peer = (name: string) => byName.get(name)!;
    // exact: J1 J2 J3 M1 M3; prefix: J3 J4 J5 M2 M3; wildcard: J1 only (no msgpack subscriber)
    const exact = ['J1', 'J2', 'J3', 'M1', 'M3'].map((n) => ctx.subscribe(peer(n), TOPIC))[0];
    const prefix = ['J3', 'J4', 'J5', 'M2', 'M3'].map((n) =>
      ctx.subscribe(peer(n), 'com.example.fanout', { match: 'prefix' }),
    )[0];
    const wildcard = ctx.subscribe(peer('J1'), 'com.example..topic', { match: 'wildcard' });
    expect(new Set([exact, prefix, wildcard]).size).toBe(3);
    const publisher = await ctx.join('publisher', ctx.msgpack);

    const publication = ctx.publish(publisher, TOPIC, {}, ['x']);

    // JSON: exact, prefix, wildcard; msgpack: exact, prefix.
    expect(ctx.json.events.map((e) => e.message[1]).sort()).toEqual([exact, prefix, wildcard].sort());
    expect(ctx.msgpack.events.map((e) => e.message[1]).sort()).toEqual([exact, prefix].sort());
    const frameOf = (serializer: CountingSerializer, subscription: number) =>
      serializer.events.find((e) => e.message[1] === subscription)!.frame;

    const expectedFrames: Record<string, number[]> = {
      J1: [exact, wildcard],
      J2: [exact],
      J3: [exact, prefix],
      J4: [prefix],
      J5: [prefix],
      M1: [exact],
      M2: [prefix],
      M3: [exact, prefix],
    };
    for (const p of peers) {
      const subscriptions = expectedFrames[p.name];
      // The frame objects handed to this connection, in whatever order the subscriptions were matched.
      expect({ peer: p.name, frames: p.connection.frames.length }).toEqual({
        peer: p.name,
        frames: subscriptions.length,
      });
      for (const s of subscriptions) expect(p.connection.wire).toContain(frameOf(p.serializer, s));
      const details = (s: number) => (s === exact ? {} : { topic: TOPIC });
      expect(p.connection.events()).toEqual(
        expect.arrayContaining(subscriptions.map((s) => [EVENT, s, publication, details(s), ['x']])),
      );
    }
  });

  it('a publication whose exclude list removes every msgpack session: msgpack is not encoded at all', async () => {
    const ctx = setup();
    const { peers, jsonPeers, msgpackPeers } = await eightSubscribers(ctx);
    for (const p of peers) ctx.subscribe(p, TOPIC);
    const publisher = await ctx.join('publisher', ctx.json);

    ctx.publish(publisher, TOPIC, { exclude: msgpackPeers.map((p) => p.session.id) }, ['json only']);
    expect(ctx.json.events).toHaveLength(1);
    expect(ctx.msgpack.events).toHaveLength(0);
    for (const p of jsonPeers) expect(p.connection.wire).toEqual([ctx.json.events[0].frame]);
    for (const p of msgpackPeers) expect(p.connection.frames).toEqual([]);

    // The other way round, with a white list of msgpack sessions: JSON is not encoded.
    ctx.publish(publisher, TOPIC, { eligible: msgpackPeers.map((p) => p.session.id) }, ['msgpack only']);
    expect(ctx.json.events).toHaveLength(1);
    expect(ctx.msgpack.events).toHaveLength(1);
    for (const p of msgpackPeers) expect(p.connection.frames).toEqual([ctx.msgpack.events[0].frame]);
  });

  it('server-side publication (publishFromServer) with exclude: same rule', async () => {
    const ctx = setup();
    const { peers, jsonPeers, msgpackPeers } = await eightSubscribers(ctx);
    for (const p of peers) ctx.subscribe(p, TOPIC);
    const broker = ctx.router.realms.get('realm1')!.broker;

    broker.publishFromServer(TOPIC, [Buffer.from([1])], undefined, {
      exclude: jsonPeers.map((p) => p.session.id),
    });
    expect(ctx.json.events).toHaveLength(0);
    expect(ctx.msgpack.events).toHaveLength(1);
    for (const p of msgpackPeers) expect(p.connection.frames).toEqual([ctx.msgpack.events[0].frame]);
    for (const p of jsonPeers) expect(p.connection.frames).toEqual([]);
  });

  it('the publisher being the only msgpack subscriber (publisher exclusion): msgpack is not encoded', async () => {
    const ctx = setup();
    const jsonPeers = [await ctx.join('J1', ctx.json), await ctx.join('J2', ctx.json)];
    const publisher = await ctx.join('M1', ctx.msgpack);
    for (const p of [...jsonPeers, publisher]) ctx.subscribe(p, TOPIC);

    ctx.publish(publisher, TOPIC, {}, ['not to myself']);
    expect(ctx.json.events).toHaveLength(1);
    expect(ctx.msgpack.events).toHaveLength(0);

    ctx.publish(publisher, TOPIC, { exclude_me: false }, ['to myself too']);
    expect(ctx.json.events).toHaveLength(2);
    expect(ctx.msgpack.events).toHaveLength(1);
    expect(publisher.connection.frames).toEqual([ctx.msgpack.events[0].frame]);
  });

  it('a serializer that cannot encode the EVENT is tried once per subscription; the others still deliver', async () => {
    const ctx = setup();
    const { peers, jsonPeers, msgpackPeers } = await eightSubscribers(ctx);
    for (const p of peers) ctx.subscribe(p, TOPIC);
    const publisher = await ctx.join('publisher', ctx.json);
    ctx.msgpack.failEvents = true;

    ctx.publish(publisher, TOPIC, {}, ['x']);
    expect(ctx.msgpack.events).toHaveLength(1); // attempted once, not once per msgpack subscriber
    expect(ctx.json.events).toHaveLength(1);
    for (const p of msgpackPeers) expect(p.connection.frames).toEqual([]);
    for (const p of jsonPeers) expect(p.connection.wire).toEqual([ctx.json.events[0].frame]);
    expect(ctx.logger.errors).toEqual([
      'Cannot encode an EVENT for wamp.2.msgpack: cannot encode this EVENT',
    ]);
    // The sessions stay open.
    for (const p of peers) expect(p.session.state).toBe('established');
  });
});

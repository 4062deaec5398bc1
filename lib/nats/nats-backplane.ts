import { randomUUID } from 'node:crypto';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { engineConsoleLogger } from '../core/backplane/engine-console-logger.js';
import { ReplicatedRetentionStore } from '../core/backplane/replicated-retention-store.js';
import { settleWithin } from '../core/backplane/settle-within.js';
import type { WampBackplane } from '../core/backplane/wamp-backplane.interface.js';
import type { WampRetentionStore } from '../core/router/broker/retention-store.js';
import type { WampLogger } from '../core/router/wamp-logger.interface.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { MessageParts } from './message-parts.js';
import { NatsOutbox } from './nats-outbox.js';
import { ReceivedMessages } from './received-messages.js';
import { afterCreationRace } from './creation-race.js';
import { bucketKey, subjectToken } from './nats-names.js';
import type { NatsBackplaneOptions } from './nats-backplane.options.js';

type Receiver = (payload: Uint8Array, from: string) => void;

/** Header naming the instance that sent a message. */
const SENDER = 'Wamp-Node';
/** Header numbering a sender's messages, `<epoch> <number>`: a copy stored twice (sent again) is read once. */
const MESSAGE = 'Wamp-Message';
/** Header of one part of a message too large for one: `<message> <part> <count>`. */
const PART = 'Wamp-Part';
/** How far before a subscription it starts reading (ms), for the time reaching the server takes. */
const START_MARGIN_MS = 1000;
/** How often a claim is retried when another instance changed the key in between (compare-and-set). */
const CLAIM_ATTEMPTS = 20;
/** Pause between attempts to reach a server that was not there at startup, and before reading again after a failure. */
const RETRY_MS = 250;
/** How long a first connection may take before it is tried again. */
const CONNECT_TIMEOUT_MS = 2000;
/** How long a broadcast made while the server is away waits for it before it fails. */
const OFFLINE_TIMEOUT_MS = 30_000;
/** Milliseconds of delivering what was read per turn of the event loop (as a connection's read budget). */
const DISPATCH_BUDGET_MS = 5;
/** How long closing waits for the server to take what was sent, and to close. */
const CLOSE_TIMEOUT_MS = 1000;

/** One holder of a claim, as stored in the bucket. */
interface StoredHolder {
  readonly tag: string;
  readonly exclusive: boolean;
  /** Expiry in the NATS server's clock (ms since the epoch): instances whose clocks disagree still agree on it. */
  readonly expires: number;
}

/** A JetStream stream as this connection found or made it. */
interface EnsuredStream {
  readonly client: JetStreamClient;
  /** When the server created it: a different value after a server restarted without its store. */
  readonly created: string;
}

/** One subject followed on a stream, for one receiver. */
interface StreamReader {
  readonly stream: 'channels' | 'retained';
  readonly subject: string;
  readonly receive: Receiver;
  /** Where reading starts the first time: a server time (ms) for channels, the beginning for retained events. */
  readonly startTime?: number;
  readonly parts: MessageParts;
  readonly received: ReceivedMessages;
  stopped: boolean;
  /** Bumped each time reading starts again: an older reading loop ends when it sees it changed. */
  generation: number;
  messages?: ConsumerMessages;
  /** The stream (its creation time) and sequence of the last message read: where reading resumes. */
  streamCreated?: string;
  lastSequence: number;
}

/**
 * The NATS engine of the backplane ({@link WampBackplane}). Channels are subjects of one JetStream stream, read by
 * ordered consumers from a second before each subscription (in the server's clock), so a broadcast is stored
 * before anyone is told it was sent, reaches every instance in each sender's order, and one made while an instance
 * was cut off is read when it is back. Messages larger than the server's `max_payload` go in parts. Claims live in
 * a key-value bucket, decided by compare-and-set, their expiry in the server's clock. Retained events are kept in
 * memory on every instance and replicated through a second stream that an instance that starts replays.
 *
 * A server not there at startup is tried again until it is (the router refuses sessions after `backplaneLease`
 * meanwhile); after a loss of connection the engine makes its streams and bucket again if the server lost them
 * (restarted without its store), and each reader resumes after its last message, or from the beginning of a
 * stream made anew.
 *
 * @example
 * WampModule.forRoot({ backplane: new NatsBackplane({ servers: process.env.NATS_URL }) })
 */
export class NatsBackplane implements WampBackplane {
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly logger: WampLogger;
  private readonly ownsConnection: boolean;
  private connection?: NatsConnection;
  /** Publishes broadcasts on the current connection, with JetStream's acknowledgments. */
  private publisher?: JetStreamPublisher;
  /** Settles when the server is reachable (again); replaced at each loss of connection. */
  private reachable!: Promise<NatsConnection>;
  private markReachable!: (connection: NatsConnection) => void;
  private failReachable!: (error: Error) => void;
  private retryTimer?: NodeJS.Timeout;
  private isConnected = false;
  private everConnected = false;
  private lastMessage = 0;
  /** Tells this backplane object's messages from those of an earlier process with the same node ID. */
  private readonly epoch = randomUUID();
  private readonly outbox: NatsOutbox;
  private readonly streams = new Map<'channels' | 'retained', Promise<EnsuredStream>>();
  /** The channels' stream once known for the current connection: broadcasts go out at once, in order. */
  private channelsReady?: EnsuredStream;
  private claimsBucket?: Promise<KV>;
  private clockOffset?: Promise<number>;
  private readonly readers = new Set<StreamReader>();
  private readonly stores = new Map<string, ReplicatedRetentionStore>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private closed = false;

  constructor(private readonly options: NatsBackplaneOptions = {}) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.prefix = options.subjectPrefix ?? 'nestjs-wamp';
    // It names subjects, streams and a bucket: NATS allows these characters in all of them, and a long prefix
    // would lengthen every protocol line.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(this.prefix)) {
      throw new Error(
        `NatsBackplane: subjectPrefix "${this.prefix}" must be 1 to 64 letters, digits, "-" or "_".`,
      );
    }
    this.logger = options.logger ?? engineConsoleLogger;
    this.ownsConnection = options.connection === undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the outbox asks through a getter
    const backplane = this;
    this.outbox = new NatsOutbox({
      get ready() {
        return backplane.isConnected && backplane.channelsReady !== undefined;
      },
      whenReady: () => this.stream('channels').then(() => undefined),
    });
    this.waitForServer();
    if (options.connection) this.adopt(options.connection);
    else this.attemptConnection(true);
  }

  /** Whether this instance is connected to the NATS server now. */
  get connected(): boolean {
    return this.isConnected;
  }

  broadcast(channel: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('NatsBackplane: closed.'));
    const subject = this.channelSubject(channel);
    const number = ++this.lastMessage;
    return new Promise((resolve, reject) =>
      this.outbox.push({
        send: () => this.publish(subject, number, payload),
        deadline: Date.now() + OFFLINE_TIMEOUT_MS,
        resolve,
        reject,
      }),
    );
  }

  subscribe(channel: string, receive: Receiver): () => void {
    return this.follow({
      stream: 'channels',
      subject: this.channelSubject(channel),
      receive,
      // From a second before now: a broadcast made once this call returned is read, whenever the consumer
      // reaches the server (as the Redis engine reads from Redis's clock less a margin).
      startTime: Date.now() - START_MARGIN_MS,
    });
  }

  async claim(key: string, tag: string, exclusive: boolean, leaseMs: number): Promise<string | undefined> {
    if (this.closed) throw new Error('NatsBackplane: closed.');
    const bucket = await this.claims();
    const offset = await this.serverClockOffset();
    const name = bucketKey(key);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const entry = await bucket.get(name);
      const stored = entry?.operation === 'PUT' ? readHolders(entry.string()) : {};
      const now = Date.now() + offset;
      const holders: Record<string, StoredHolder> = {};
      for (const [node, holder] of Object.entries(stored)) {
        if (holder.expires <= now) continue;
        if (node !== this.nodeId && (exclusive || holder.exclusive || holder.tag !== tag)) return holder.tag;
        holders[node] = holder;
      }
      holders[this.nodeId] = { tag, exclusive, expires: now + leaseMs };
      try {
        if (entry?.operation === 'PUT') await bucket.update(name, JSON.stringify(holders), entry.revision);
        else await bucket.create(name, JSON.stringify(holders));
        return undefined;
      } catch {
        // Another instance changed the key in between: read it again.
      }
    }
    throw new Error(`NatsBackplane: the claim on "${key}" kept changing under ${CLAIM_ATTEMPTS} attempts.`);
  }

  async release(key: string): Promise<void> {
    if (this.closed) return;
    const bucket = await this.claims();
    const name = bucketKey(key);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const entry = await bucket.get(name);
      if (entry?.operation !== 'PUT') return;
      const holders = readHolders(entry.string());
      if (!(this.nodeId in holders)) return;
      delete holders[this.nodeId];
      try {
        await bucket.update(name, JSON.stringify(holders), entry.revision);
        return;
      } catch {
        // Changed in between: read it again.
      }
    }
  }

  retentionStore(realm: string): WampRetentionStore {
    const store = this.stores.get(realm);
    if (store) return store;
    const subject = `${this.prefix}.retained.${subjectToken(realm)}`;
    const created = new ReplicatedRetentionStore(
      {
        maxRetainedTopics: this.options.maxRetainedTopics ?? 1000,
        maxRetainedBytes: this.options.maxRetainedBytes ?? 8 * 1024 * 1024,
      },
      async (payload) => {
        const sender = headers();
        sender.set(SENDER, this.nodeId);
        await (await this.stream('retained')).client.publish(subject, payload, { headers: sender });
      },
      this.logger,
    );
    this.stores.set(realm, created);
    // Read from the beginning: retaining is idempotent (the latest per topic wins), so reading a retention twice
    // (after a loss of connection) changes nothing.
    this.follow({
      stream: 'retained',
      subject,
      receive: (payload, from) => created.replicate(payload, from === this.nodeId),
    });
    return created;
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // What was broadcast before closing goes out first, unless the server is away (nothing would store it).
    if (this.isConnected) await this.outbox.drained(CLOSE_TIMEOUT_MS);
    this.closed = true;
    this.outbox.close();
    this.publisher?.close();
    clearTimeout(this.retryTimer);
    this.failReachable(new Error('NatsBackplane: closed.'));
    for (const reader of this.readers) this.stopReading(reader);
    this.readers.clear();
    const connection = this.connection;
    if (!connection) return;
    if (this.isConnected) await settleWithin(connection.flush(), CLOSE_TIMEOUT_MS);
    if (this.ownsConnection) await settleWithin(connection.close(), CLOSE_TIMEOUT_MS);
  }

  /** A promise of the next time the server is reachable. */
  private waitForServer(): void {
    this.reachable = new Promise<NatsConnection>((resolve, reject) => {
      this.markReachable = resolve;
      this.failReachable = reject;
    });
    // Awaited only by what needs the server; a close while waiting must not be an unhandled rejection.
    this.reachable.catch(() => undefined);
  }

  /** Connects; a server not there yet is tried again every {@link RETRY_MS} until it is, or until closing. */
  private attemptConnection(first: boolean): void {
    if (this.closed) return;
    connect({
      servers: this.options.servers ?? 'nats://127.0.0.1:4222',
      name: `nestjs-wamp ${this.nodeId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: RETRY_MS,
      // A first connection the server dropped halfway (it died during the handshake) would otherwise wait 20 s.
      timeout: CONNECT_TIMEOUT_MS,
    }).then(
      (connection) => {
        if (this.closed) void connection.close();
        else this.adopt(connection);
      },
      (error: unknown) => {
        if (this.closed) return;
        if (first) this.logger.warn(`NatsBackplane: cannot connect yet (${String(error)}); trying again`);
        this.retryTimer = setTimeout(() => this.attemptConnection(false), RETRY_MS);
      },
    );
  }

  private adopt(connection: NatsConnection): void {
    this.connection = connection;
    this.publisher = new JetStreamPublisher(connection);
    this.connectionChanged(true);
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') this.connectionChanged(false);
        else if (status.type === 'reconnect') this.connectionChanged(true);
      }
    })();
  }

  /**
   * Lost: readers stop (they resume where they were once the server is back) and what depends on the server's
   * state is asked again then (it may have restarted without its store). Back: listeners are told, readers resume.
   */
  private connectionChanged(connected: boolean): void {
    if (this.closed || connected === this.isConnected) return;
    // The first connection is not news; a loss and a return are (the Redis engine's client reports them too).
    if (!connected) this.logger.warn('NatsBackplane: connection to NATS lost; reconnecting');
    else if (this.everConnected) this.logger.log('NatsBackplane: connected to NATS again');
    this.everConnected ||= connected;
    this.isConnected = connected;
    if (connected && this.connection) {
      this.markReachable(this.connection);
      for (const reader of this.readers) void this.read(reader);
    } else {
      this.waitForServer();
      this.streams.clear();
      this.channelsReady = undefined;
      this.claimsBucket = undefined;
      for (const reader of this.readers) this.stopReading(reader);
      // What waits for an acknowledgment may never get one: the outbox sends it again once the server is back.
      this.publisher?.failAll('NatsBackplane: connection to NATS lost.');
    }
    for (const listener of [...this.connectionListeners]) listener(connected);
  }

  /** Publishes message `number` on `subject`, in parts when it is larger than the server takes in one. */
  private async publish(subject: string, number: number, payload: Uint8Array): Promise<void> {
    const publisher = this.publisher;
    if (!this.channelsReady || !publisher || !this.isConnected)
      throw new Error('NatsBackplane: not connected.');
    const maxPart = Math.max(1024, (this.connection?.info?.max_payload ?? 1024 * 1024) - 1024);
    const count = Math.max(1, Math.ceil(payload.byteLength / maxPart));
    const sent: Promise<unknown>[] = [];
    for (let part = 0; part < count; part++) {
      const sender = headers();
      sender.set(SENDER, this.nodeId);
      sender.set(MESSAGE, `${this.epoch} ${number}`);
      if (count > 1) sender.set(PART, `${number} ${part} ${count}`);
      const bytes = payload.subarray(part * maxPart, Math.min(payload.byteLength, (part + 1) * maxPart));
      sent.push(publisher.publish(subject, bytes, sender));
    }
    await Promise.all(sent);
  }

  /** Starts following `reader` (now, or once the server is reachable); returns a function that stops. */
  private follow(
    reader: Omit<StreamReader, 'parts' | 'received' | 'stopped' | 'generation' | 'lastSequence'>,
  ): () => void {
    const following: StreamReader = {
      ...reader,
      parts: new MessageParts(),
      received: new ReceivedMessages(),
      stopped: false,
      generation: 0,
      lastSequence: 0,
    };
    this.readers.add(following);
    if (this.isConnected) void this.read(following);
    return () => {
      following.stopped = true;
      this.readers.delete(following);
      this.stopReading(following);
    };
  }

  private stopReading(reader: StreamReader): void {
    reader.generation++;
    reader.parts.clear();
    const messages = reader.messages;
    reader.messages = undefined;
    if (messages) void messages.close().catch(() => undefined);
  }

  /**
   * One reading of `reader`'s subject, until it is stopped or fails (then read again after {@link RETRY_MS}).
   * Where it starts: after the last message read when the stream is the one read before; from the beginning of a
   * stream made anew since (everything in it is newer); otherwise (nothing read yet) from the reader's start time.
   */
  private async read(reader: StreamReader): Promise<void> {
    const generation = ++reader.generation;
    const current = () => !reader.stopped && !this.closed && reader.generation === generation;
    try {
      const stream = await this.stream(reader.stream);
      const sameStream = reader.streamCreated === stream.created;
      let start: Partial<OrderedConsumerOptions>;
      if (sameStream && reader.lastSequence > 0) {
        start = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: reader.lastSequence + 1 };
      } else if (reader.startTime !== undefined && (sameStream || reader.streamCreated === undefined)) {
        const startTime = reader.startTime + (await this.serverClockOffset());
        start = {
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: new Date(startTime).toISOString(),
        };
      } else {
        start = { deliver_policy: DeliverPolicy.All };
      }
      if (!current()) return;
      const consumer = await stream.client.consumers.get(this.streamName(reader.stream), {
        // nats-server 2.9 (Debian 12's) takes the filter as one subject, not a list.
        filter_subjects: reader.subject,
        ...start,
      });
      const messages = await consumer.consume();
      if (!current()) {
        await messages.close();
        return;
      }
      reader.messages = messages;
      if (reader.streamCreated !== stream.created) reader.lastSequence = 0;
      reader.streamCreated = stream.created;
      let turnStarted = performance.now();
      for await (const message of messages) {
        if (!current()) break;
        // Messages already pulled are handed over without a turn of the event loop in between: after
        // DISPATCH_BUDGET_MS the loop lets the sessions' sockets have their turn (fair reading, as the Redis
        // engine does), so a burst from the other instances cannot hold this one's clients.
        if (performance.now() - turnStarted >= DISPATCH_BUDGET_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          turnStarted = performance.now();
          if (!current()) break;
        }
        reader.lastSequence = message.seq;
        const sender = message.headers?.get(SENDER) ?? '';
        const whole = reader.parts.add(sender, message.headers?.get(PART) || undefined, message.data);
        if (!whole) continue;
        // A copy of a message stored twice (its sender sent it again after losing the server) is dropped.
        const [epoch, number] = (message.headers?.get(MESSAGE) ?? '').split(' ');
        if (epoch && !reader.received.isNew(sender, epoch, Number(number))) continue;
        this.deliver(whole, sender, reader.receive);
      }
    } catch (error) {
      if (!current()) return;
      this.logger.warn(`NatsBackplane: reading ${reader.subject} failed (${String(error)}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      if (current() && this.isConnected) void this.read(reader);
    }
  }

  private deliver(payload: Uint8Array, from: string, receive: Receiver): void {
    try {
      receive(payload, from);
    } catch (error) {
      this.logger.error(
        'NatsBackplane: a receiver failed',
        error instanceof Error ? error.stack : String(error),
      );
    }
  }

  /** The claims' key-value bucket (made if missing) for the current connection. */
  private claims(): Promise<KV> {
    this.claimsBucket ??= this.reachable.then((connection) =>
      afterCreationRace(() => new Kvm(connection).create(`${this.prefix}-claims`, { history: 1 })),
    );
    const bucket = this.claimsBucket;
    // A failure is not kept: the next claim asks again.
    bucket.catch(() => {
      if (this.claimsBucket === bucket) this.claimsBucket = undefined;
    });
    return bucket;
  }

  /** A stream of this backplane (made if missing) for the current connection. */
  private stream(kind: 'channels' | 'retained'): Promise<EnsuredStream> {
    let ensured = this.streams.get(kind);
    if (ensured) return ensured;
    ensured = this.reachable.then(async (connection) => {
      const manager = await jetstreamManager(connection);
      const name = this.streamName(kind);
      const config =
        kind === 'channels'
          ? {
              name,
              subjects: [`${this.prefix}.channel.>`],
              max_msgs_per_subject: this.options.streamLength ?? 10_000,
            }
          : {
              name,
              subjects: [`${this.prefix}.retained.>`],
              max_msgs: this.options.retainedStreamLength ?? 20_000,
            };
      const info = await afterCreationRace(() =>
        manager.streams.info(name).then(
          () => manager.streams.update(name, config),
          () => manager.streams.add(config),
        ),
      );
      const made = { client: jetstream(connection), created: info.created };
      if (kind === 'channels' && this.streams.get(kind) === ensured) this.channelsReady = made;
      return made;
    });
    this.streams.set(kind, ensured);
    const kept = ensured;
    kept.catch(() => {
      if (this.streams.get(kind) === kept) this.streams.delete(kind);
    });
    return ensured;
  }

  private streamName(kind: 'channels' | 'retained'): string {
    return `${this.prefix}-${kind}`;
  }

  /**
   * How far the server's clock is ahead of this process's (ms): measured once, from the time the server stamped
   * on a probe message, less half the round trip.
   */
  private serverClockOffset(): Promise<number> {
    this.clockOffset ??= this.stream('channels').then(async ({ client }) => {
      const before = Date.now();
      const ack = await client.publish(this.channelSubject(`clock/${this.nodeId}`), new Uint8Array());
      const after = Date.now();
      const manager = await jetstreamManager(await this.reachable);
      const stored = await manager.streams.getMessage(this.streamName('channels'), { seq: ack.seq });
      return (stored?.time.getTime() ?? after) - (before + after) / 2;
    });
    const offset = this.clockOffset;
    offset.catch(() => {
      if (this.clockOffset === offset) this.clockOffset = undefined;
    });
    return offset;
  }

  private channelSubject(channel: string): string {
    return `${this.prefix}.channel.${subjectToken(channel)}`;
  }
}

function readHolders(text: string): Record<string, StoredHolder> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, StoredHolder>) : {};
  } catch {
    return {};
  }
}

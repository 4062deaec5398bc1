import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { WampBackplane } from '../core/backplane/wamp-backplane.interface.js';
import type { WampRetentionStore } from '../core/router/broker/retention-store.js';
import type { WampLogger } from '../core/router/wamp-logger.interface.js';
import type { RedisBackplaneOptions } from './redis-backplane.options.js';
import { engineConsoleLogger } from '../core/backplane/engine-console-logger.js';
import { ReplicatedRetentionStore } from '../core/backplane/replicated-retention-store.js';
import { settleWithin } from '../core/backplane/settle-within.js';

type Receiver = (payload: Uint8Array, from: string) => void;

/** Milliseconds of delivering what was read from Redis per turn of the event loop (as a connection's read budget). */
const DISPATCH_BUDGET_MS = 5;

/** How long closing waits for Redis to answer QUIT before it drops the connection. */
const QUIT_TIMEOUT_MS = 1000;

/** Broadcasts sent to Redis in one pipeline, at most (one write; the rest go in the next turns). */
const PIPELINE_LENGTH = 128;

/** How far back a new subscription starts reading, for the time reading Redis's clock took (ms). */
const START_MARGIN_MS = 1000;

/** A broadcast waiting for the end of the turn, and who waits for Redis to take it. */
interface OutgoingEntry {
  readonly key: string;
  readonly payload: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** One channel this instance reads: its stream key, where reading goes on from, and who receives. */
interface ReadChannel {
  readonly key: string;
  /** The last entry ID read (or the position reading starts after); `undefined` until it is known. */
  lastId?: string;
  readonly receivers: Set<Receiver>;
}

/**
 * One claim, decided inside Redis so that two instances claiming at once cannot both win. The claim's hash holds
 * one field per holding instance, `tag|exclusive|expiry` (expiry by Redis's clock, so the instances' clocks do
 * not matter); lapsed holders are removed on the way. Returns the tag of a holder in the way, or nil when granted.
 */
const CLAIM_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local node, tag, exclusive, lease = ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4])
local holders = redis.call('HGETALL', KEYS[1])
for i = 1, #holders, 2 do
  local holderTag, holderExclusive, expiry = string.match(holders[i + 1], '^(.*)|([01])|(%d+)$')
  if expiry == nil or tonumber(expiry) <= now then
    redis.call('HDEL', KEYS[1], holders[i])
  elseif holders[i] ~= node and (exclusive or holderExclusive == '1' or holderTag ~= tag) then
    return holderTag
  end
end
redis.call('HSET', KEYS[1], node, tag .. '|' .. ARGV[3] .. '|' .. (now + lease))
if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
return false
`;

/**
 * The Redis engine of the backplane: each channel is a Redis Stream. `broadcast` is an `XADD` (capped with
 * `MAXLEN ~`), and every instance reads every stream it follows with one blocking `XREAD` loop on a connection of
 * its own, from the last entry it read. So one sender's messages arrive in order everywhere, and an instance that
 * loses Redis for a while resumes where it stopped when ioredis reconnects: nothing is lost within the stream's
 * length and nothing is delivered twice (Redis pub/sub would lose what is sent while a node is disconnected).
 *
 * Retained events are kept in memory on every instance and replicated through a stream of their own, which an
 * instance that starts replays to rebuild them.
 *
 * @example
 * WampModule.forRoot({ backplane: new RedisBackplane({ url: process.env.REDIS_URL }) })
 */
export class RedisBackplane implements WampBackplane {
  readonly nodeId: string;
  private readonly writer: Redis;
  private readonly reader: Redis;
  private readonly ownsWriter: boolean;
  private readonly prefix: string;
  private readonly streamLength: number;
  private readonly logger: WampLogger;
  private readonly channels = new Map<string, ReadChannel>();
  /** Broadcasts of this turn, sent together by {@link RedisBackplane.flushOutbox}. */
  private readonly outbox: OutgoingEntry[] = [];
  private flushScheduled = false;
  private pipelinesInFlight = 0;
  private readonly stores = new Map<string, ReplicatedRetentionStore>();
  private readerId?: number;
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private isConnected = false;
  private clockOffset?: Promise<number>;
  private reading?: Promise<void>;
  private closed = false;

  constructor(private readonly options: RedisBackplaneOptions = {}) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.prefix = options.keyPrefix ?? 'nestjs-wamp:';
    this.streamLength = options.streamLength ?? 10_000;
    this.logger = options.logger ?? engineConsoleLogger;
    this.ownsWriter = options.client === undefined;
    this.writer = options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379');
    // Blocking reads hold their connection: they get one of their own. Without an 'error' listener, ioredis
    // would end the process on a dropped connection.
    this.reader = this.writer.duplicate();
    for (const [name, client] of [
      ['writer', this.writer],
      ['reader', this.reader],
    ] as const) {
      client.on('error', (error: Error) => {
        if (!this.closed) this.logger.warn(`RedisBackplane ${name}: ${error.message}`);
      });
      // Connected means both connections are ready: one to send, one to receive.
      for (const event of ['ready', 'close', 'end']) client.on(event, () => this.connectionChanged());
    }
    this.connectionChanged();
  }

  broadcast(channel: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('RedisBackplane: closed.'));
    return new Promise((resolve, reject) => {
      this.outbox.push({ key: this.streamKey(channel), payload, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Sends the outbox at the end of the current tick, unless a pipeline is still on its way to Redis: then what
   * accumulates meanwhile goes in the next one, sent as soon as that one is answered (so a burst of forwarded
   * calls costs a write per pipeline, not per message, while a lone broadcast leaves at once, before anything
   * the same code sends to clients afterwards).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.pipelinesInFlight > 0 || this.outbox.length === 0) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      this.flushOutbox();
    });
  }

  /**
   * Sends up to {@link PIPELINE_LENGTH} broadcasts of the outbox as one pipeline, in the order they were made;
   * at most that many, so that encoding a large burst does not hold the event loop.
   */
  private flushOutbox(): void {
    const batch = this.outbox.splice(0, PIPELINE_LENGTH);
    if (batch.length === 0) return;
    this.pipelinesInFlight++;
    const pipeline = this.writer.pipeline();
    for (const { key, payload } of batch) {
      pipeline.xadd(
        key,
        'MAXLEN',
        '~',
        this.streamLength,
        '*',
        'p',
        Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
        'n',
        this.nodeId,
      );
    }
    pipeline
      .exec()
      .then(
        (results) =>
          batch.forEach(({ resolve, reject }, index) => {
            const error = results?.[index]?.[0];
            if (error) reject(error);
            else resolve();
          }),
        (error: unknown) => batch.forEach(({ reject }) => reject(error)),
      )
      .finally(() => {
        this.pipelinesInFlight--;
        this.scheduleFlush();
      });
  }

  subscribe(channel: string, receive: Receiver): () => void {
    let read = this.channels.get(channel);
    if (!read) {
      read = { key: this.streamKey(channel), receivers: new Set() };
      this.channels.set(channel, read);
      this.startReadingFromNow(read);
    }
    read.receivers.add(receive);
    const receivers = read.receivers;
    return () => {
      receivers.delete(receive);
    };
  }

  retentionStore(realm: string): WampRetentionStore {
    let store = this.stores.get(realm);
    if (!store) {
      store = new ReplicatedRetentionStore(
        {
          maxRetainedTopics: this.options.maxRetainedTopics ?? 1000,
          maxRetainedBytes: this.options.maxRetainedBytes ?? 8 * 1024 * 1024,
        },
        (payload) =>
          this.writer
            .xadd(
              this.streamKey(`wamp/${realm}/retained`),
              'MAXLEN',
              '~',
              this.options.retainedStreamLength ?? 20_000,
              '*',
              'p',
              Buffer.from(payload),
              'n',
              this.nodeId,
            )
            .then(() => undefined),
        this.logger,
      );
      this.stores.set(realm, store);
      // From the start of the stream: an instance that starts rebuilds every retained event still kept.
      const read: ReadChannel = {
        key: this.streamKey(`wamp/${realm}/retained`),
        lastId: '0-0',
        receivers: new Set([(payload, from) => store?.replicate(payload, from === this.nodeId)]),
      };
      this.channels.set(`wamp/${realm}/retained`, read);
      this.wake();
    }
    return store;
  }

  claim(key: string, tag: string, exclusive: boolean, leaseMs: number): Promise<string | undefined> {
    if (this.closed) return Promise.reject(new Error('RedisBackplane: closed.'));
    return this.writer
      .eval(CLAIM_SCRIPT, 1, this.claimKey(key), this.nodeId, tag, exclusive ? '1' : '0', Math.ceil(leaseMs))
      .then((holder) => (typeof holder === 'string' ? holder : undefined));
  }

  release(key: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.writer.hdel(this.claimKey(key), this.nodeId).then(() => undefined);
  }

  /** Whether this instance is connected to the others now. */
  get connected(): boolean {
    return this.isConnected;
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private connectionChanged(): void {
    const connected = this.writer.status === 'ready' && this.reader.status === 'ready';
    if (connected === this.isConnected || this.closed) return;
    this.isConnected = connected;
    for (const listener of [...this.connectionListeners]) listener(connected);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // What was broadcast before closing goes out first (an instance's last words: its callees left, it leaves).
    while (this.outbox.length > 0) this.flushOutbox();
    this.closed = true;
    // Commands that wait for a reconnection are never answered once ioredis is told to disconnect (it stops
    // reconnecting without failing them): the read in progress is awaited only from a connected reader, and
    // QUIT (which waits for Redis's answer, so that the last broadcasts are in) is sent only on a connected
    // writer, for at most QUIT_TIMEOUT_MS (a connection that looks ready may be one Redis already dropped);
    // anything else is dropped, so that closing while Redis is unreachable neither hangs nor leaves a
    // reconnection timer holding the process.
    const readerConnected = this.reader.status === 'ready';
    this.reader.disconnect();
    if (readerConnected) await this.reading?.catch(() => undefined);
    if (!this.ownsWriter) return;
    if (this.writer.status === 'ready') await settleWithin(this.writer.quit(), QUIT_TIMEOUT_MS);
    // After QUIT, this only makes sure no reconnection is left pending.
    this.writer.disconnect();
  }

  private claimKey(key: string): string {
    return `${this.prefix}claim:${key}`;
  }

  private streamKey(channel: string): string {
    return `${this.prefix}${channel}`;
  }

  /**
   * Reads the channel from now. "Now" is Redis's clock (entry IDs are its milliseconds), less a margin for the
   * time the clock reading took: a broadcast any instance makes after this call is read, and so may be one made
   * up to {@link START_MARGIN_MS} before it (what a channel carries is meant for whoever listens, so an early
   * message reaches a receiver that had nobody to give it to yet, never a session twice).
   */
  private startReadingFromNow(read: ReadChannel): void {
    this.serverClockOffset()
      .then((offset) => {
        read.lastId = `${Math.max(0, Date.now() + offset - START_MARGIN_MS)}-0`;
        this.wake();
      })
      .catch((error: unknown) => {
        this.logger.error(`RedisBackplane: cannot start reading ${read.key}`, String(error));
      });
  }

  /** Redis's clock minus this process's, in ms, asked once. */
  private serverClockOffset(): Promise<number> {
    this.clockOffset ??= this.writer.time().then(([seconds, microseconds]) => {
      return Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000) - Date.now();
    });
    return this.clockOffset;
  }

  /** Starts the read loop, or interrupts its blocking read so that it follows a new channel. */
  private wake(): void {
    if (this.closed) return;
    if (!this.reading) {
      this.reading = this.readLoop();
      return;
    }
    // Twice: the loop may be between reads now, about to block on the channels it knew.
    const unblock = (): void => {
      if (this.readerId !== undefined && !this.closed) {
        this.writer.client('UNBLOCK', this.readerId).catch(() => undefined);
      }
    };
    unblock();
    setTimeout(unblock, 50).unref();
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      try {
        this.readerId ??= (await this.reader.client('ID')) as number;
        const ready = [...this.channels.values()].filter((read) => read.lastId !== undefined);
        if (ready.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const result = (await this.reader.xreadBuffer(
          'COUNT',
          1000,
          'BLOCK',
          2000,
          'STREAMS',
          ...ready.map((read) => read.key),
          ...ready.map((read) => read.lastId as string),
        )) as [Buffer, [Buffer, Buffer[]][]][] | null;
        if (result) await this.dispatch(result);
      } catch (error) {
        if (this.closed) return;
        this.logger.warn(`RedisBackplane: reading failed (${(error as Error).message}); retrying`);
        this.readerId = undefined;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /**
   * Hands the entries read to their receivers, in order, for at most {@link DISPATCH_BUDGET_MS} per turn of the
   * event loop: a burst from the other instances (a thousand entries, each fanned out to local subscribers) must
   * not hold this instance's sessions, as a client's pipelined burst does not (fair reading). The next read waits.
   */
  private async dispatch(result: [Buffer, [Buffer, Buffer[]][]][]): Promise<void> {
    const byKey = new Map([...this.channels.values()].map((read) => [read.key, read]));
    let turnStarted = performance.now();
    for (const [keyBuffer, entries] of result) {
      const read = byKey.get(keyBuffer.toString());
      if (!read) continue;
      for (const [idBuffer, fields] of entries) {
        if (performance.now() - turnStarted >= DISPATCH_BUDGET_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          if (this.closed) return;
          turnStarted = performance.now();
        }
        read.lastId = idBuffer.toString();
        let payload: Buffer | undefined;
        let from = '';
        for (let index = 0; index + 1 < fields.length; index += 2) {
          const name = fields[index].toString();
          if (name === 'p') payload = fields[index + 1];
          else if (name === 'n') from = fields[index + 1].toString();
        }
        if (!payload) continue;
        for (const receiver of [...read.receivers]) {
          try {
            receiver(payload, from);
          } catch (error) {
            this.logger.error(`RedisBackplane: a receiver of ${read.key} failed`, String(error));
          }
        }
      }
    }
  }
}

import { createInbox, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** How long a message may wait for JetStream's acknowledgment before it counts as not stored (ms). */
const ACK_TIMEOUT_MS = 5000;

/** A message waiting for its acknowledgment. */
interface Pending {
  readonly sentAt: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Publishes on stream subjects and learns when JetStream stored each message, at the cost of a core publish. The
 * JetStream client's own `publish` is a request: per message it makes a subscription entry, a timer and two error
 * objects with their stack traces (measured here: 150 µs a message, most of a core's time at a few thousand
 * broadcasts a second, and a burst held the event loop for half a second). Here every message names a reply
 * subject under one inbox of this connection, JetStream sends its acknowledgment there, and one subscription
 * settles them all; a message not acknowledged within {@link ACK_TIMEOUT_MS} fails, as does every message waiting
 * when the connection is lost (the outbox sends it again).
 */
export class JetStreamPublisher {
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly connection: NatsConnection) {
    this.inbox = createInbox();
    this.subscription = connection.subscribe(`${this.inbox}.*`, {
      callback: (error, message) => {
        if (error) return;
        this.acknowledged(
          Number(message.subject.slice(this.inbox.length + 1)),
          message.data,
          message.headers,
        );
      },
    });
    // Oldest first (a Map keeps insertion order): the sweep stops at the first message still in time.
    this.sweeper = setInterval(() => {
      const expired = Date.now() - ACK_TIMEOUT_MS;
      for (const [id, waiting] of this.pending) {
        if (waiting.sentAt > expired) break;
        this.pending.delete(id);
        waiting.reject(
          new Error(`NatsBackplane: JetStream did not acknowledge within ${ACK_TIMEOUT_MS} ms.`),
        );
      }
    }, 1000);
    this.sweeper.unref();
  }

  /** Publishes `data` on `subject`; resolves once JetStream stored it, rejects when it did not. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<void> {
    const id = ++this.lastId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { sentAt: Date.now(), resolve, reject });
      try {
        this.connection.publish(subject, data, { reply: `${this.inbox}.${id}`, headers });
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Fails every message waiting (the connection was lost: they may or may not have been stored). */
  failAll(reason: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) entry.reject(new Error(reason));
  }

  /** Stops listening for acknowledgments and fails what still waits. */
  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    this.failAll('NatsBackplane: closed.');
  }

  private acknowledged(id: number, data: Uint8Array, headers: MsgHdrs | undefined): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    // No stream on the subject: the server answers "no responders" (status 503) instead of an acknowledgment.
    if (headers?.hasError) {
      waiting.reject(new Error(`NatsBackplane: not stored (${headers.code} ${headers.description}).`));
      return;
    }
    let answer: { error?: { description?: string } };
    try {
      answer = JSON.parse(Buffer.from(data).toString()) as { error?: { description?: string } };
    } catch {
      waiting.reject(new Error('NatsBackplane: unreadable acknowledgment.'));
      return;
    }
    if (answer.error) waiting.reject(new Error(`NatsBackplane: not stored (${answer.error.description}).`));
    else waiting.resolve();
  }
}

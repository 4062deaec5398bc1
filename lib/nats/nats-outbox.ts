/** Pause before sending again after a failure (ms). */
const RETRY_PAUSE_MS = 100;

/** One broadcast waiting to be stored by JetStream, and who waits for it. */
export interface OutgoingMessage {
  /** Sends the message (every part of it); resolves once JetStream stored it. */
  readonly send: () => Promise<void>;
  /** Until when (ms since the epoch) it may still be sent; after that it fails. */
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** What the outbox sends through: the channels' stream, when it is known for the current connection. */
export interface OutboxTarget {
  /** `true` when messages can be sent now. */
  readonly ready: boolean;
  /** Settles when messages can be sent again (the server reachable, the stream there); rejects when closed. */
  whenReady(): Promise<void>;
}

/**
 * The broadcasts of one instance, in the order they were made, until JetStream stored each. They are sent at once
 * while the stream is there (many in flight); when one fails (the server went away, or came back without the
 * stream yet), sending stops, and once the stream is back every message not yet stored is sent again, in order,
 * so that a server restart loses nothing and changes no sender's order. A message may then be stored twice:
 * receivers drop the second copy (see {@link ReceivedMessages}). A message not stored by its deadline fails
 * (its caller reports it); so does everything waiting when the backplane closes.
 */
export class NatsOutbox {
  /** Sent or waiting, not yet stored: the head is the oldest. */
  private readonly queue: { message: OutgoingMessage; stored: boolean; generation: number }[] = [];
  /** Bumped when sending starts again: failures of an earlier sending change nothing. */
  private generation = 0;
  private recovering = false;
  private closed = false;

  constructor(private readonly target: OutboxTarget) {}

  /** Queues `message` and sends it at once when nothing is waiting before it. */
  push(message: OutgoingMessage): void {
    if (this.closed) {
      message.reject(new Error('NatsBackplane: closed.'));
      return;
    }
    const entry = { message, stored: false, generation: -1 };
    this.queue.push(entry);
    if (!this.recovering && this.target.ready) this.send(entry);
    else void this.recover();
  }

  /** Resolves once every message queued is stored, or after `timeoutMs` (closing waits for the last words). */
  async drained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Fails every message not yet stored. */
  close(): void {
    this.closed = true;
    for (const { message } of this.queue.splice(0)) message.reject(new Error('NatsBackplane: closed.'));
  }

  private send(entry: { message: OutgoingMessage; stored: boolean; generation: number }): void {
    const generation = this.generation;
    entry.generation = generation;
    entry.message.send().then(
      () => {
        entry.stored = true;
        // Answered in order: a message is answered once everything before it is stored.
        while (this.queue.length > 0 && this.queue[0].stored) this.queue.shift()?.message.resolve();
      },
      () => {
        if (generation === this.generation) void this.recover();
      },
    );
  }

  /** Stops sending, waits for the stream, then sends again everything not stored yet, oldest first. */
  private async recover(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    this.generation++;
    // A pause first, so that a failure the server keeps giving (not an outage) is not retried in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    try {
      for (;;) {
        // Woken when the stream is back, and every second meanwhile to fail what waited past its deadline.
        let tick: NodeJS.Timeout | undefined;
        await Promise.race([
          this.target.whenReady(),
          new Promise((resolve) => (tick = setTimeout(resolve, 1000))),
        ]);
        clearTimeout(tick);
        if (this.closed) return;
        const now = Date.now();
        const expired = new Error('NatsBackplane: the server was not reachable in time to store it.');
        // Expired messages can only be at the head: they were queued first.
        while (this.queue.length > 0 && !this.queue[0].stored && this.queue[0].message.deadline <= now)
          this.queue.shift()?.message.reject(expired);
        if (!this.target.ready) continue;
        const generation = ++this.generation;
        this.recovering = false;
        for (const entry of this.queue)
          if (!entry.stored && entry.generation !== generation) this.send(entry);
        return;
      }
    } catch {
      this.recovering = false;
    }
  }
}

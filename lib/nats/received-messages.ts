/** How many message numbers per sender are remembered to recognize a second copy. */
const WINDOW = 4096;
/** Senders remembered at most: instances come and go (a restarted one is a new sender), so the oldest is let go. */
const MAX_SENDERS = 256;

/**
 * Recognizes a message read twice: a sender's outbox sends again what JetStream had not confirmed when the
 * server went away, and some of it may have been stored already. Each message carries its sender's epoch (one per
 * backplane object, so a sender that restarts with the same node ID starts afresh) and number; the numbers seen
 * of the last {@link WINDOW} are remembered per sender, so a second copy is dropped, and a message that arrives
 * late (after a later one, as a resend can) is still delivered.
 */
export class ReceivedMessages {
  private readonly senders = new Map<string, { epoch: string; highest: number; seen: Set<number> }>();

  /** `true` the first time `sender`'s message `number` of `epoch` is seen; `false` for a copy. */
  isNew(sender: string, epoch: string, number: number): boolean {
    let known = this.senders.get(sender);
    if (!known || known.epoch !== epoch) {
      known = { epoch, highest: 0, seen: new Set() };
      this.senders.delete(sender);
      this.senders.set(sender, known);
      if (this.senders.size > MAX_SENDERS) this.senders.delete(this.senders.keys().next().value as string);
    }
    if (number <= known.highest - WINDOW || known.seen.has(number)) return false;
    known.seen.add(number);
    if (number > known.highest) known.highest = number;
    if (known.seen.size > 2 * WINDOW) {
      for (const seen of known.seen) if (seen <= known.highest - WINDOW) known.seen.delete(seen);
    }
    return true;
  }
}

/** How many message numbers per sender are remembered to recognize a second copy (a multiple of 8). */
const WINDOW = 4096;
/** Senders remembered at most: instances come and go (a restarted one is a new sender), so the oldest is let go. */
const MAX_SENDERS = 256;

/** What is remembered of one sender: a sliding window of the numbers seen, one bit each (512 bytes). */
interface SenderWindow {
  readonly epoch: string;
  highest: number;
  readonly seen: Uint8Array;
}

/**
 * Recognizes a message read twice: a sender's outbox sends again what JetStream had not confirmed when the
 * server went away, and some of it may have been stored already. Each message carries its sender's epoch (one per
 * backplane object, so a sender that restarts with the same node ID starts afresh) and number. Per sender, the
 * numbers seen among the last {@link WINDOW} are kept as bits (the anti-replay window of IPsec): a second copy is
 * dropped, a message that arrives late (after a later one, as a resend can) is still delivered, and the memory
 * per sender is fixed.
 */
export class ReceivedMessages {
  private readonly senders = new Map<string, SenderWindow>();

  /** `true` the first time `sender`'s message `number` of `epoch` is seen; `false` for a copy. */
  isNew(sender: string, epoch: string, number: number): boolean {
    if (!Number.isSafeInteger(number) || number < 1) return true;
    let window = this.senders.get(sender);
    if (!window || window.epoch !== epoch) {
      window = { epoch, highest: 0, seen: new Uint8Array(WINDOW / 8) };
      this.senders.delete(sender);
      this.senders.set(sender, window);
      if (this.senders.size > MAX_SENDERS) this.senders.delete(this.senders.keys().next().value as string);
    }
    if (number > window.highest) {
      // The numbers passed over leave the window: their bits are cleared for the numbers that take their place.
      const passed = Math.min(number - window.highest, WINDOW);
      for (let step = 1; step <= passed; step++) clear(window.seen, window.highest + step);
      window.highest = number;
      set(window.seen, number);
      return true;
    }
    if (number <= window.highest - WINDOW || isSet(window.seen, number)) return false;
    set(window.seen, number);
    return true;
  }
}

function set(bits: Uint8Array, number: number): void {
  const index = number % WINDOW;
  bits[index >> 3] |= 1 << (index & 7);
}

function clear(bits: Uint8Array, number: number): void {
  const index = number % WINDOW;
  bits[index >> 3] &= ~(1 << (index & 7));
}

function isSet(bits: Uint8Array, number: number): boolean {
  const index = number % WINDOW;
  return (bits[index >> 3] & (1 << (index & 7))) !== 0;
}

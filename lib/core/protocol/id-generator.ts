import { randomFillSync } from 'node:crypto';

/** Largest ID the router generates: 2^53 - 1 (the spec allows 2^53 on input, which is not a safe integer). */
export const MAX_GENERATED_ID = Number.MAX_SAFE_INTEGER;

const POOL_IDS = 512;

/**
 * Draws global IDs (session, publication, subscription, registration) uniformly from [1, 2^53 - 1].
 *
 * Random bytes come from a pooled buffer refilled 512 IDs at a time: calling `crypto.randomBytes` per
 * message cost fox-wamp 12% of its CPU (see the README's performance notes).
 *
 * @example
 * const ids = new RandomIdGenerator();
 * const sessionId = ids.next();
 */
export class RandomIdGenerator {
  private readonly pool = new Uint32Array(POOL_IDS * 2);
  private position = this.pool.length;

  /** Returns the next random ID in [1, 2^53 - 1]. */
  next(): number {
    for (;;) {
      if (this.position === this.pool.length) {
        randomFillSync(this.pool);
        this.position = 0;
      }
      // 21 high bits from one word and 32 from the next make a uniform 53-bit integer.
      const high = this.pool[this.position++] & 0x1fffff;
      const low = this.pool[this.position++];
      const id = high * 0x100000000 + low;
      if (id !== 0) return id;
    }
  }
}

/**
 * Sequential request IDs for one direction of one session (1, 2, 3, ...), as the spec asks for the
 * router's own requests (INVOCATION). Wraps back to 1 after 2^53 - 1.
 */
export class SequentialIdGenerator {
  private last = 0;

  /** Returns the next ID of the sequence. */
  next(): number {
    this.last = this.last === MAX_GENERATED_ID ? 1 : this.last + 1;
    return this.last;
  }
}

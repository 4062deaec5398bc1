import { SerializationError } from './serialization.error.js';

/**
 * Deepest nesting of arrays and dictionaries that the serializers accept on decode and produce on
 * encode. The WAMP message array itself is level 1, so a CALL's `Arguments` list is level 2.
 *
 * Why a limit: every format can express nesting far deeper than a recursive walker (ours, msgpackr's,
 * `JSON.stringify`, the router's own validation) can follow before the stack overflows. A peer could
 * otherwise send a frame that decodes fine and only blows up later, while the router re-encodes it for
 * other peers. Rejecting it once, where the frame comes in, keeps failure at the sender. 256 is well
 * above what real payloads use, and well below the stack depth of any of those walkers.
 */
export const MAX_NESTING_DEPTH = 256;

/** What one frame of a batched subprotocol (`wamp.2.*.batched`) may carry. */
export interface BatchLimits {
  /**
   * Most messages in one frame. A frame with more is refused before any of them is decoded: a 1 MiB frame
   * of 80,000 tiny PUBLISHes would otherwise run all of them in one turn of the event loop, stalling every
   * other session for a quarter of a second and overflowing its subscribers' buffers within that turn.
   */
  readonly maxBatchedMessages: number;
}

/** Batch limits used when none are given (`maxBatchedMessages` 100, the module's default). */
export const DEFAULT_BATCH_LIMITS: BatchLimits = Object.freeze({ maxBatchedMessages: 100 });

/** The error for a batched frame carrying more than `limit` messages. */
export function tooManyRecords(limit: number): SerializationError {
  return new SerializationError(
    `batched frame carries more than ${limit} messages (the router's maxBatchedMessages)`,
  );
}

import { decodeJsonText, decodeUtf8Frame, encodeJsonText, peekJsonRequest } from './json.codec.js';
import { SerializationError } from './serialization.error.js';
import { DEFAULT_BATCH_LIMITS, tooManyRecords, type BatchLimits } from './serialization-limits.js';
import type { RequestHead, WampSerializer } from './wamp-serializer.interface.js';

/**
 * The separator that ends every message of `wamp.2.json.batched`: ASCII RS (0x1E), as the WAMP spec
 * says. It can never appear raw inside JSON text (control characters must be escaped in strings and
 * are not whitespace), so splitting on it is unambiguous.
 *
 * Note: autobahn-python writes `b'\30'`, which is octal, so 0x18 (CAN). Its json.batched frames are
 * therefore rejected here, and it rejects ours.
 */
export const JSON_BATCH_SEPARATOR = '\u001e';

/**
 * `wamp.2.json.batched`: text frames holding one or more JSON messages, each followed by
 * {@link JSON_BATCH_SEPARATOR}. `encode` produces one record (message plus separator), so a transport
 * may concatenate records into one frame. `decode` requires the frame to end with a separator and every
 * record to be valid JSON.
 */
export class JsonBatchedSerializer implements WampSerializer {
  /** The WebSocket subprotocol name. */
  readonly protocol = 'wamp.2.json.batched';
  /** Frames are text. */
  readonly binary = false;
  /** Several messages may share a frame. */
  readonly batched = true;

  /** @param limits how many records one frame may carry (checked before any record is parsed) */
  constructor(private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS) {}

  /** Encodes one message as a record: JSON text followed by the separator. @throws SerializationError */
  encode(message: readonly unknown[]): string {
    return encodeJsonText(message) + JSON_BATCH_SEPARATOR;
  }

  /** Decodes every record of a frame, in order. @throws SerializationError */
  decode(frame: Buffer): unknown[] {
    const text = decodeUtf8Frame(frame);
    if (!text.endsWith(JSON_BATCH_SEPARATOR)) {
      throw new SerializationError('batched JSON frame does not end with the 0x1E record separator');
    }
    // Counted before splitting, so an over-full frame costs one scan for the separator, not a parse per record.
    const limit = this.limits.maxBatchedMessages;
    let count = 0;
    for (
      let at = text.indexOf(JSON_BATCH_SEPARATOR);
      at !== -1;
      at = text.indexOf(JSON_BATCH_SEPARATOR, at + 1)
    ) {
      if (++count > limit) throw tooManyRecords(limit);
    }
    const records = text.split(JSON_BATCH_SEPARATOR);
    records.pop(); // the empty string after the final separator
    const messages = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) messages[i] = decodeJsonText(records[i]);
    return messages;
  }

  /** The head of a frame holding exactly one record (its only separator is the last byte). */
  peekRequest(frame: Buffer): RequestHead | undefined {
    return frame.indexOf(0x1e) === frame.length - 1 ? peekJsonRequest(frame) : undefined;
  }
}

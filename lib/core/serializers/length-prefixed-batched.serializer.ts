import type { BinaryMessageCodec } from './binary-message.codec.js';
import { SerializationError } from './serialization.error.js';
import { DEFAULT_BATCH_LIMITS, tooManyRecords, type BatchLimits } from './serialization-limits.js';
import type { RequestHead, WampSerializer } from './wamp-serializer.interface.js';

/** Size of the big-endian unsigned length that precedes every message in a batched binary frame. */
const LENGTH_PREFIX_BYTES = 4;

/**
 * `wamp.2.msgpack.batched` and `wamp.2.cbor.batched`: binary frames holding one or more messages, each
 * preceded by its length as a 4-byte big-endian unsigned integer (as autobahn does for both formats).
 *
 * `encode` produces one length-prefixed record, written in place by the inner encoder, so a transport
 * may concatenate records into one frame. `decode` walks the frame record by record. A truncated
 * prefix, a length running past the end of the frame, an empty record, or an empty frame is a
 * `SerializationError`. So is a record that is not exactly one valid value.
 */
export class LengthPrefixedBatchedSerializer implements WampSerializer {
  /** `<inner protocol>.batched`, e.g. `wamp.2.msgpack.batched`. */
  readonly protocol: string;
  /** Frames are binary. */
  readonly binary = true;
  /** Several messages may share a frame. */
  readonly batched = true;

  /**
   * @param codec the unbatched serializer of the same format, e.g. a `MsgpackSerializer`
   * @param limits how many records one frame may carry (checked before any record is decoded)
   */
  constructor(
    private readonly codec: BinaryMessageCodec,
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  ) {
    this.protocol = `${codec.protocol}.batched`;
  }

  /** Encodes one message as a length-prefixed record. @throws SerializationError */
  encode(message: readonly unknown[]): Buffer {
    return this.codec.encodeLengthPrefixed(message);
  }

  /** Decodes every record of a frame, in order. @throws SerializationError */
  decode(frame: Buffer): unknown[] {
    if (!(frame instanceof Uint8Array)) throw new SerializationError('frame is not a Buffer');
    const end = frame.length;
    if (end === 0) throw new SerializationError('empty batched frame');
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const limit = this.limits.maxBatchedMessages;
    // The framing is checked and the records counted first: an over-full frame costs no decoding at all.
    const ranges: number[] = [];
    let offset = 0;
    while (offset < end) {
      if (end - offset < LENGTH_PREFIX_BYTES) {
        throw new SerializationError(`truncated length prefix at byte ${offset} of a batched frame`);
      }
      const length = view.getUint32(offset);
      offset += LENGTH_PREFIX_BYTES;
      if (length === 0) throw new SerializationError(`empty record at byte ${offset} of a batched frame`);
      if (length > end - offset) {
        throw new SerializationError(`record length ${length} runs past the end of the batched frame`);
      }
      if (ranges.length === 2 * limit) throw tooManyRecords(limit);
      ranges.push(offset, offset + length);
      offset += length;
    }
    const messages = new Array<unknown>(ranges.length / 2);
    for (let index = 0; index < messages.length; index++) {
      messages[index] = this.codec.decodeOne(frame.subarray(ranges[2 * index], ranges[2 * index + 1]));
    }
    return messages;
  }

  /** The head of a frame holding exactly one record (its length prefix covers the rest of the frame). */
  peekRequest(frame: Buffer): RequestHead | undefined {
    if (frame.length <= LENGTH_PREFIX_BYTES || frame.readUInt32BE(0) !== frame.length - LENGTH_PREFIX_BYTES) {
      return undefined;
    }
    return this.codec.peekRequest(frame.subarray(LENGTH_PREFIX_BYTES));
  }
}

import { Unpackr } from 'msgpackr';

import type { BinaryMessageCodec } from './binary-message.codec.js';
import { normalizeDecodedValue } from './decoded-value.normalizer.js';
import { peekMsgpackRequest, checkMsgpackStructure } from './msgpack-structure.guard.js';
import { MsgpackValueEncoder } from './msgpack-value.encoder.js';
import { SerializationError } from './serialization.error.js';
import { toSerializationError } from './to-serialization-error.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/**
 * `wamp.2.msgpack`: one WAMP message per binary WebSocket message, as MessagePack.
 *
 * Decoding uses msgpackr, set up for interoperability and safety:
 * - `useRecords: false`: msgpackr's record extension is not understood by other implementations.
 * - `mapsAsObjects: true`: maps become plain objects, the shared value model. msgpackr renames a
 *   `__proto__` key to `__proto_`, so a map can never set an object's prototype.
 * - `int64AsType: 'auto'`: uint64/int64 decode as numbers when safe and as bigints beyond (the normalizer
 *   turns those into numbers without mistaking 2^53 + 1 for 2^53), so the ID 2^53 arrives as
 *   9007199254740992. Beyond 2^53 precision is lost, as with JSON.
 * - `structuredClone: false`: refuses msgpackr's object-reference extensions (0x69/0x70), which would
 *   let a frame build cycles.
 * Every frame first goes through {@link checkMsgpackStructure}, which refuses extension types other than
 * `undefined` and 64-bit BigInts before msgpackr runs their handlers. The result then goes through
 * {@link normalizeDecodedValue}, which keeps only the shared value model.
 *
 * Encoding uses {@link MsgpackValueEncoder} rather than msgpackr's `Packr`, which writes every integer
 * above 32 bits as a float64.
 *
 * Decoded `bin` values are `Buffer` views into the frame (no copy), so callers must not reuse a frame's
 * memory after decoding it. ws allocates a fresh buffer per message.
 */
export class MsgpackSerializer implements BinaryMessageCodec {
  /** The WebSocket subprotocol name. */
  readonly protocol = 'wamp.2.msgpack';
  /** Frames are binary. */
  readonly binary = true;
  /** One message per frame. */
  readonly batched = false;

  private readonly encoder = new MsgpackValueEncoder();
  // 'auto' (numbers when safe, bigints beyond) works in msgpackr 2 but is missing from its typings.
  private readonly unpackr = new Unpackr({
    useRecords: false,
    mapsAsObjects: true,
    int64AsType: 'auto' as 'number',
    structuredClone: false,
  });

  /** Encodes one message as a MessagePack frame. @throws SerializationError */
  encode(message: readonly unknown[]): Buffer {
    return this.encoder.encode(message);
  }

  /** @inheritdoc */
  encodeLengthPrefixed(message: readonly unknown[]): Buffer {
    return this.encoder.encode(message, true);
  }

  /** Decodes a frame into its single message. @throws SerializationError */
  decode(frame: Buffer): unknown[] {
    return [this.decodeOne(frame)];
  }

  /** @inheritdoc */
  decodeOne(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) throw new SerializationError('frame is not a Buffer');
    // Before msgpackr: its extension handlers cannot be turned off, and some cost more than their size.
    const unusual = checkMsgpackStructure(bytes);
    let value: unknown;
    try {
      value = this.unpackr.unpack(bytes);
    } catch (error) {
      throw toSerializationError(error, 'invalid MessagePack');
    }
    // Only plain objects, arrays, primitives and byte arrays can come out of a frame the guard found nothing
    // unusual in: the normalizing walk (a quarter of the decoding time of a wide map) is skipped.
    return unusual ? normalizeDecodedValue(value, bytes.length) : value;
  }

  /** @inheritdoc */
  peekRequest(bytes: Uint8Array): RequestHead | undefined {
    return peekMsgpackRequest(bytes);
  }
}

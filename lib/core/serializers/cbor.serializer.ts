import { Decoder, type Options } from 'cbor-x';

import type { BinaryMessageCodec } from './binary-message.codec.js';
import { peekCborRequest, checkCborStructure } from './cbor-structure.guard.js';
import { CborValueEncoder } from './cbor-value.encoder.js';
import { normalizeDecodedValue } from './decoded-value.normalizer.js';
import { SerializationError } from './serialization.error.js';
import { toSerializationError } from './to-serialization-error.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/**
 * `wamp.2.cbor`: one WAMP message per binary WebSocket message, as CBOR (RFC 8949).
 *
 * Every frame first goes through {@link checkCborStructure}, which refuses tags other than 64-bit bignums
 * and byte arrays before cbor-x runs its handler for them (a large bignum tag cost cbor-x quadratic time).
 *
 * Decoding uses cbor-x with `useRecords: false` (its record tags are cbor-x specific),
 * `mapsAsObjects: true` (maps become plain objects; a `__proto__` key is renamed `__proto_`) and
 * 64-bit integers left as bigints (the normalizer turns them into numbers, 2^53 arriving as
 * 9007199254740992, without mistaking 2^53 + 1 for it, which `int64AsNumber` would). cbor-x
 * has no switch to turn its tag handlers off: tags decode to `Date`, `Set`, `Map` (tag 259),
 * `RegExp`/`Error` (tag 27), typed arrays, `Tag` objects, and shared references (tags 28/29, which can
 * build cycles). So the result goes through {@link normalizeDecodedValue}, which rejects all of those
 * and keeps only the shared value model. A tag 64 (typed `Uint8Array`) is accepted, since cbor-x's
 * default encoder, used by wampy, writes it for byte arrays.
 *
 * Encoding uses {@link CborValueEncoder} rather than cbor-x's `Encoder`, which writes every integer
 * above 32 bits as a float64 and uses 16-bit map headers.
 *
 * Decoded byte strings are views into the frame (no copy). Also, cbor-x caches a `dataView` property on
 * the Buffer it decodes.
 */
export class CborSerializer implements BinaryMessageCodec {
  /** The WebSocket subprotocol name. */
  readonly protocol = 'wamp.2.cbor';
  /** Frames are binary. */
  readonly binary = true;
  /** One message per frame. */
  readonly batched = false;

  private readonly encoder = new CborValueEncoder();
  private readonly decoder = new Decoder({
    useRecords: false,
    mapsAsObjects: true,
  } as Options);

  /** Encodes one message as a CBOR frame. @throws SerializationError */
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
    // Before cbor-x: its tag handlers cannot be turned off, and some cost more than their size (bignums).
    const unusual = checkCborStructure(bytes);
    let value: unknown;
    try {
      value = this.decoder.decode(bytes);
    } catch (error) {
      throw toSerializationError(error, 'invalid CBOR');
    }
    // Only plain objects, arrays, primitives and byte arrays can come out of a frame the guard found nothing
    // unusual in: the normalizing walk (a quarter of the decoding time of a wide map) is skipped.
    return unusual ? normalizeDecodedValue(value, bytes.length) : value;
  }

  /** @inheritdoc */
  peekRequest(bytes: Uint8Array): RequestHead | undefined {
    return peekCborRequest(bytes);
  }
}

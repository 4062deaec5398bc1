import { Decoder, type Options } from 'cbor-x';

import { checkCborStructure, peekCborRequest } from './cbor-structure.guard.js';
import { CborValueEncoder } from './cbor-value.encoder.js';
import { GuardedBinarySerializer } from './guarded-binary.serializer.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/**
 * `wamp.2.cbor`: one WAMP message per binary WebSocket message, as CBOR (RFC 8949).
 *
 * Every frame first goes through {@link checkCborStructure}, which refuses tags other than bignums of up to
 * 128 bits and byte arrays before cbor-x runs its handler for them (a large bignum tag cost cbor-x quadratic time).
 *
 * Decoding uses cbor-x with `useRecords: false` (its record tags are cbor-x specific),
 * `mapsAsObjects: true` (maps become plain objects; a `__proto__` key is renamed `__proto_`) and
 * 64-bit integers left as bigints: the normalizer turns those up to 2^53 in magnitude into numbers (2^53
 * arriving as 9007199254740992, without mistaking 2^53 + 1 for it, which `int64AsNumber` would) and keeps
 * larger ones as bigints, so they pass unchanged to other binary peers. cbor-x has no switch to turn its tag
 * handlers off: tags decode to `Date`, `Set`, `Map` (tag 259), `RegExp`/`Error` (tag 27), typed arrays, `Tag`
 * objects, and shared references (tags 28/29, which can build cycles). So the result goes through
 * `normalizeDecodedValue`, which rejects all of those and keeps only the shared value model. A tag 64
 * (typed `Uint8Array`) is accepted, since cbor-x's default encoder, used by wampy, writes it for byte arrays.
 *
 * Encoding uses {@link CborValueEncoder} rather than cbor-x's `Encoder`, which writes every integer
 * above 32 bits as a float64 and uses 16-bit map headers.
 *
 * Decoded byte strings are views into the frame (no copy). Also, cbor-x caches a `dataView` property on
 * the Buffer it decodes.
 */
export class CborSerializer extends GuardedBinarySerializer {
  /** The WebSocket subprotocol name. */
  readonly protocol = 'wamp.2.cbor';

  private readonly decoder = new Decoder({
    useRecords: false,
    mapsAsObjects: true,
  } as Options);

  constructor() {
    super(new CborValueEncoder(), 'CBOR');
  }

  /** @inheritdoc */
  peekRequest(bytes: Uint8Array): RequestHead | undefined {
    return peekCborRequest(bytes);
  }

  protected checkStructure(bytes: Uint8Array): boolean {
    return checkCborStructure(bytes);
  }

  protected decodeWithLibrary(bytes: Uint8Array): unknown {
    return this.decoder.decode(bytes);
  }
}

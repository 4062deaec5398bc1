import { Unpackr } from 'msgpackr';

import { GuardedBinarySerializer } from './guarded-binary.serializer.js';
import { checkMsgpackStructure, peekMsgpackRequest } from './msgpack-structure.guard.js';
import { MsgpackValueEncoder } from './msgpack-value.encoder.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/**
 * `wamp.2.msgpack`: one WAMP message per binary WebSocket message, as MessagePack.
 *
 * Decoding uses msgpackr, set up for interoperability and safety:
 * - `useRecords: false`: msgpackr's record extension is not understood by other implementations.
 * - `mapsAsObjects: true`: maps become plain objects, the shared value model. msgpackr renames a
 *   `__proto__` key to `__proto_`, so a map can never set an object's prototype.
 * - `int64AsType: 'auto'`: uint64/int64 decode as numbers when safe and as bigints beyond; the normalizer
 *   turns those up to 2^53 into numbers (the ID 2^53 arrives as 9007199254740992, without mistaking
 *   2^53 + 1 for it) and keeps larger ones as bigints, so they pass unchanged to other binary peers.
 * - `structuredClone: false`: refuses msgpackr's object-reference extensions (0x69/0x70), which would
 *   let a frame build cycles.
 * Every frame first goes through {@link checkMsgpackStructure}, which refuses extension types other than
 * `undefined` and 64-bit BigInts before msgpackr runs their handlers. The result then goes through
 * `normalizeDecodedValue`, which keeps only the shared value model.
 *
 * Encoding uses {@link MsgpackValueEncoder} rather than msgpackr's `Packr`, which writes every integer
 * above 32 bits as a float64.
 *
 * Decoded `bin` values are `Buffer` views into the frame (no copy), so callers must not reuse a frame's
 * memory after decoding it. ws allocates a fresh buffer per message.
 */
export class MsgpackSerializer extends GuardedBinarySerializer {
  /** The WebSocket subprotocol name. */
  readonly protocol = 'wamp.2.msgpack';

  // 'auto' (numbers when safe, bigints beyond) works in msgpackr 2 but is missing from its typings.
  private readonly unpackr = new Unpackr({
    useRecords: false,
    mapsAsObjects: true,
    int64AsType: 'auto' as 'number',
    structuredClone: false,
  });

  constructor() {
    super(new MsgpackValueEncoder(), 'MessagePack');
  }

  /** @inheritdoc */
  peekRequest(bytes: Uint8Array): RequestHead | undefined {
    return peekMsgpackRequest(bytes);
  }

  protected checkStructure(bytes: Uint8Array): boolean {
    return checkMsgpackStructure(bytes);
  }

  protected decodeWithLibrary(bytes: Uint8Array): unknown {
    return this.unpackr.unpack(bytes);
  }
}

import type { RequestHead, WampSerializer } from './wamp-serializer.interface.js';

/**
 * What a length-prefixed batched serializer needs from the unbatched serializer of the same format:
 * encoding a message directly behind a length prefix (no second copy), and decoding one message from
 * a slice of a frame.
 */
export interface BinaryMessageCodec extends WampSerializer {
  /** Encodes `message` preceded by its 4-byte big-endian length. */
  encodeLengthPrefixed(message: readonly unknown[]): Buffer;
  /**
   * Decodes exactly one value that fills `bytes` entirely.
   * @throws SerializationError on anything else
   */
  decodeOne(bytes: Uint8Array): unknown;
  /** {@link WampSerializer.peekRequest} for one message filling `bytes`. */
  peekRequest(bytes: Uint8Array): RequestHead | undefined;
}

import type { BinaryMessageCodec } from './binary-message.codec.js';
import { normalizeDecodedValue } from './decoded-value.normalizer.js';
import { SerializationError } from './serialization.error.js';
import { toSerializationError } from './to-serialization-error.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/** The encoder of a binary format: one message, optionally behind its 4-byte length. */
export interface BinaryValueWriter {
  encode(message: readonly unknown[], lengthPrefixed?: boolean): Buffer;
}

/**
 * What `wamp.2.msgpack` and `wamp.2.cbor` share: one message per binary frame, encoded by an encoder of our
 * own, decoded by a library only after a one-pass structure check of ours has refused what the library
 * would run handlers for (msgpack extensions, CBOR tags), and normalized into the shared value model only
 * when that check found something unusual. Each format supplies its check, its library call and its
 * request peek.
 */
export abstract class GuardedBinarySerializer implements BinaryMessageCodec {
  /** The WebSocket subprotocol name. */
  abstract readonly protocol: string;
  /** Frames are binary. */
  readonly binary = true;
  /** One message per frame. */
  readonly batched = false;

  constructor(
    private readonly writer: BinaryValueWriter,
    /** The format's name in error messages, e.g. `CBOR`. */
    private readonly format: string,
  ) {}

  /** Encodes one message as a frame. @throws SerializationError */
  encode(message: readonly unknown[]): Buffer {
    return this.writer.encode(message);
  }

  /** @inheritdoc */
  encodeLengthPrefixed(message: readonly unknown[]): Buffer {
    return this.writer.encode(message, true);
  }

  /** Decodes a frame into its single message. @throws SerializationError */
  decode(frame: Buffer): unknown[] {
    return [this.decodeOne(frame)];
  }

  /** @inheritdoc */
  decodeOne(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) throw new SerializationError('frame is not a Buffer');
    // Before the library: its extension/tag handlers cannot be turned off, and some cost more than their size.
    const unusual = this.checkStructure(bytes);
    let value: unknown;
    try {
      value = this.decodeWithLibrary(bytes);
    } catch (error) {
      throw toSerializationError(error, `invalid ${this.format}`);
    }
    // Only plain objects, arrays, primitives and byte arrays can come out of a frame the check found nothing
    // unusual in: the normalizing walk (a quarter of the decoding time of a wide map) is skipped.
    return unusual ? normalizeDecodedValue(value, bytes.length) : value;
  }

  /** @inheritdoc */
  abstract peekRequest(bytes: Uint8Array): RequestHead | undefined;

  /**
   * Walks the frame once and throws a SerializationError on what the format's library must not see;
   * returns whether anything needing normalization (an extension, a tag, a bigint) is present.
   */
  protected abstract checkStructure(bytes: Uint8Array): boolean;

  /** The library's decoding of a frame the check accepted. */
  protected abstract decodeWithLibrary(bytes: Uint8Array): unknown;
}

import { decodeJsonText, decodeUtf8Frame, encodeJsonText, peekJsonRequest } from './json.codec.js';
import type { RequestHead, WampSerializer } from './wamp-serializer.interface.js';

/**
 * `wamp.2.json`: one WAMP message per text WebSocket message, as JSON.
 *
 * Binary values follow the WAMP convention: a `Uint8Array`/`Buffer` travels as a string made of
 * U+0000 followed by the standard base64 of the bytes, and such strings decode back to `Buffer`s. A
 * message decoded from msgpack or CBOR can therefore be re-encoded here, and the other way round. See
 * {@link encodeJsonText} and {@link decodeJsonText} for the details and the fast paths.
 *
 * Encoding returns a string, which ws sends as a text frame.
 */
export class JsonSerializer implements WampSerializer {
  /** The WebSocket subprotocol name. */
  readonly protocol = 'wamp.2.json';
  /** Frames are text. */
  readonly binary = false;
  /** One message per frame. */
  readonly batched = false;

  /** Encodes one message as compact JSON text. @throws SerializationError */
  encode(message: readonly unknown[]): string {
    return encodeJsonText(message);
  }

  /**
   * Decodes a frame into its single message: whatever the JSON holds, even a non-array, which the
   * protocol decoder rejects. @throws SerializationError
   */
  decode(frame: Buffer): unknown[] {
    return [decodeJsonText(decodeUtf8Frame(frame))];
  }

  /** @inheritdoc */
  peekRequest(frame: Buffer): RequestHead | undefined {
    return peekJsonRequest(frame);
  }
}

/**
 * Turns WAMP messages (plain arrays) into WebSocket frames and back, for one subprotocol.
 *
 * The router core only ever sees arrays: every serializer hands out and takes the same JSON-style
 * value model (binary values are `Uint8Array`/`Buffer` whatever the wire format), so a message
 * received on one serializer can be re-encoded for a peer on another.
 */
export interface WampSerializer {
  /** WebSocket subprotocol name, e.g. `wamp.2.json` or `wamp.2.msgpack.batched`. */
  readonly protocol: string;
  /** Whether frames are binary (msgpack, cbor) or text (json). */
  readonly binary: boolean;
  /** Whether several messages may travel in one frame. */
  readonly batched: boolean;
  /**
   * Encodes one message. Text serializers return a `string` or a UTF-8 `Buffer`; binary ones a `Buffer`.
   * Throws when the value cannot be represented (e.g. nesting too deep).
   */
  encode(message: readonly unknown[]): Buffer | string;
  /**
   * Decodes one frame into the raw messages it carries (one, or several when batched).
   * Throws `SerializationError` on bytes that are not valid for this format; the result is not yet
   * validated as WAMP (that is the decoder's job).
   */
  decode(frame: Buffer): unknown[];
  /**
   * Reads the type and request ID of a frame's only message from its first bytes, without decoding the
   * rest; `undefined` when the frame does not start like a request `[type, id, ...]` or carries several
   * messages. Lets the router answer a frame over `maxPayload` with ERROR `payload_size_exceeded` without
   * paying for decoding what it refuses.
   */
  peekRequest?(frame: Buffer): RequestHead | undefined;
}

/** The first two elements of a message, `[type, request ID]`, as {@link WampSerializer.peekRequest} reads them. */
export interface RequestHead {
  readonly type: number;
  readonly request: number;
}

/**
 * WAMP serializers: WebSocket frames to message arrays and back, for every supported subprotocol.
 * Hot path: nothing here depends on NestJS.
 */
export type { WampSerializer } from './wamp-serializer.interface.js';
export { SerializationError } from './serialization.error.js';
export { MAX_NESTING_DEPTH, type BatchLimits } from './serialization-limits.js';
export { JsonSerializer } from './json.serializer.js';
export { JsonBatchedSerializer, JSON_BATCH_SEPARATOR } from './json-batched.serializer.js';
export { JSON_BINARY_PREFIX } from './json.codec.js';
export { MsgpackSerializer } from './msgpack.serializer.js';
export { CborSerializer } from './cbor.serializer.js';
export { LengthPrefixedBatchedSerializer } from './length-prefixed-batched.serializer.js';
export type { BinaryMessageCodec } from './binary-message.codec.js';
export {
  WAMP_SUBPROTOCOLS,
  type WampSubprotocol,
  SerializerRegistry,
  createSerializer,
  isWampSubprotocol,
} from './serializer-registry.js';

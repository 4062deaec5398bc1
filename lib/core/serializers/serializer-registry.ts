import { CborSerializer } from './cbor.serializer.js';
import { JsonBatchedSerializer } from './json-batched.serializer.js';
import { JsonSerializer } from './json.serializer.js';
import { LengthPrefixedBatchedSerializer } from './length-prefixed-batched.serializer.js';
import { MsgpackSerializer } from './msgpack.serializer.js';
import { DEFAULT_BATCH_LIMITS, type BatchLimits } from './serialization-limits.js';
import type { WampSerializer } from './wamp-serializer.interface.js';

/**
 * Every WebSocket subprotocol this package implements. This is also the default order of preference
 * when a subprotocol must be chosen without a client ordering.
 */
export const WAMP_SUBPROTOCOLS = [
  'wamp.2.json',
  'wamp.2.msgpack',
  'wamp.2.cbor',
  'wamp.2.json.batched',
  'wamp.2.msgpack.batched',
  'wamp.2.cbor.batched',
] as const;

/** Name of a supported WAMP WebSocket subprotocol. */
export type WampSubprotocol = (typeof WAMP_SUBPROTOCOLS)[number];

const SUPPORTED: ReadonlySet<string> = new Set(WAMP_SUBPROTOCOLS);

/** Whether `name` is a subprotocol this package implements (exact, case-sensitive match, as RFC 6455 asks). */
export function isWampSubprotocol(name: string): name is WampSubprotocol {
  return SUPPORTED.has(name);
}

/**
 * Creates the serializer for one subprotocol. Serializers are stateless between calls and encode and
 * decode synchronously, so a single instance can serve every connection.
 *
 * @param limits what a batched serializer accepts in one frame (see {@link BatchLimits})
 */
export function createSerializer(
  protocol: WampSubprotocol,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): WampSerializer {
  switch (protocol) {
    case 'wamp.2.json':
      return new JsonSerializer();
    case 'wamp.2.json.batched':
      return new JsonBatchedSerializer(limits);
    case 'wamp.2.msgpack':
      return new MsgpackSerializer();
    case 'wamp.2.msgpack.batched':
      return new LengthPrefixedBatchedSerializer(new MsgpackSerializer(), limits);
    case 'wamp.2.cbor':
      return new CborSerializer();
    case 'wamp.2.cbor.batched':
      return new LengthPrefixedBatchedSerializer(new CborSerializer(), limits);
    default:
      throw new TypeError(`unsupported WAMP subprotocol: ${String(protocol)}`);
  }
}

/**
 * The serializers of the enabled subprotocols, created once and shared by all connections.
 *
 * @example
 * const serializers = new SerializerRegistry(['wamp.2.json', 'wamp.2.msgpack']);
 * // in ws's handleProtocols(protocols):
 * const serializer = serializers.select(offered); // the msgpack or JSON serializer, or undefined
 */
export class SerializerRegistry {
  /** The enabled subprotocols, in the order given. */
  readonly protocols: readonly WampSubprotocol[];
  private readonly serializers = new Map<string, WampSerializer>();

  /**
   * @param enabled subprotocols to serve (default: all of {@link WAMP_SUBPROTOCOLS})
   * @param limits what a batched serializer accepts in one frame
   * @throws TypeError for a name that is not a supported subprotocol, so a configuration typo fails at startup
   */
  constructor(
    enabled: Iterable<WampSubprotocol> = WAMP_SUBPROTOCOLS,
    limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  ) {
    for (const protocol of enabled) {
      if (!isWampSubprotocol(protocol))
        throw new TypeError(`unsupported WAMP subprotocol: ${String(protocol)}`);
      if (!this.serializers.has(protocol)) this.serializers.set(protocol, createSerializer(protocol, limits));
    }
    this.protocols = [...this.serializers.keys()] as WampSubprotocol[];
  }

  /** The serializer for an enabled subprotocol, or `undefined` (for disabled and unknown names alike). */
  get(protocol: string): WampSerializer | undefined {
    return this.serializers.get(protocol);
  }

  /**
   * The serializer of the first client-offered subprotocol that is enabled here, or `undefined`. The client
   * lists subprotocols in its order of preference (RFC 6455 §4.1), so that order wins; names match exactly
   * (case-sensitive, as RFC 6455 asks).
   */
  select(offered: Iterable<string>): WampSerializer | undefined {
    for (const name of offered) {
      const serializer = this.serializers.get(name);
      if (serializer) return serializer;
    }
    return undefined;
  }

  /**
   * The serializer for the subprotocols offered in a `Sec-WebSocket-Protocol` header (comma-separated), or
   * `undefined` when none is enabled.
   */
  selectFromHeader(header: string | undefined): WampSerializer | undefined {
    if (!header) return undefined;
    return this.select(header.split(',').map((name) => name.trim()));
  }
}

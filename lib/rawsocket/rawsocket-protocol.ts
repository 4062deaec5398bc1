/**
 * WAMP RawSocket (the spec's "RawSocket transport"): a 4-octet handshake, then messages each behind a 4-octet
 * header. Parsed here into typed values once, at the edge; nothing below looks at raw octets again.
 *
 * Handshake, client to router: `0x7F`, `LLLL SSSS` (the client's maximum message length, 2^(9+LLLL) octets;
 * its serializer), two reserved octets that must be 0. The router answers `0x7F`, `LLLL SSSS` (its own maximum,
 * the serializer echoed) or `0x7F`, `EEEE 0000` (an error) and closes.
 *
 * Frame header: `RRRR XTTT` (reserved bits, must be 0; `TTT` 0 message, 1 PING, 2 PONG), then a 24-bit
 * big-endian payload length, at most the receiver's announced maximum.
 */

/** The first octet of every RawSocket handshake; never the first octet of an HTTP request or a TLS record. */
export const RAWSOCKET_MAGIC = 0x7f;

/** The serializers RawSocket names by number, and the WebSocket subprotocol of the same serializer. */
export const RAWSOCKET_SERIALIZERS: Readonly<Record<number, string>> = Object.freeze({
  1: 'wamp.2.json',
  2: 'wamp.2.msgpack',
  3: 'wamp.2.cbor',
});

/** Why a router refuses a handshake: the error numbers of the spec. */
export enum RawSocketHandshakeError {
  /** The serializer asked for is not supported. */
  SERIALIZER_UNSUPPORTED = 1,
  /** The maximum message length asked for is not acceptable. */
  MAX_LENGTH_UNACCEPTABLE = 2,
  /** Reserved bits were used (a feature this router does not know). */
  RESERVED_BITS_USED = 3,
  /** The router has reached its connection limit. */
  MAX_CONNECTIONS_REACHED = 4,
}

/** A client's handshake as the router understood it. */
export type RawSocketHandshake =
  | {
      readonly ok: true;
      /** The serializer's number (1 JSON, 2 MsgPack, 3 CBOR). */
      readonly serializerId: number;
      /** The largest message the client accepts, in octets (512 B to 16 MiB). */
      readonly clientMaxLength: number;
    }
  | { readonly ok: false; readonly error: RawSocketHandshakeError }
  /** Not RawSocket at all (the first octet is not 0x7F): the connection is dropped without an answer. */
  | { readonly ok: false; readonly error: 'not_rawsocket' };

/** Reads the client's 4-octet handshake. */
export function parseRawSocketHandshake(octets: Buffer): RawSocketHandshake {
  if (octets[0] !== RAWSOCKET_MAGIC) return { ok: false, error: 'not_rawsocket' };
  if (octets[2] !== 0 || octets[3] !== 0)
    return { ok: false, error: RawSocketHandshakeError.RESERVED_BITS_USED };
  const serializerId = octets[1] & 0x0f;
  const clientMaxLength = 2 ** (9 + (octets[1] >> 4));
  return { ok: true, serializerId, clientMaxLength };
}

/** The exponent (0-15) announcing `maxLength` octets: the largest 2^(9+n) not above it. */
export function lengthExponent(maxLength: number): number {
  let exponent = 0;
  while (exponent < 15 && 2 ** (9 + exponent + 1) <= maxLength) exponent++;
  return exponent;
}

/** The router's answer accepting a handshake: its own maximum (`maxLength`) and the serializer echoed. */
export function acceptReply(maxLength: number, serializerId: number): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, (lengthExponent(maxLength) << 4) | serializerId, 0, 0]);
}

/** The router's answer refusing a handshake. */
export function errorReply(error: RawSocketHandshakeError): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, error << 4, 0, 0]);
}

/** Frame types (`TTT`). */
export enum RawSocketFrameType {
  MESSAGE = 0,
  PING = 1,
  PONG = 2,
}

/** The largest payload a 24-bit length can carry (16 MiB - 1). */
export const RAWSOCKET_MAX_PAYLOAD = 0xffffff;

/** The 4-octet header of a frame of `type` carrying `length` octets. */
export function frameHeader(type: RawSocketFrameType, length: number): Buffer {
  return Buffer.from([type, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
}

import type { WampMessage } from '../protocol/wamp-message.interface.js';
import type { WampSerializer } from '../serializers/wamp-serializer.interface.js';
import type { WampTransportInfo } from './wamp-transport-info.interface.js';

/**
 * One client connection as the router core sees it. The WebSocket gateway implements it over `ws`;
 * unit tests implement it with a fake that records what was sent. Keeping this seam small is what lets
 * the protocol core run without Nest or sockets.
 */
export interface WampConnection {
  /** Serializer negotiated for this connection. */
  readonly serializer: WampSerializer;
  /** Transport details (subprotocol, address, upgrade headers). */
  readonly transport: WampTransportInfo;
  /**
   * Sends one typed message, encoded with the connection's serializer (through the protocol's one encoder,
   * `encodeMessage`). Throws when it cannot be encoded; the session catches that.
   */
  send(message: WampMessage): void;
  /**
   * Sends an EVENT frame already encoded with this connection's serializer (fan-out encodes once per
   * serializer). Unlike {@link WampConnection.send}, events are subject to the slow-consumer policy: when
   * the outbound buffer is over its limit they are dropped (and counted) or the connection is closed.
   */
  sendEvent(frame: Buffer | string): void;
  /**
   * Tells the transport that its peer produces traffic for others (it published, or sent a progressive
   * result), so that it may hold this peer's reading while the router's other peers are behind (backpressure
   * rather than loss). Optional: a transport without flow control ignores it.
   */
  producing?(): void;
  /**
   * Closes the transport, saying why in transport-neutral words; each transport maps them to its own (the
   * WebSocket close codes 1000, 1002, 1008 and 1001).
   */
  close(reason: ConnectionCloseReason, message: string): void;
}

/**
 * Why the router closes a connection: `normal` (GOODBYE, ABORT after a refusal), `protocol_error` (a protocol
 * violation), `policy_violation` (a consumer that does not read), `shutdown` (the router is going away).
 */
export type ConnectionCloseReason = 'normal' | 'protocol_error' | 'policy_violation' | 'shutdown';

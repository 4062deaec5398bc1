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
   * Closes the transport. `code` is a WebSocket close code (1000 normal, 1002 protocol error,
   * 1001 going away, 1009 too big).
   */
  close(code: number, reason: string): void;
}

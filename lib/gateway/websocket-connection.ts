import WebSocket from 'ws';
import type { WampConnection } from '../router/wamp-connection.interface.js';
import type { WampTransportInfo } from '../router/wamp-transport-info.interface.js';
import type { WampSerializer } from '../serializers/wamp-serializer.interface.js';

/** How long a closing socket may take to finish the WebSocket close handshake before it is cut. */
const CLOSE_HANDSHAKE_TIMEOUT = 2000;

/**
 * A {@link WampConnection} over one `ws` socket. Also carries the keepalive bookkeeping the gateway's
 * single sweep timer reads (one timer for all connections rather than one per connection).
 */
export class WebSocketConnection implements WampConnection {
  /** Last time anything (message or pong) arrived, in ms since epoch. */
  lastSeen = Date.now();
  /** When the outstanding keepalive ping was sent, or 0 when none is outstanding. */
  pingSentAt = 0;
  private readonly sendOptions: { binary: boolean };

  constructor(
    /** The underlying socket. */
    readonly socket: WebSocket,
    readonly serializer: WampSerializer,
    readonly transport: WampTransportInfo,
  ) {
    this.sendOptions = { binary: serializer.binary };
  }

  send(message: readonly unknown[]): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(this.serializer.encode(message), this.sendOptions);
  }

  sendEncoded(frame: Buffer | string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame, this.sendOptions);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code, reason);
    // ws waits 30 s for the peer's close frame; a peer that never answers should not hold a socket that long.
    setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_TIMEOUT).unref();
  }
}

import WebSocket from 'ws';
import type { OutboundFlowControl } from '../core/router/outbound/outbound-flow-control.js';
import type { ConnectionCloseReason } from '../core/router/wamp-connection.interface.js';
import type { WampTransportInfo } from '../core/router/wamp-transport-info.interface.js';
import type { WampSerializer } from '../core/serializers/wamp-serializer.interface.js';
import { MessageConnection, type CorkableSocket } from '../connection/message-connection.js';

/** How long a closing socket may take to finish the WebSocket close handshake before it is cut. */
const CLOSE_HANDSHAKE_TIMEOUT = 2000;

/** The WebSocket close code (RFC 6455) of each neutral close reason. */
const CLOSE_CODES: Readonly<Record<ConnectionCloseReason, number>> = {
  normal: 1000,
  protocol_error: 1002,
  policy_violation: 1008,
  shutdown: 1001,
};

/**
 * Where the socket listeners below find their connection: one property per socket instead of a closure
 * (and its scope) per listener per socket, which an idle session would carry for its whole life.
 */
const OWNER = Symbol('nestjs-wamp WebSocketConnection');
type OwnedWebSocket = WebSocket & { [OWNER]?: WebSocketConnection };

function onSocketMessage(this: OwnedWebSocket, data: Buffer, isBinary: boolean): void {
  this[OWNER]?.receive(data, isBinary);
}

function onSocketPong(this: OwnedWebSocket): void {
  const connection = this[OWNER];
  if (!connection) return;
  connection.lastSeen = Date.now();
  connection.pingSentAt = 0;
}

function onSocketClose(this: OwnedWebSocket): void {
  this[OWNER]?.transportClosed();
}

/** ws send options, shared by every connection rather than one object each. */
const BINARY_FRAME = Object.freeze({ binary: true });
const TEXT_FRAME = Object.freeze({ binary: false });

/**
 * A {@link MessageConnection} over one `ws` socket: one WebSocket message per WAMP message (text frames for
 * JSON, binary for the others), WebSocket pings for keepalive, the close codes of RFC 6455.
 */
export class WebSocketConnection extends MessageConnection {
  private readonly sendOptions: Readonly<{ binary: boolean }>;

  constructor(
    /** The underlying socket. */
    readonly socket: WebSocket,
    serializer: WampSerializer,
    transport: WampTransportInfo,
    flow: OutboundFlowControl,
    /** The TCP/TLS socket under `socket`, when known (see {@link MessageConnection}). */
    wire?: CorkableSocket,
  ) {
    super(serializer, transport, flow, wire);
    this.sendOptions = serializer.binary ? BINARY_FRAME : TEXT_FRAME;
  }

  /** Bytes queued for the peer in this process (ws's queue and the socket's), what the flow control counts. */
  get queuedBytes(): number {
    return this.socket.bufferedAmount;
  }

  protected get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  protected writeMessage(data: Buffer | string): void {
    this.socket.send(data, this.sendOptions);
  }

  protected pauseSocket(): void {
    this.socket.pause();
  }

  protected resumeSocket(): void {
    this.socket.resume();
  }

  protected listen(): void {
    (this.socket as OwnedWebSocket)[OWNER] = this;
    this.socket.on('message', onSocketMessage);
    this.socket.on('pong', onSocketPong);
    this.socket.on('close', onSocketClose);
  }

  /** Whether the socket is open and can carry a keepalive ping. */
  get canPing(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a WebSocket ping frame; the pong resets the keepalive bookkeeping. */
  ping(): void {
    this.socket.ping();
  }

  /** Cuts the socket at once, without the WebSocket close handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  close(reason: ConnectionCloseReason, message: string): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(CLOSE_CODES[reason], message);
    // ws waits 30 s for the peer's close frame; a peer that never answers should not hold a socket that long.
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_TIMEOUT).unref();
    // Cleared on close, or the timer would keep the closed connection (and its session) reachable for 2 s.
    this.socket.once('close', () => clearTimeout(timer));
  }
}

import type { Socket } from 'node:net';
import { MessageConnection } from '../connection/message-connection.js';
import { encodeMessage } from '../core/protocol/message-encoder.js';
import { WampMessageType } from '../core/protocol/message-type.enum.js';
import type { WampMessage } from '../core/protocol/wamp-message.interface.js';
import { WampErrorUri } from '../core/protocol/wamp-uris.js';
import type { OutboundFlowControl } from '../core/router/outbound/outbound-flow-control.js';
import type { ConnectionCloseReason } from '../core/router/wamp-connection.interface.js';
import type { WampTransportInfo } from '../core/router/wamp-transport-info.interface.js';
import type { WampSerializer } from '../core/serializers/wamp-serializer.interface.js';
import {
  RawSocketFrameDecoder,
  RawSocketFrameError,
  type RawSocketFrame,
} from './rawsocket-frame-decoder.js';
import { RawSocketFrameType, frameHeader } from './rawsocket-protocol.js';

/** How long a closing socket may take to send what it holds before it is cut. */
const CLOSE_TIMEOUT = 2000;

/** The payload of the router's keepalive PING (the PONG echoes it). */
const KEEPALIVE_PAYLOAD = Buffer.from('nestjs-wamp');

/** What one connection knows of the handshake it completed. */
export interface RawSocketLimits {
  /** The largest message the peer said it accepts (octets). */
  readonly peerMaxLength: number;
  /** The largest message this router announced (octets): longer frames close the connection. */
  readonly maxLength: number;
}

/**
 * A {@link MessageConnection} over a RawSocket (TCP, TLS or a Unix socket): length-prefixed frames, RawSocket
 * PING/PONG for keepalive, no closing handshake (the session's GOODBYE or ABORT is the last word, then the
 * socket is ended).
 *
 * The peer's announced maximum is honoured: an EVENT longer than it is not sent to this peer; a RESULT or
 * call ERROR longer than it becomes ERROR `wamp.error.payload_size_exceeded` for that call; any other message
 * that does not fit ends the session (a protocol the peer could not read).
 */
export class RawSocketConnection extends MessageConnection {
  private readonly decoder: RawSocketFrameDecoder;

  constructor(
    /** The underlying socket (TCP, TLS or Unix). */
    readonly socket: Socket,
    serializer: WampSerializer,
    transport: WampTransportInfo,
    flow: OutboundFlowControl,
    private readonly limits: RawSocketLimits,
  ) {
    super(serializer, transport, flow, socket);
    this.decoder = new RawSocketFrameDecoder(limits.maxLength);
  }

  /** Bytes queued for the peer in this process (the socket's write queue). */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  protected get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Bytes read after the handshake, in the same chunk (handed over by the endpoint). */
  feed(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, this.onFrame);
    } catch (error) {
      // Not RawSocket framing any more: the spec says to fail the connection; nothing can be said to the peer.
      if (!(error instanceof RawSocketFrameError)) throw error;
      this.terminate();
      this.transportClosed();
    }
  }

  private readonly onFrame = (frame: RawSocketFrame): void => {
    switch (frame.type) {
      case RawSocketFrameType.MESSAGE:
        this.receive(frame.payload, this.serializer.binary);
        return;
      case RawSocketFrameType.PING:
        this.lastSeen = Date.now();
        // A peer that pings without reading the PONGs must not make the router queue them without bound.
        if (this.queuedBytes > this.limits.maxLength) {
          this.closeSlow('PONGs not read', true);
          return;
        }
        this.socket.write(frameHeader(RawSocketFrameType.PONG, frame.payload.length));
        this.socket.write(frame.payload);
        return;
      case RawSocketFrameType.PONG:
        this.lastSeen = Date.now();
        this.pingSentAt = 0;
        return;
    }
  };

  /**
   * A message the peer must get, but could not read: above its announced maximum. A RESULT or an ERROR
   * answering a call becomes ERROR `wamp.error.payload_size_exceeded` (the caller learns why); anything else
   * ends the session.
   */
  override send(message: WampMessage): void {
    if (!this.isOpen) return;
    const encoded = this.serializer.encode(encodeMessage(message));
    if (byteLength(encoded) <= this.limits.peerMaxLength) {
      this.sendEncoded(encoded);
      return;
    }
    const answersCall =
      message.type === WampMessageType.RESULT ||
      (message.type === WampMessageType.ERROR && message.requestType === WampMessageType.CALL);
    if (answersCall) {
      super.send({
        type: WampMessageType.ERROR,
        requestType: WampMessageType.CALL,
        request: message.request,
        details: {},
        error: WampErrorUri.PAYLOAD_SIZE_EXCEEDED,
        args: [`The answer is larger than the ${this.limits.peerMaxLength} octets this client accepts.`],
      });
      return;
    }
    this.close('protocol_error', 'a message larger than the peer accepts');
    this.transportClosed();
  }

  override sendEvent(frame: Buffer | string): void {
    // Too long for this peer: it could not read it, and other subscribers are not concerned.
    if (byteLength(frame) > this.limits.peerMaxLength) return;
    super.sendEvent(frame);
  }

  protected writeMessage(data: Buffer | string): void {
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    this.socket.write(frameHeader(RawSocketFrameType.MESSAGE, payload.length));
    this.socket.write(payload);
  }

  protected pauseSocket(): void {
    this.socket.pause();
  }

  protected resumeSocket(): void {
    this.socket.resume();
  }

  protected listen(): void {
    this.socket.on('data', (chunk: Buffer) => this.feed(chunk));
    this.socket.on('close', () => this.transportClosed());
  }

  get canPing(): boolean {
    return this.isOpen;
  }

  /** Sends a RawSocket PING; the PONG resets the keepalive bookkeeping. */
  ping(): void {
    this.socket.write(frameHeader(RawSocketFrameType.PING, KEEPALIVE_PAYLOAD.length));
    this.socket.write(KEEPALIVE_PAYLOAD);
  }

  /** Cuts the socket at once. */
  terminate(): void {
    this.socket.destroy();
  }

  /** Ends the socket once what is queued was written (RawSocket has no close frame); cut after 2 s. */
  close(_reason: ConnectionCloseReason, _message: string): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT).unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}

function byteLength(data: Buffer | string): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

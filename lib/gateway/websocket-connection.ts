import WebSocket from 'ws';
import type { WampConnection } from '../router/wamp-connection.interface.js';
import type { WampTransportInfo } from '../router/wamp-transport-info.interface.js';
import type { WampSerializer } from '../serializers/wamp-serializer.interface.js';

/** How long a closing socket may take to finish the WebSocket close handshake before it is cut. */
const CLOSE_HANDSHAKE_TIMEOUT = 2000;

/** Close code when the router gives up on a consumer that does not read (RFC 6455: policy violation). */
const CLOSE_POLICY_VIOLATION = 1008;

/** Outbound buffering rules of one connection (see the README's slow-consumer section). */
export interface OutboundLimits {
  /** Bytes queued for the socket beyond which EVENTs are not queued. */
  readonly bufferLimit: number;
  /** What happens to an EVENT beyond the limit: dropped and counted, or the consumer disconnected. */
  readonly slowConsumerPolicy: 'drop' | 'disconnect';
}

/** ws send options, shared by every connection rather than one object each. */
const BINARY_FRAME = Object.freeze({ binary: true });
const TEXT_FRAME = Object.freeze({ binary: false });

/**
 * Connections corked in the current tick, released together by one `process.nextTick` for all of them: a
 * fan-out to 1,000 subscribers schedules one callback, not 1,000, and no connection needs a closure of its own.
 */
let corkedConnections: WebSocketConnection[] = [];
let spareList: WebSocketConnection[] = [];

function holdUntilNextTick(connection: WebSocketConnection): void {
  if (corkedConnections.length === 0) process.nextTick(releaseAll);
  corkedConnections.push(connection);
}

function releaseAll(): void {
  // Swapped first: a write made while releasing (a 'drain' listener) is held for the next tick.
  const releasing = corkedConnections;
  corkedConnections = spareList;
  for (const connection of releasing) connection.releaseWrites();
  releasing.length = 0;
  spareList = releasing;
}

/** The part of the TCP/TLS socket under a WebSocket that write coalescing needs. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

/**
 * A {@link WampConnection} over one `ws` socket. Also carries the keepalive bookkeeping the gateway's
 * single sweep timer reads (one timer for all connections rather than one per connection).
 */
export class WebSocketConnection implements WampConnection {
  /** Last time anything (message or pong) arrived, in ms since epoch. */
  lastSeen = Date.now();
  /** When the outstanding keepalive ping was sent, or 0 when none is outstanding. */
  pingSentAt = 0;
  /** EVENTs dropped because this consumer's outbound buffer was full. */
  droppedEvents = 0;
  private readonly sendOptions: Readonly<{ binary: boolean }>;
  private corked = false;

  constructor(
    /** The underlying socket. */
    readonly socket: WebSocket,
    readonly serializer: WampSerializer,
    readonly transport: WampTransportInfo,
    private readonly limits: OutboundLimits,
    /**
     * The TCP/TLS socket under `socket`, when known. Frames sent in one turn of the event loop (the RESULTs
     * of the calls that arrived in one read, a burst of EVENTs) then leave in one write instead of one
     * system call each: on loopback, writes were the largest single cost in the profiles.
     */
    private readonly wire?: CorkableSocket,
  ) {
    this.sendOptions = serializer.binary ? BINARY_FRAME : TEXT_FRAME;
  }

  /**
   * Sends a message that must not be lost (RPC results and errors, session messages). Such messages are
   * bounded by the in-flight call cap; a peer that lets even those pile up past four times the buffer limit
   * is disconnected rather than buffered without bound.
   */
  send(message: readonly unknown[]): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.limits.bufferLimit * 4) {
      this.close(CLOSE_POLICY_VIOLATION, 'outbound buffer overflow');
      return;
    }
    this.write(this.serializer.encode(message));
  }

  sendEvent(frame: Buffer | string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.limits.bufferLimit) {
      if (this.limits.slowConsumerPolicy === 'drop') this.droppedEvents++;
      else this.close(CLOSE_POLICY_VIOLATION, 'slow consumer');
      return;
    }
    this.write(frame);
  }

  private write(data: Buffer | string): void {
    if (this.wire && !this.corked) {
      // Held until the current tick's work (this read's messages and their promise continuations) is done.
      this.corked = true;
      this.wire.cork();
      holdUntilNextTick(this);
    }
    this.socket.send(data, this.sendOptions);
  }

  /** Lets the frames held since the last tick go (called by the shared next-tick flush). */
  releaseWrites(): void {
    this.corked = false;
    this.wire?.uncork();
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code, reason);
    // ws waits 30 s for the peer's close frame; a peer that never answers should not hold a socket that long.
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_TIMEOUT).unref();
    // Cleared on close, or the timer would keep the closed connection (and its session) reachable for 2 s.
    this.socket.once('close', () => clearTimeout(timer));
  }
}

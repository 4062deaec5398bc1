import { encodeMessage } from '../core/protocol/message-encoder.js';
import type { WampMessage } from '../core/protocol/wamp-message.interface.js';
import type { RegisteredConnection } from '../core/router/connection-registry.js';
import type { OutboundAccount, OutboundQueueOwner } from '../core/router/outbound/outbound-account.js';
import type { OutboundFlowControl } from '../core/router/outbound/outbound-flow-control.js';
import type { ConnectionCloseReason, WampConnection } from '../core/router/wamp-connection.interface.js';
import type { WampSession } from '../core/router/wamp-session.js';
import type { WampTransportInfo } from '../core/router/wamp-transport-info.interface.js';
import type { WampSerializer } from '../core/serializers/wamp-serializer.interface.js';

/**
 * Connections corked in the current tick, released together by one `process.nextTick` for all of them: a
 * fan-out to 1,000 subscribers schedules one callback, not 1,000, and no connection needs a closure of its own.
 */
let corkedConnections: MessageConnection[] = [];
let spareList: MessageConnection[] = [];

function holdUntilNextTick(connection: MessageConnection): void {
  if (corkedConnections.length === 0) process.nextTick(releaseAll);
  corkedConnections.push(connection);
}

function releaseAll(): void {
  // Swapped first: a write made while releasing (a 'drain' listener) is held for the next tick.
  const releasing = corkedConnections;
  corkedConnections = spareList;
  for (const connection of releasing) {
    try {
      connection.releaseWrites();
    } catch {
      // One broken socket must not keep every other connection's frames held.
    }
  }
  releasing.length = 0;
  spareList = releasing;
}

/**
 * Bytes one connection may hold corked before they are handed to the socket anyway (a quarter of the
 * high-water mark when that is smaller). While corked, frames count in `bufferedAmount` even though the kernel
 * would take them at once; a burst bigger than the high-water mark in one tick would otherwise make a consumer
 * that reads look behind.
 */
const MAX_CORKED_BYTES = 16 * 1024;

/**
 * How long (ms) one connection's messages may keep the event loop busy in one turn before its reading is put
 * off to the next. A client that pipelines thousands of costly messages arrives as megabytes the kernel hands
 * over in one go (libuv reads up to 32 x 64 KiB per wake-up); processed in one block, every other session
 * waits behind it. With the budget, each busy connection gets about this much per turn, and the others' frames
 * are read in between. Ordinary traffic (a read of a few messages) never comes near it.
 */
export const READ_BUDGET_MS = 5;

/**
 * One turn of the event loop as far as reading goes: it starts when the first message of the turn arrives and
 * ends in the next check phase (one shared `setImmediate`, not one per connection), when connections that ran
 * over their budget carry on with their backlog.
 */
let readTurn = 0;
let readTurnEnding = false;
let deferredConnections: MessageConnection[] = [];

function endReadTurnSoon(): void {
  if (readTurnEnding) return;
  readTurnEnding = true;
  setImmediate(endReadTurn);
}

function endReadTurn(): void {
  readTurnEnding = false;
  readTurn++;
  const deferred = deferredConnections;
  deferredConnections = [];
  for (const connection of deferred) {
    try {
      connection.continueReading();
    } catch {
      // One broken connection must not keep the others paused.
    }
  }
}

/** A message that arrived while its connection's reading was deferred. */
interface DeferredMessage {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** The part of the TCP/TLS socket under a connection that write coalescing needs. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

/**
 * What every WAMP transport's connection shares, whatever carries its messages (a WebSocket, a RawSocket): the
 * read budget per event-loop turn, the hold of a publisher's reading under backpressure, write coalescing
 * (one write per connection per tick), the router's flow control for what is queued, keepalive bookkeeping
 * and the session's lifecycle. A transport says how to write one message, pause and resume reading, ping, and
 * close; it hands each message it reads to {@link receive}.
 *
 * A {@link WampConnection} for the router, a {@link RegisteredConnection} for the endpoint's registry (one
 * keepalive timer for all connections), and an {@link OutboundQueueOwner} for the flow control.
 */
export abstract class MessageConnection implements WampConnection, RegisteredConnection, OutboundQueueOwner {
  /** Last time anything (message or pong) arrived, in ms since epoch. */
  lastSeen = Date.now();
  /** When the outstanding keepalive ping was sent, or 0 when none is outstanding. */
  pingSentAt = 0;
  private corked = false;
  private corkedBytes = 0;
  private readonly maxCorkedBytes: number;
  private session?: WampSession;
  /** The read turn this connection's current budget belongs to, and when its first message in it came. */
  private budgetTurn = -1;
  private budgetStartedAt = 0;
  /**
   * Messages that arrived after the budget ran out (the rest of the chunk being parsed when the socket was
   * paused), handled in order in later turns. Undefined when reading is not deferred, which is almost always.
   */
  private backlog?: DeferredMessage[];
  private onClosed?: (connection: MessageConnection) => void;
  /** This connection's standing with the flow control. */
  private readonly outbound: OutboundAccount;
  /** The peer has published: its reading is held while others are behind (see {@link producing}). */
  private publishing = false;

  constructor(
    readonly serializer: WampSerializer,
    readonly transport: WampTransportInfo,
    /** The router's flow control, which bounds this connection's queue and may hold its reading. */
    private readonly flow: OutboundFlowControl,
    /**
     * The TCP/TLS socket under the transport, when known. Frames sent in one turn of the event loop (the
     * RESULTs of the calls that arrived in one read, a burst of EVENTs) then leave in one write instead of one
     * system call each: on loopback, writes were the largest single cost in the profiles.
     */
    private readonly wire?: CorkableSocket,
  ) {
    this.maxCorkedBytes = Math.max(1, Math.min(MAX_CORKED_BYTES, Math.floor(flow.options.highWaterMark / 4)));
    this.outbound = flow.open(this);
  }

  /** Bytes queued for the peer in this process (the transport's queue and the socket's): what flow control counts. */
  abstract get queuedBytes(): number;
  /** Whether the transport is open for sending. */
  protected abstract get isOpen(): boolean;
  /** Hands one encoded message to the transport. */
  protected abstract writeMessage(data: Buffer | string): void;
  /** Stops reading the socket (messages already parsed may still arrive; they go to the backlog). */
  protected abstract pauseSocket(): void;
  /** Reads the socket again. */
  protected abstract resumeSocket(): void;
  /** Starts delivering the transport's messages to {@link receive}, and its close to {@link transportClosed}. */
  protected abstract listen(): void;
  /** Whether the transport is open and can carry a keepalive ping. */
  abstract get canPing(): boolean;
  /** Sends one transport-level ping; the answer must reset `pingSentAt` and update `lastSeen`. */
  abstract ping(): void;
  /** Cuts the transport at once, without a closing handshake. */
  abstract terminate(): void;
  /** Closes the transport, saying why in its own terms. */
  abstract close(reason: ConnectionCloseReason, message: string): void;

  /** EVENTs dropped for this consumer: it was slow, over its cap, or the memory budget was exceeded. */
  get droppedEvents(): number {
    return this.outbound.droppedEvents;
  }

  /**
   * The peer published (or sent a progressive result): from now on its reading is held back whenever the
   * flow control says others are behind, so that its bursts wait in its own TCP window.
   */
  producing(): void {
    this.publishing = true;
  }

  /**
   * Starts handing the transport's messages to `session`; `onClosed` runs once when the transport has closed,
   * before the session learns of it.
   */
  attach(session: WampSession, onClosed: (connection: MessageConnection) => void): void {
    this.session = session;
    this.onClosed = onClosed;
    this.listen();
  }

  /** One message from the peer (called by the transport's listener). */
  receive(data: Buffer, isBinary: boolean): void {
    const session = this.session;
    if (!session) return;
    if (this.backlog) {
      // Reading is deferred: keep the order, the backlog goes first.
      this.lastSeen = Date.now();
      this.backlog.push({ data, isBinary });
      return;
    }
    if (this.publishing && this.flow.holdsPublishers) {
      this.holdReading([{ data, isBinary }]);
      return;
    }
    if (this.overBudget()) {
      this.deferReading([{ data, isBinary }]);
      return;
    }
    this.handle(session, data, isBinary);
  }

  /** Stops reading until the flow control lets publishers go again, keeping `backlog` in order. */
  private holdReading(backlog: DeferredMessage[], socketPaused = false): void {
    this.backlog = backlog;
    if (!socketPaused) this.pauseSocket();
    this.flow.hold(this.outbound);
  }

  /** Publishers may be read again (called by the flow control). */
  resumeReading(): void {
    this.continueReading();
  }

  private handle(session: WampSession, data: Buffer, isBinary: boolean): void {
    if (isBinary !== this.serializer.binary) {
      session.protocolViolation(
        `${this.serializer.protocol} messages travel in ${this.serializer.binary ? 'binary' : 'text'} frames; got a ${
          isBinary ? 'binary' : 'text'
        } frame.`,
      );
      return;
    }
    session.handleFrame(data);
  }

  /**
   * Whether this connection has used up its read budget in the current turn (and starts a new budget, and
   * notes the connection as seen, when the turn is new). One clock read per message.
   */
  private overBudget(): boolean {
    const now = performance.now();
    if (this.budgetTurn !== readTurn) {
      this.budgetTurn = readTurn;
      this.budgetStartedAt = now;
      // Keepalive bookkeeping once per turn, not per message: its granularity is seconds.
      this.lastSeen = Date.now();
      endReadTurnSoon();
      return false;
    }
    return now - this.budgetStartedAt > READ_BUDGET_MS;
  }

  /**
   * Stops reading the socket until the next turn (it is still paused when the backlog itself ran over),
   * keeping `backlog` (messages already parsed) in order.
   */
  private deferReading(backlog: DeferredMessage[], socketPaused = false): void {
    this.backlog = backlog;
    if (!socketPaused) this.pauseSocket();
    deferredConnections.push(this);
    endReadTurnSoon();
  }

  /**
   * A new read turn: handles the backlog within a fresh budget, then reads the socket again, or, if the budget
   * runs out first, waits for the next turn (called by the shared turn end).
   */
  continueReading(): void {
    const backlog = this.backlog;
    if (!backlog) return;
    this.backlog = undefined;
    for (let next = 0; next < backlog.length; next++) {
      const session = this.session;
      // The session ended (a message in the backlog closed it, or the socket did): the rest is moot.
      if (!session) return;
      if (this.publishing && this.flow.holdsPublishers) {
        this.holdReading(backlog.slice(next), true);
        return;
      }
      if (this.overBudget()) {
        this.deferReading(backlog.slice(next), true);
        return;
      }
      this.handle(session, backlog[next].data, backlog[next].isBinary);
    }
    if (this.session) this.resumeSocket();
  }

  /**
   * The transport has closed (called by its listener, or by the endpoint when it cuts connections at
   * shutdown and does not wait for their close events); only the first call counts.
   */
  transportClosed(): void {
    const session = this.session;
    this.session = undefined;
    this.backlog = undefined;
    this.flow.forget(this.outbound);
    this.onClosed?.(this);
    this.onClosed = undefined;
    session?.transportClosed();
  }

  /**
   * Sends a message that must not be lost (RPC results and errors, invocations, session messages). Such
   * messages are never dropped: a peer that lets them wait above the low-water mark for `slowConsumerTimeout`,
   * or pile up past four times the cap, is closed instead (see {@link OutboundFlowControl}).
   */
  send(message: WampMessage): void {
    if (!this.isOpen) return;
    this.sendEncoded(this.serializer.encode(encodeMessage(message)));
  }

  /** Queues a message that must not be lost, already encoded (see {@link send}). */
  protected sendEncoded(data: Buffer | string): void {
    if (!this.flow.admitMessage(this.outbound, this.queuedBytes, data.length)) return;
    this.write(data);
  }

  sendEvent(frame: Buffer | string): void {
    if (!this.isOpen) return;
    if (!this.flow.admitEvent(this.outbound, this.queuedBytes, frame.length)) return;
    this.write(frame);
  }

  private write(data: Buffer | string): void {
    const wire = this.wire;
    if (!wire) {
      this.writeMessage(data);
      this.flow.observe(this.outbound, this.queuedBytes);
      return;
    }
    if (!this.corked) {
      // Held until the current tick's work (this read's messages and their promise continuations) is done.
      this.corked = true;
      this.corkedBytes = 0;
      wire.cork();
      holdUntilNextTick(this);
    }
    this.writeMessage(data);
    // A string's length, not its UTF-8 size: close enough for a flush threshold, and free.
    this.corkedBytes += data.length;
    if (this.corkedBytes >= this.maxCorkedBytes) {
      // Hand what is held to the socket now (one write), and keep holding the rest of this tick's frames.
      this.corkedBytes = 0;
      wire.uncork();
      wire.cork();
    }
  }

  /** Lets the frames held since the last tick go (called by the shared next-tick flush). */
  releaseWrites(): void {
    if (!this.corked) return;
    this.corked = false;
    this.wire?.uncork();
    // What the kernel did not take stays counted (and watched) until it does.
    this.flow.observe(this.outbound, this.queuedBytes);
  }

  /** The flow control found the peer slow, or needs its memory back (see {@link OutboundQueueOwner.closeSlow}). */
  closeSlow(reason: string, immediately: boolean): void {
    if (immediately) this.terminate();
    else this.close('policy_violation', reason);
    // The session ends now, not when the close, queued behind what the peer does not read, times out: its
    // calls are interrupted and its callers answered at once.
    this.transportClosed();
  }
}

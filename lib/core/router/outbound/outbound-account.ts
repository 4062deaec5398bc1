/**
 * What {@link OutboundFlowControl} needs of a connection's outbound side, whatever its transport: how much it
 * holds for its peer now, and the two things the flow control may decide for it.
 */
export interface OutboundQueueOwner {
  /** Bytes queued for the peer in this process right now (not what the kernel's socket buffers took). */
  readonly queuedBytes: number;
  /**
   * Ends the connection because its peer does not read (close 1008 saying `reason`). `immediately` cuts it
   * without a closing handshake, which would only queue behind what the peer does not read: the memory
   * budget needs the bytes back now.
   */
  closeSlow(reason: string, immediately: boolean): void;
  /** Reading was held back (the peer publishes and others were behind) and may go on. */
  resumeReading(): void;
}

/**
 * One connection's standing with the flow control: its queue as last seen, the clocks of the slow-consumer
 * rule, and what it was found to be. Kept by {@link OutboundFlowControl}; the transport only holds it and
 * reads {@link droppedEvents}.
 */
export class OutboundAccount {
  /** Bytes queued as last seen (counted in the flow control's total). */
  queued = 0;
  /** EVENTs dropped for this connection: it was slow, over its cap, or the memory budget was exceeded. */
  droppedEvents = 0;
  /** When (`performance.now()`) the queue last went above the low-water mark; 0 while at or under it. */
  aboveLowSince = 0;
  /**
   * When the queue last shrank while above the low-water mark (the peer reads). Only a peer that reads holds
   * publishers back: one that stalled stops holding them after the flow control's stall window.
   */
  progressedAt = 0;
  /** When a message that cannot be dropped was first queued while above the low-water mark; 0 when none. */
  undroppableSince = 0;
  /** Above the high-water mark and counted among the connections that hold publishers back. */
  behind = false;
  /** Found slow under the `'drop'` policy: its EVENTs are dropped until it is back under the low-water mark. */
  slow = false;
  /**
   * Found slow once already: it never holds publishers back again, and is slow at once whenever it is behind.
   * Without this, a peer that alternates reading and stalling would hold every publisher back for a full
   * timeout, again and again.
   */
  graceUsed = false;
  /** In the flow control's set of connections with bytes queued (re-read by its sweep). */
  watched = false;
  /** Closed or gone: nothing more is counted for it. */
  closed = false;

  constructor(
    /** The connection this account belongs to. */
    readonly owner: OutboundQueueOwner,
  ) {}
}

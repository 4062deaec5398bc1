import type { WampRouterMetrics } from '../metrics/wamp-router-metrics.interface.js';
import { OutboundAccount, type OutboundQueueOwner } from './outbound-account.js';
import type { OutboundFlowOptions } from './outbound-flow.options.js';

/**
 * How often (ms) queues that hold bytes are looked at again: the kernel takes bytes without telling, so a
 * connection that caught up is noticed on its next send or at the next sweep. Short, because publishers held
 * back wait for it; it runs only while some connection has bytes queued.
 */
const SWEEP_INTERVAL = 10;

/**
 * Every how many sweeps the connections that hold nobody back (a few bytes the kernel has not taken yet, or a
 * stalled peer already found slow) are looked at too: thousands of stalled peers must not cost a scan of all
 * of them every 10 ms, and their clocks are in seconds.
 */
const FULL_SWEEP_EVERY = 10;

/**
 * Delivery under pressure, for every connection of a router together (one per router, shared by its
 * transports). It applies three rules, cheapest first:
 *
 * - **Backpressure.** A connection with more than `highWaterMark` queued is behind; while any connection is
 *   behind (or the total is over `memoryBudget`), connections that publish are not read, so a burst waits in
 *   the publisher's TCP window instead of being dropped for a subscriber that reads.
 * - **Slow consumers by time.** A connection that stays above `lowWaterMark` for `slowConsumerTimeout` is
 *   slow: under `'drop'` its EVENTs are dropped until it catches up, under `'disconnect'` it is closed; it
 *   stops holding publishers back either way. One with RPC messages waiting that long is closed (those cannot
 *   be dropped). A hard cap per connection (`bufferLimit`) applies at once.
 * - **A memory budget** for all queues together (see {@link OutboundFlowOptions.memoryBudget}).
 *
 * Transports ask before queueing ({@link admitEvent}, {@link admitMessage}), report what their socket holds
 * after a flush ({@link observe}), and hold a publisher's reading when {@link holdsPublishers} says so.
 *
 * @example
 * const account = flow.open(connection);
 * if (flow.admitEvent(account, socket.bufferedAmount, frame.length)) socket.send(frame);
 * // after the write is flushed:
 * flow.observe(account, socket.bufferedAmount);
 */
export class OutboundFlowControl {
  private total = 0;
  /** Connections behind and not (yet) slow: while any, publishers are held back. */
  private behindCount = 0;
  /** Set when the total passed the budget; cleared by the sweep once it is back under. */
  private overBudget = false;
  /** When the sweep first saw the total over the budget (0: not over). */
  private overBudgetSince = 0;
  /** Connections with bytes queued as last seen: the sweep re-reads them. */
  private readonly watched = new Set<OutboundAccount>();
  /** Connections whose reading is held back until the pressure is off. */
  private held = new Set<OutboundAccount>();
  private waiters: (() => void)[] = [];
  /** The router is shutting down: nobody is held back any more (their GOODBYE replies must be read). */
  private stopped = false;
  private timer?: ReturnType<typeof setInterval>;
  private sweeps = 0;
  private readonly sweepInterval: number;
  /**
   * How long a behind connection may go without its queue shrinking before it stops holding publishers back:
   * it is not reading, and only subscribers that read are worth a publisher's wait. Half the timeout, at most
   * a second (a reader on a slow link still drains something every round trip).
   */
  private readonly stallWindow: number;

  constructor(
    readonly options: OutboundFlowOptions,
    /** Milliseconds, monotonic; a test may pass its own clock. */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.sweepInterval = Math.max(1, Math.min(SWEEP_INTERVAL, options.slowConsumerTimeout / 4));
    this.stallWindow = Math.min(1000, options.slowConsumerTimeout / 2);
  }

  /** Where dropped EVENTs are counted (the router sets it when metrics are on). */
  metrics?: WampRouterMetrics;

  /** The account of a new connection. */
  open(owner: OutboundQueueOwner): OutboundAccount {
    return new OutboundAccount(owner);
  }

  /** Whether connections that publish should not be read now: a connection is behind, or the budget is exceeded. */
  get holdsPublishers(): boolean {
    return !this.stopped && (this.behindCount > 0 || this.overBudget);
  }

  /** Bytes queued for all connections together, as last seen. */
  get totalQueued(): number {
    return this.total;
  }

  /** Connections currently holding publishers back. */
  get behindConnections(): number {
    return this.behindCount;
  }

  /**
   * Resolves when publishers are no longer held back (at once when they are not): what server-side code that
   * publishes in bulk awaits, the way a stream writer awaits `'drain'`.
   */
  whenClear(): Promise<void> {
    if (!this.holdsPublishers) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Whether an EVENT of `size` bytes may be queued for `account`, whose transport holds `queuedNow` bytes;
   * false when it is dropped (counted) or the connection is being closed. The caller queues it on true.
   */
  admitEvent(account: OutboundAccount, queuedNow: number, size: number): boolean {
    this.observe(account, queuedNow);
    if (account.closed) return false;
    if (account.slow) {
      account.droppedEvents++;
      this.metrics?.eventDropped('slow_consumer');
      return false;
    }
    const options = this.options;
    if (queuedNow + size > options.bufferLimit || (account.graceUsed && queuedNow > options.highWaterMark)) {
      this.foundSlow(account, 'slow consumer');
      if (!account.closed) {
        account.droppedEvents++;
        this.metrics?.eventDropped('slow_consumer');
      }
      return false;
    }
    if (this.overBudget && queuedNow > options.lowWaterMark) {
      // Over budget nothing grows past the low-water mark; this is not a finding about the peer (no grace used).
      if (options.slowConsumerPolicy === 'disconnect')
        this.close(account, 'outbound memory budget exceeded', false);
      else {
        account.droppedEvents++;
        this.metrics?.eventDropped('memory_budget');
      }
      return false;
    }
    this.added(account, size);
    return true;
  }

  /**
   * Whether a message that cannot be dropped (RESULT, INVOCATION, ERROR, session messages) may be queued;
   * false when the queue is past four times the cap, and the connection is being closed. The caller queues it
   * on true.
   */
  admitMessage(account: OutboundAccount, queuedNow: number, size: number): boolean {
    this.observe(account, queuedNow);
    if (account.closed) return false;
    if (queuedNow + size > this.options.bufferLimit * 4) {
      this.close(account, 'outbound buffer overflow', false);
      return false;
    }
    this.added(account, size);
    if (account.aboveLowSince !== 0 && account.undroppableSince === 0) {
      account.undroppableSince = this.clock();
      this.startSweeping();
    }
    return true;
  }

  /** What the transport holds for `account` now (after a flush, or when asked by the sweep). */
  observe(account: OutboundAccount, queuedNow: number): void {
    if (account.closed) return;
    if (queuedNow < account.queued && account.aboveLowSince !== 0) account.progressedAt = this.clock();
    this.total += queuedNow - account.queued;
    account.queued = queuedNow;
    if (queuedNow > 0) {
      if (!account.watched) {
        account.watched = true;
        this.watched.add(account);
        this.startSweeping();
      }
    } else if (account.watched) {
      account.watched = false;
      this.watched.delete(account);
    }
    const { lowWaterMark, highWaterMark } = this.options;
    if (queuedNow > lowWaterMark) {
      if (account.aboveLowSince === 0) this.wentAboveLow(account);
      if (queuedNow > highWaterMark) this.wentAboveHigh(account);
    } else if (account.aboveLowSince !== 0) {
      this.caughtUp(account);
    }
  }

  /** Holds `account`'s reading until publishers may be read again; its owner's `resumeReading` is called then. */
  hold(account: OutboundAccount): void {
    if (account.closed) return;
    this.held.add(account);
    // The pressure may have ended while the caller decided: never hold without a way out.
    this.releaseIfClear();
  }

  /** The connection is gone: its bytes no longer count, and it no longer holds anyone back. */
  forget(account: OutboundAccount): void {
    if (account.closed) return;
    account.closed = true;
    this.total -= account.queued;
    account.queued = 0;
    if (account.watched) {
      account.watched = false;
      this.watched.delete(account);
    }
    this.held.delete(account);
    if (account.behind) {
      account.behind = false;
      this.behindCount--;
    }
    this.releaseIfClear();
  }

  /**
   * Lets every waiter and held connection go, and holds nobody back from now on (the router is shutting down:
   * the sessions' GOODBYE replies must be read). The caps and the slow-consumer clock still apply.
   */
  stop(): void {
    this.stopped = true;
    this.releaseIfClear();
  }

  private added(account: OutboundAccount, size: number): void {
    account.queued += size;
    this.total += size;
    const { lowWaterMark, highWaterMark, memoryBudget } = this.options;
    if (account.queued > lowWaterMark) {
      if (account.aboveLowSince === 0) this.wentAboveLow(account);
      if (account.queued > highWaterMark) this.wentAboveHigh(account);
    }
    if (this.total > memoryBudget && !this.overBudget) {
      this.overBudget = true;
      this.startSweeping();
    }
  }

  private wentAboveLow(account: OutboundAccount): void {
    account.aboveLowSince = this.clock();
    account.progressedAt = account.aboveLowSince;
    this.startSweeping();
  }

  private wentAboveHigh(account: OutboundAccount): void {
    if (account.behind || account.slow) return;
    if (account.graceUsed) return; // slow at its next EVENT, see admitEvent
    if (this.clock() - account.progressedAt >= this.stallWindow) return; // not reading: see stallWindow
    account.behind = true;
    this.behindCount++;
  }

  private caughtUp(account: OutboundAccount): void {
    account.aboveLowSince = 0;
    account.undroppableSince = 0;
    account.slow = false;
    if (account.behind) {
      account.behind = false;
      this.behindCount--;
      this.releaseIfClear();
    }
  }

  /** The policy, now: the connection stops holding publishers back, and is closed or has its EVENTs dropped. */
  private foundSlow(account: OutboundAccount, reason: string): void {
    account.graceUsed = true;
    if (account.behind) {
      account.behind = false;
      this.behindCount--;
    }
    if (this.options.slowConsumerPolicy === 'disconnect') this.close(account, reason, false);
    else account.slow = true;
    this.releaseIfClear();
  }

  private close(account: OutboundAccount, reason: string, immediately: boolean): void {
    if (account.closed) return;
    this.forget(account);
    account.owner.closeSlow(reason, immediately);
  }

  private releaseIfClear(): void {
    if (this.holdsPublishers || (this.held.size === 0 && this.waiters.length === 0)) return;
    const resumed = this.held;
    const waiters = this.waiters;
    this.held = new Set();
    this.waiters = [];
    for (const resolve of waiters) resolve();
    if (resumed.size === 0) return;
    // Not from here: this runs inside a send (deep in a fan-out); reading resumes once that work is done.
    setImmediate(() => {
      for (const account of resumed) {
        if (account.closed) continue;
        try {
          account.owner.resumeReading();
        } catch {
          // One broken connection must not keep the others held.
        }
      }
    });
  }

  private startSweeping(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(++this.sweeps % FULL_SWEEP_EVERY !== 0), this.sweepInterval);
    this.timer.unref();
  }

  /**
   * Re-reads the queues that hold bytes (only those holding publishers back when `onlyBehind`: the timer asks
   * for the others every tenth time), applies the clocks, and gives memory back when over budget.
   */
  sweep(onlyBehind = false): void {
    const now = this.clock();
    const timeout = this.options.slowConsumerTimeout;
    const onlyHot = onlyBehind && !this.overBudget;
    for (const account of this.watched) {
      if (onlyHot && !account.behind) continue;
      this.observe(account, account.owner.queuedBytes);
      if (account.closed) continue;
      if (account.undroppableSince !== 0 && now - account.undroppableSince >= timeout) {
        this.close(account, 'slow consumer', false);
      } else if (account.aboveLowSince !== 0 && !account.slow && now - account.aboveLowSince >= timeout) {
        this.foundSlow(account, 'slow consumer');
      } else if (account.behind && now - account.progressedAt >= this.stallWindow) {
        // Stalled: it no longer holds publishers back (it will be found slow when its time is up).
        account.behind = false;
        this.behindCount--;
        this.releaseIfClear();
      } else if (account.queued > this.options.highWaterMark) {
        // Reading again (or still): behind, and holding publishers back, unless found slow before.
        this.wentAboveHigh(account);
      }
    }
    if (this.total > this.options.memoryBudget) {
      this.overBudget = true;
      if (this.overBudgetSince === 0) this.overBudgetSince = now;
      this.shed(now - this.overBudgetSince >= timeout);
    }
    if (this.overBudget && this.total <= this.options.memoryBudget) {
      this.overBudget = false;
      this.overBudgetSince = 0;
      this.releaseIfClear();
    }
    if (this.watched.size === 0 && this.behindCount === 0 && !this.overBudget) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * Over budget: cuts slow consumers that still hold more than the low-water mark, largest queue first, until
   * the total is back under the budget. Once it has been over for `slowConsumerTimeout` (publishers held back
   * all along, so whoever reads has drained by then), the largest queues are cut whoever holds them: what is
   * left is held by peers that do not read, slow or not yet, and the budget must hold.
   */
  private shed(anyone: boolean): void {
    const candidates: OutboundAccount[] = [];
    const { lowWaterMark, memoryBudget } = this.options;
    for (const account of this.watched) {
      if (anyone ? account.queued > 0 : account.slow && account.queued > lowWaterMark)
        candidates.push(account);
    }
    candidates.sort((a, b) => b.queued - a.queued);
    for (const account of candidates) {
      if (this.total <= memoryBudget) return;
      this.close(account, 'outbound memory budget exceeded', true);
    }
  }
}

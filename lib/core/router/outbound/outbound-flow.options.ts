/**
 * How the router bounds what it queues for peers that read slower than it writes (the README's "Delivery under
 * pressure" explains the rules and their defaults). Sizes are bytes queued in this process for a peer (what the
 * kernel's socket buffers took is not counted); times are milliseconds.
 */
export interface OutboundFlowOptions {
  /**
   * A connection with more than this queued is behind: connections that publish are not read until every
   * connection that is behind is back under {@link lowWaterMark} (or has been found slow). This is what turns
   * a burst into TCP backpressure on its publisher instead of loss for a subscriber that reads.
   */
  readonly highWaterMark: number;
  /**
   * Under this, a connection has caught up: its slow-consumer clock stops, publishers it held back are read
   * again, and, if its EVENTs were being dropped, it gets them again.
   */
  readonly lowWaterMark: number;
  /** How long a connection may stay above {@link lowWaterMark} before it is slow and the policy applies. */
  readonly slowConsumerTimeout: number;
  /**
   * What happens to a slow consumer: `'drop'` drops (and counts) its EVENTs until it catches up; `'disconnect'`
   * closes it (1008). A connection with RPC messages waiting (results, invocations: they cannot be dropped) is
   * closed under either policy.
   */
  readonly slowConsumerPolicy: 'drop' | 'disconnect';
  /**
   * Hard cap per connection, whatever the time: an EVENT that would take the queue past it is handled by the
   * policy at once; a message that cannot be dropped closes the connection past four times it.
   */
  readonly bufferLimit: number;
  /**
   * All connections' queues together. Past it, publishers are held back, EVENTs are not queued for connections
   * above their low-water mark (policy at once), and slow consumers still holding more than that are cut,
   * largest queue first, until the total is back under it.
   */
  readonly memoryBudget: number;
}

/** The defaults `WampModule` documents; the router uses them when it is built without flow options. */
export const DEFAULT_OUTBOUND_FLOW: OutboundFlowOptions = Object.freeze({
  highWaterMark: 1024 * 1024,
  lowWaterMark: 256 * 1024,
  slowConsumerTimeout: 5_000,
  slowConsumerPolicy: 'drop',
  bufferLimit: 8 * 1024 * 1024,
  memoryBudget: 256 * 1024 * 1024,
});

import type { WampRouter } from './wamp-router.js';

/**
 * What the {@link ConnectionRegistry} needs of a connection, whatever its transport: keepalive bookkeeping
 * and two ways to end it. A WebSocket connection pings with a WebSocket ping frame; a RawSocket one would
 * use its own ping message.
 */
export interface RegisteredConnection {
  /** Last time anything (a message or a pong) arrived, in ms since epoch; the transport updates it. */
  lastSeen: number;
  /** When the outstanding keepalive ping was sent, or 0 when none is outstanding; the transport clears it on a pong. */
  pingSentAt: number;
  /** Whether the transport is open and can carry a ping now. */
  readonly canPing: boolean;
  /** Sends one transport-level ping. */
  ping(): void;
  /** Cuts the transport at once, without a closing handshake (the peer stopped answering). */
  terminate(): void;
  /**
   * Disposes of the connection's session now, without waiting for the transport to report that it closed
   * (only the first call counts). Must end with {@link ConnectionRegistry.remove} being called.
   */
  transportClosed(): void;
}

/** Limits and timers of a {@link ConnectionRegistry}; every transport endpoint has its own. */
export interface ConnectionRegistryOptions {
  /** Connections accepted at once, those still in their handshake included. */
  readonly maxConnections: number;
  /** Milliseconds of silence after which a keepalive ping is sent (0 disables keepalive). */
  readonly pingInterval: number;
  /** Milliseconds to wait for the pong before the connection is cut. */
  readonly pingTimeout: number;
  /** Milliseconds the graceful close may take before the remaining connections are cut. */
  readonly shutdownTimeout: number;
}

/** The answer of {@link ConnectionRegistry.admit}: a slot held until the handshake ends, or why there is none. */
export type ConnectionAdmission =
  | {
      readonly accepted: true;
      /** Gives the slot back (handshake done or failed); idempotent. */ release(): void;
    }
  | { readonly accepted: false; readonly reason: 'shutting_down' | 'full' };

/**
 * The open connections of one transport endpoint and what is the same for every transport: the connection
 * limit (handshakes in progress included, so a burst cannot slip past it), one keepalive timer for all
 * connections rather than one each, and the graceful close. The WebSocket endpoint uses it; a RawSocket
 * endpoint would use it unchanged.
 *
 * @example
 * const registry = new ConnectionRegistry(router, { maxConnections: 10_000, pingInterval: 30_000, pingTimeout: 10_000, shutdownTimeout: 5_000 });
 * const admission = registry.admit();
 * if (!admission.accepted) return refuse(admission.reason);
 * // … handshake …
 * admission.release();
 * registry.add(connection); // and registry.remove(connection) when its transport closes
 */
export class ConnectionRegistry<TConnection extends RegisteredConnection> {
  private readonly open = new Set<TConnection>();
  /** Handshakes admitted but not yet completed, counted against `maxConnections`. */
  private admitting = 0;
  private keepaliveTimer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly router: WampRouter,
    private readonly options: ConnectionRegistryOptions,
  ) {}

  /** Number of open connections. */
  get size(): number {
    return this.open.size;
  }

  /** The open connections, as a copy. */
  get connections(): TConnection[] {
    return [...this.open];
  }

  /**
   * Asks for a slot before a handshake starts: refused while the router shuts down or is cut off from its
   * backplane (`reason` 'shutting_down'; `router.refusal` says which), or when the open
   * connections plus the handshakes in progress reach `maxConnections`.
   */
  admit(): ConnectionAdmission {
    if (this.router.refusal) return { accepted: false, reason: 'shutting_down' };
    if (this.open.size + this.admitting >= this.options.maxConnections)
      return { accepted: false, reason: 'full' };
    this.admitting++;
    let held = true;
    return {
      accepted: true,
      release: () => {
        if (held) this.admitting--;
        held = false;
      },
    };
  }

  /** Tracks a connection whose handshake completed. */
  add(connection: TConnection): void {
    this.open.add(connection);
  }

  /** Forgets a connection whose transport closed (bound: can be handed around as a callback). */
  readonly remove = (connection: TConnection): void => {
    this.open.delete(connection);
  };

  /** Starts the keepalive sweep (once; nothing when `pingInterval` is 0). */
  startKeepalive(): void {
    const { pingInterval, pingTimeout } = this.options;
    if (pingInterval <= 0 || this.keepaliveTimer) return;
    const tick = Math.max(100, Math.min(pingInterval, pingTimeout) / 4);
    this.keepaliveTimer = setInterval(() => this.sweep(Date.now()), tick);
    this.keepaliveTimer.unref();
  }

  /** Pings the connections silent for `pingInterval`, cuts those whose pong is overdue. */
  sweep(now: number): void {
    const { pingInterval, pingTimeout } = this.options;
    for (const connection of this.open) {
      if (connection.pingSentAt !== 0) {
        if (now - connection.pingSentAt >= pingTimeout) connection.terminate();
      } else if (now - connection.lastSeen >= pingInterval && connection.canPing) {
        connection.pingSentAt = now;
        connection.ping();
      }
    }
  }

  /**
   * Graceful close within `shutdownTimeout`: the router refuses new sessions, lets calls in flight finish for
   * half of it (then ends the rest with ERROR `wamp.error.canceled`), sends every session GOODBYE
   * `wamp.close.system_shutdown` (ABORT to those still joining) and waits for the replies; the connections
   * left are then cut and their sessions disposed of before this resolves, not when their transports report
   * the close later (after the application's shutdown hooks).
   */
  async close(): Promise<void> {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.shutdownTimeout);
    });
    await Promise.race([this.router.shutdown(undefined, this.options.shutdownTimeout), grace]);
    clearTimeout(timer);
    for (const connection of [...this.open]) {
      connection.terminate();
      connection.transportClosed();
    }
    this.open.clear();
  }
}

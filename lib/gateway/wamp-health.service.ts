import { Injectable } from '@nestjs/common';
import { WampRouter } from '../core/router/wamp-router.js';
import { WampTransport } from '../transport/wamp.server.js';
import { WampGateway } from './wamp.gateway.js';

/** What {@link WampHealth.check} finds. */
export interface WampHealthReport {
  /** `up` when the router accepts sessions and serves the application's procedures. */
  readonly status: 'up' | 'down';
  /** Whether new sessions are accepted: the endpoint listens and the router does not refuse them. */
  readonly accepting: boolean;
  /** Whether the application's handlers are served (Nest started the WAMP transport, or there are none). */
  readonly serving: boolean;
  /** Why the status is `down`; absent when it is `up`. */
  readonly reason?: string;
  /** Sessions connected to this instance. */
  readonly sessions: number;
  /** With a backplane: whether it is connected now, and whether this instance was cut off past its lease. */
  readonly backplane?: { readonly connected: boolean; readonly detached: boolean };
}

/**
 * The router's health, for a readiness probe: up when the endpoint listens, the router accepts sessions (not
 * shutting down, not cut off from its backplane), the backplane (if any) is connected and Nest serves the
 * application's procedures. Cheap (no I/O), so a probe may ask it as often as it likes. `nestjs-wamp/terminus`
 * wraps it as a `@nestjs/terminus` health indicator.
 *
 * @example
 * @Get('ready') ready(@Res({ passthrough: true }) response) {
 *   const report = this.health.check();
 *   if (report.status === 'down') response.status(503);
 *   return report;
 * }
 */
@Injectable()
export class WampHealth {
  constructor(
    private readonly gateway: WampGateway,
    private readonly router: WampRouter,
    private readonly transport: WampTransport,
  ) {}

  /** The router's health now. */
  check(): WampHealthReport {
    const backplane = this.router.options.backplane;
    const connected = backplane ? backplane.connected !== false : true;
    const refusal = this.router.refusal;
    const listening = this.gateway.address !== undefined;
    const accepting = listening && refusal === undefined;
    // An app without handlers (a pure broker and dealer for clients) may never start the transport.
    const serving = this.transport.isListening || this.transport.getHandlers().size === 0;
    const reason = !listening
      ? 'The WAMP endpoint is not listening yet.'
      : refusal !== undefined
        ? refusal
        : !connected
          ? 'The backplane is not connected: publications and calls may not reach the other instances.'
          : !serving
            ? "The application's procedures are not served: the WAMP transport was not started."
            : undefined;
    return {
      status: reason === undefined ? 'up' : 'down',
      accepting,
      serving,
      ...(reason === undefined ? {} : { reason }),
      sessions: this.router.sessionCount,
      ...(backplane ? { backplane: { connected, detached: this.router.isDetached } } : {}),
    };
  }

  /** Whether {@link check} says `up`: the plain readiness signal. */
  get isReady(): boolean {
    return this.check().status === 'up';
  }
}

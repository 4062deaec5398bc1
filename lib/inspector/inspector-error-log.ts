import type {
  CallOutcome,
  PublicationOrigin,
  SessionMetricLabels,
  WampRouterMetrics,
} from '../core/router/metrics/wamp-router-metrics.interface.js';

/** One recent error, as the inspector lists it. */
export interface InspectorErrorEntry {
  /** When, as an ISO 8601 string. */
  readonly at: string;
  /** A routed call that ended in ERROR, a call refused before routing, an ABORT, a failed authentication. */
  readonly kind: 'call' | 'refused' | 'abort' | 'authentication';
  readonly realm?: string;
  /** The registration a call was routed to. */
  readonly procedure?: string;
  /** The ERROR or ABORT URI. */
  readonly uri: string;
}

/**
 * The recent errors the inspector shows: a metrics recorder that keeps the last `capacity` failed calls, refused
 * calls, ABORTs and failed authentications (nothing else), in a ring. Give it to the module among its `metrics`.
 *
 * @example
 * const errorLog = new WampInspectorErrorLog();
 * WampModule.forRoot({ realms: ['realm1'], metrics: [errorLog] });
 * WampInspectorModule.register({ errorLog, guards: [AdminGuard] });
 */
export class WampInspectorErrorLog implements WampRouterMetrics {
  private readonly entries: InspectorErrorEntry[] = [];
  private next = 0;

  constructor(private readonly capacity = 50) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`WampInspectorErrorLog: capacity must be a positive integer, got ${String(capacity)}.`);
    }
  }

  /** The recent errors, newest first. */
  recent(): InspectorErrorEntry[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.reverse();
  }

  sessionJoined(_labels: SessionMetricLabels): void {}

  sessionLeft(_labels: SessionMetricLabels): void {}

  callStarted(_realm: string, _procedure: string): void {}

  callFinished(realm: string, procedure: string, outcome: CallOutcome): void {
    if (outcome !== 'result') this.add({ kind: 'call', realm, procedure, uri: outcome });
  }

  callRefused(realm: string, outcome: CallOutcome): void {
    this.add({ kind: 'refused', realm, uri: outcome });
  }

  published(_realm: string, _origin: PublicationOrigin): void {}

  delivered(_realm: string, _count: number): void {}

  eventDropped(): void {}

  aborted(reason: string): void {
    this.add({ kind: 'abort', uri: reason });
  }

  authenticationFailed(realm: string, reason: string): void {
    this.add({ kind: 'authentication', realm, uri: reason });
  }

  private add(entry: Omit<InspectorErrorEntry, 'at'>): void {
    const stamped = { at: new Date().toISOString(), ...entry };
    if (this.entries.length < this.capacity) this.entries.push(stamped);
    else this.entries[this.next] = stamped;
    this.next = (this.next + 1) % this.capacity;
  }
}

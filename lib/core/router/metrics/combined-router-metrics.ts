import type {
  CallOutcome,
  MetricsSource,
  PublicationOrigin,
  SessionMetricLabels,
  WampRouterMetrics,
} from './wamp-router-metrics.interface.js';

/**
 * Several recorders as one: each hears everything, in order. What the module makes of a list in its `metrics`
 * option (e.g. Prometheus and the inspector's error log side by side). One recorder is used as it is, none is none.
 *
 * @example
 * const metrics = combineRouterMetrics([prometheus, inspectorLog]);
 */
export function combineRouterMetrics(recorders: readonly WampRouterMetrics[]): WampRouterMetrics | undefined {
  if (recorders.length <= 1) return recorders[0];
  return new CombinedRouterMetrics(recorders);
}

class CombinedRouterMetrics implements WampRouterMetrics {
  constructor(private readonly recorders: readonly WampRouterMetrics[]) {}

  sessionJoined(labels: SessionMetricLabels): void {
    for (const recorder of this.recorders) recorder.sessionJoined(labels);
  }

  sessionLeft(labels: SessionMetricLabels): void {
    for (const recorder of this.recorders) recorder.sessionLeft(labels);
  }

  callStarted(realm: string, procedure: string): void {
    for (const recorder of this.recorders) recorder.callStarted(realm, procedure);
  }

  callFinished(realm: string, procedure: string, outcome: CallOutcome, seconds: number): void {
    for (const recorder of this.recorders) recorder.callFinished(realm, procedure, outcome, seconds);
  }

  callRefused(realm: string, outcome: CallOutcome): void {
    for (const recorder of this.recorders) recorder.callRefused(realm, outcome);
  }

  published(realm: string, origin: PublicationOrigin): void {
    for (const recorder of this.recorders) recorder.published(realm, origin);
  }

  delivered(realm: string, count: number): void {
    for (const recorder of this.recorders) recorder.delivered(realm, count);
  }

  eventDropped(reason: 'slow_consumer' | 'memory_budget'): void {
    for (const recorder of this.recorders) recorder.eventDropped(reason);
  }

  aborted(reason: string): void {
    for (const recorder of this.recorders) recorder.aborted(reason);
  }

  authenticationFailed(realm: string, reason: string): void {
    for (const recorder of this.recorders) recorder.authenticationFailed(realm, reason);
  }

  bind(router: MetricsSource): void {
    for (const recorder of this.recorders) recorder.bind?.(router);
  }
}

import { Counter, Gauge, Registry, register as defaultRegistry } from 'prom-client';
import type {
  CallOutcome,
  MetricsSource,
  PublicationOrigin,
  SessionMetricLabels,
  WampRouterMetrics,
} from '../core/router/metrics/wamp-router-metrics.interface.js';
import { AccumulatedMetric, type AccumulatedSample } from './accumulated-metric.js';
import { BoundedLabels, OTHER_LABEL } from './bounded-labels.js';

/** The running totals of one realm's procedure: what a call adds to, with no label hashing. */
interface ProcedureSeries {
  readonly realm: string;
  /** The procedure's label (the URI, or `(other)` past the bound). */
  readonly procedure: string;
  started: number;
  /** Finished calls by outcome label. */
  readonly finished: Map<string, number>;
  /** Calls per duration bucket (not cumulative; one more slot for +Inf). */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** Whether a URI is not one of the router's own (`wamp.`): its meta procedures are not counted. */
const isPublicUri = (uri: string): boolean => !uri.startsWith('wamp.');

/** Options of {@link PrometheusWampMetrics}. */
export interface PrometheusWampMetricsOptions {
  /** Where the metrics are registered. Default: prom-client's default registry. */
  readonly registry?: Registry;
  /** Prefix of every metric name. Default `wamp_`. */
  readonly prefix?: string;
  /** Buckets of the call duration histogram, in seconds. Default: 0.5 ms to 10 s. */
  readonly durationBuckets?: readonly number[];
  /**
   * Distinct values kept per label that clients can influence (procedure URIs, call outcomes, abort and
   * authentication failure reasons); later ones are counted as `(other)`. Default 500.
   */
  readonly maxLabelValues?: number;
}

/** The call duration histogram's default buckets, in seconds. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The router's metrics in Prometheus form (prom-client, an optional peer dependency): give it to the module as
 * `metrics`, and serve the registry at `/metrics`. Counters and the call duration histogram are updated as the
 * router works; the gauges that describe its state (registrations, subscriptions, calls in flight, queued bytes,
 * backplane) are read when scraped, so they cost nothing between scrapes.
 *
 * @example
 * const metrics = new PrometheusWampMetrics({ registry });
 * WampModule.forRoot({ realms: ['realm1'], metrics });
 * // in a controller: @Get('metrics') scrape() { return registry.metrics(); }
 */
export class PrometheusWampMetrics implements WampRouterMetrics {
  /** The registry the metrics are in (what `/metrics` serves). */
  readonly registry: Registry;
  private readonly sessions: Gauge<'realm' | 'transport' | 'authmethod'>;
  private readonly sessionsJoined: Counter<'realm' | 'transport' | 'authmethod'>;
  private readonly callsRefused: Counter<'realm' | 'outcome'>;
  private readonly buckets: readonly number[];
  /** Publications by realm, then origin; EVENTs delivered by realm. */
  private readonly publications = new Map<string, Record<PublicationOrigin, number>>();
  private readonly delivery = new Map<string, { delivered: number }>();
  private readonly eventsDropped: Counter<'reason'>;
  private readonly aborts: Counter<'reason'>;
  private readonly authenticationFailures: Counter<'realm' | 'reason'>;
  private readonly procedures: BoundedLabels;
  private readonly outcomes: BoundedLabels;
  private readonly reasons: BoundedLabels;
  private router?: MetricsSource;
  /** Running totals per realm and procedure (see {@link procedureSeries}). */
  private readonly series = new Map<string, Map<string, ProcedureSeries>>();
  private readonly prefix: string;

  constructor(options: PrometheusWampMetricsOptions = {}) {
    this.registry = options.registry ?? defaultRegistry;
    const prefix = (this.prefix = options.prefix ?? 'wamp_');
    const limit = options.maxLabelValues ?? 500;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(
        `PrometheusWampMetrics: maxLabelValues must be a positive integer, got ${String(limit)}.`,
      );
    }
    this.procedures = new BoundedLabels(limit);
    this.outcomes = new BoundedLabels(limit);
    this.reasons = new BoundedLabels(limit);
    const registers = [this.registry];
    const realm = (): MetricsSource | undefined => this.router;
    this.sessions = new Gauge({
      name: `${prefix}sessions`,
      help: 'Sessions joined to a realm, by realm, transport and authentication method.',
      labelNames: ['realm', 'transport', 'authmethod'],
      registers,
    });
    this.sessionsJoined = new Counter({
      name: `${prefix}sessions_joined_total`,
      help: 'Sessions that joined a realm (WELCOME sent).',
      labelNames: ['realm', 'transport', 'authmethod'],
      registers,
    });
    this.buckets = [...(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)].sort((a, b) => a - b);
    const allSeries = (): ProcedureSeries[] =>
      [...this.series.values()].flatMap((byProcedure) => [...byProcedure.values()]);
    new AccumulatedMetric(
      `${prefix}calls_started_total`,
      'Calls routed to a registration, by realm and registered procedure.',
      'counter',
      () =>
        allSeries().map((series) => ({
          labels: { realm: series.realm, procedure: series.procedure },
          value: series.started,
        })),
    ).register(this.registry);
    new AccumulatedMetric(
      `${prefix}calls_finished_total`,
      'Routed calls that ended, by outcome: result, the ERROR URI, or caller_gone.',
      'counter',
      () =>
        allSeries().flatMap((series) =>
          [...series.finished].map(([outcome, value]) => ({
            labels: { realm: series.realm, procedure: series.procedure, outcome },
            value,
          })),
        ),
    ).register(this.registry);
    new AccumulatedMetric(
      `${prefix}call_duration_seconds`,
      'Time from a routed CALL to its final RESULT or ERROR.',
      'histogram',
      () => allSeries().flatMap((series) => this.histogramSamples(`${prefix}call_duration_seconds`, series)),
    ).register(this.registry);
    this.callsRefused = new Counter({
      name: `${prefix}calls_refused_total`,
      help: 'Calls answered with an ERROR before routing (no such procedure, too many calls, ...).',
      labelNames: ['realm', 'outcome'],
      registers,
    });
    new AccumulatedMetric(
      `${prefix}publications_total`,
      'Publications accepted on this instance, by origin: client, application (server side), router (wamp. topics).',
      'counter',
      () =>
        [...this.publications].flatMap(([realm, byOrigin]) =>
          (Object.keys(byOrigin) as PublicationOrigin[])
            .filter((origin) => byOrigin[origin] > 0)
            .map((origin) => ({ labels: { realm, origin }, value: byOrigin[origin] })),
        ),
    ).register(this.registry);
    new AccumulatedMetric(
      `${prefix}events_delivered_total`,
      "EVENTs handed to subscribers' connections on this instance.",
      'counter',
      () => [...this.delivery].map(([realm, totals]) => ({ labels: { realm }, value: totals.delivered })),
    ).register(this.registry);
    this.eventsDropped = new Counter({
      name: `${prefix}events_dropped_total`,
      help: 'EVENTs dropped for a connection: a slow consumer, or the outbound memory budget.',
      labelNames: ['reason'],
      registers,
    });
    this.aborts = new Counter({
      name: `${prefix}aborts_total`,
      help: 'ABORTs the router sent, by reason (protocol violations are wamp.error.protocol_violation).',
      labelNames: ['reason'],
      registers,
    });
    this.authenticationFailures = new Counter({
      name: `${prefix}authentication_failures_total`,
      help: 'Sessions whose authentication failed, by realm and ABORT reason.',
      labelNames: ['realm', 'reason'],
      registers,
    });
    new Gauge({
      name: `${prefix}calls_in_flight`,
      help: 'Calls routed and not yet answered (invocations in flight), by realm.',
      labelNames: ['realm'],
      registers,
      collect() {
        this.reset();
        for (const [name, each] of realm()?.realms ?? [])
          this.set({ realm: name }, each.dealer.callsInFlight ?? 0);
      },
    });
    new Gauge({
      name: `${prefix}registrations`,
      help: "Registrations (the application's procedures and clients'; not the router's own wamp. ones), by realm.",
      labelNames: ['realm'],
      registers,
      collect() {
        this.reset();
        for (const [name, each] of realm()?.realms ?? []) {
          const lists = each.dealer.registrations?.list(isPublicUri);
          if (lists)
            this.set({ realm: name }, lists.exact.length + lists.prefix.length + lists.wildcard.length);
        }
      },
    });
    new Gauge({
      name: `${prefix}subscriptions`,
      help: 'Subscriptions on this instance, by realm.',
      labelNames: ['realm'],
      registers,
      collect() {
        this.reset();
        for (const [name, each] of realm()?.realms ?? []) {
          const lists = each.broker.subscriptions?.list();
          if (lists)
            this.set({ realm: name }, lists.exact.length + lists.prefix.length + lists.wildcard.length);
        }
      },
    });
    new Gauge({
      name: `${prefix}outbound_queued_bytes`,
      help: 'Bytes queued for all connections together, waiting for peers to read them.',
      registers,
      collect() {
        this.set(realm()?.outboundFlow.totalQueued ?? 0);
      },
    });
  }

  /**
   * Gives the gauges the router whose state they read at each scrape (the router does it once); with a backplane,
   * adds `backplane_connected`.
   */
  bind(router: MetricsSource): void {
    this.router = router;
    const backplane = router.options.backplane;
    if (!backplane) return;
    new Gauge({
      name: `${this.prefix}backplane_connected`,
      help: 'Whether this instance is connected to its backplane (1) or not (0).',
      registers: [this.registry],
      collect() {
        this.set(backplane.connected === false ? 0 : 1);
      },
    });
  }

  sessionJoined(labels: SessionMetricLabels): void {
    this.sessions.inc(labels);
    this.sessionsJoined.inc(labels);
  }

  sessionLeft(labels: SessionMetricLabels): void {
    this.sessions.dec(labels);
  }

  callStarted(realm: string, procedure: string): void {
    this.procedureSeries(realm, procedure).started++;
  }

  callFinished(realm: string, procedure: string, outcome: CallOutcome, seconds: number): void {
    const series = this.procedureSeries(realm, procedure);
    const label = outcome === 'result' ? outcome : this.outcomes.label(outcome);
    series.finished.set(label, (series.finished.get(label) ?? 0) + 1);
    const buckets = this.buckets;
    let index = 0;
    while (index < buckets.length && seconds > (buckets[index] as number)) index++;
    series.buckets[index] = (series.buckets[index] as number) + 1;
    series.sum += seconds;
    series.count++;
  }

  /** A histogram's sample lines for one series: cumulative buckets, +Inf, sum and count. */
  private histogramSamples(name: string, series: ProcedureSeries): AccumulatedSample[] {
    const labels = { realm: series.realm, procedure: series.procedure };
    const samples: AccumulatedSample[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, index) => {
      cumulative += series.buckets[index] as number;
      samples.push({ metricName: `${name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
    });
    cumulative += series.buckets[this.buckets.length] as number;
    samples.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: cumulative });
    samples.push({ metricName: `${name}_sum`, labels, value: series.sum });
    samples.push({ metricName: `${name}_count`, labels, value: series.count });
    return samples;
  }

  /**
   * The running totals of one realm's procedure, found through two Map lookups: a call adds to numbers, with no
   * label set to hash (prom-client's `inc({ ... })` hashes one per update, which cost a tenth of a call).
   */
  private procedureSeries(realm: string, procedure: string): ProcedureSeries {
    let byProcedure = this.series.get(realm);
    if (!byProcedure) this.series.set(realm, (byProcedure = new Map()));
    let series = byProcedure.get(procedure);
    if (series) return series;
    const label = this.procedures.label(procedure);
    // Past the label bound every new procedure is `(other)`: one shared series, and the map stays bounded.
    if (label === OTHER_LABEL) {
      const other = byProcedure.get(OTHER_LABEL);
      if (other) return other;
    }
    series = {
      realm,
      procedure: label,
      started: 0,
      finished: new Map(),
      buckets: new Array<number>(this.buckets.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
    byProcedure.set(label === OTHER_LABEL ? OTHER_LABEL : procedure, series);
    return series;
  }

  callRefused(realm: string, outcome: CallOutcome): void {
    this.callsRefused.inc({ realm, outcome: this.outcomes.label(outcome) });
  }

  published(realm: string, origin: PublicationOrigin): void {
    let byOrigin = this.publications.get(realm);
    if (!byOrigin) this.publications.set(realm, (byOrigin = { client: 0, application: 0, router: 0 }));
    byOrigin[origin]++;
  }

  delivered(realm: string, count: number): void {
    let totals = this.delivery.get(realm);
    if (!totals) this.delivery.set(realm, (totals = { delivered: 0 }));
    totals.delivered += count;
  }

  eventDropped(reason: 'slow_consumer' | 'memory_budget'): void {
    this.eventsDropped.inc({ reason });
  }

  aborted(reason: string): void {
    this.aborts.inc({ reason: this.reasons.label(reason) });
  }

  authenticationFailed(realm: string, reason: string): void {
    this.authenticationFailures.inc({ realm, reason: this.reasons.label(reason) });
  }
}

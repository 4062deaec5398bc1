/**
 * nestjs-wamp/prometheus: the router's metrics for Prometheus, on prom-client (an optional peer dependency:
 * `npm install prom-client`).
 *
 * @example
 * import { PrometheusWampMetrics } from 'nestjs-wamp/prometheus';
 * WampModule.forRoot({ realms: ['realm1'], metrics: new PrometheusWampMetrics() });
 */
export {
  PrometheusWampMetrics,
  DEFAULT_DURATION_BUCKETS,
  type PrometheusWampMetricsOptions,
} from './prometheus-wamp-metrics.js';
export { OTHER_LABEL } from './bounded-labels.js';

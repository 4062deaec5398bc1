import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { WampInspectorErrorLog } from '../../../lib/index.js';
import { PrometheusWampMetrics } from '../../../lib/prometheus/index.js';

/**
 * What the router reports to, one of each per app (two sample apps in one test process must not share a
 * Prometheus registry): the registry `/metrics` serves, the router's Prometheus metrics in it, and the
 * inspector's recent-errors log. Imported by `WampModule.forRootAsync` (which hands both recorders to the router)
 * and by the observability module (which serves them).
 */
@Module({
  providers: [
    { provide: Registry, useFactory: () => new Registry() },
    {
      provide: PrometheusWampMetrics,
      useFactory: (registry: Registry) => new PrometheusWampMetrics({ registry }),
      inject: [Registry],
    },
    { provide: WampInspectorErrorLog, useFactory: () => new WampInspectorErrorLog() },
  ],
  exports: [Registry, PrometheusWampMetrics, WampInspectorErrorLog],
})
export class MetricsProvidersModule {}

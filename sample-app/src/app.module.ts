import { Module } from '@nestjs/common';
import { WampModule } from '../../lib/index.js';
import type { WampBackplane } from '../../lib/core/index.js';
import { NatsBackplane } from '../../lib/nats/index.js';
import { RedisBackplane } from '../../lib/redis/index.js';
import { AppConfig } from './config/app-config.js';
import { AdminModule } from './admin/admin.module.js';
import { AdminTicketAuthenticator } from './auth/admin-ticket.authenticator.js';
import { AuthModule } from './auth/auth.module.js';
import { AppConfigModule } from './config/app-config.module.js';
import { CountingModule } from './counting/counting.module.js';
import { DocsModule } from './docs/docs.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { PageModule } from './page/page.module.js';
import { WampInspectorErrorLog } from '../../lib/index.js';
import { PrometheusWampMetrics } from '../../lib/prometheus/index.js';
import { MetricsProvidersModule } from './observability/metrics-providers.module.js';
import { ObservabilityModule } from './observability/observability.module.js';

/**
 * The sample application: serverwamp's examples as a Nest app. WAMP at `/ws`, realm `realm1`, where
 * anonymous sessions may use the public API:
 *
 * | URI | kind | module |
 * |---|---|---|
 * | `docs.getDocument`, `docs.listDocuments`, `docs.createDocument`, `docs.deleteDocument` | procedures | {@link DocsModule} |
 * | `docs.changes` | topic (every create and delete; its last 100 events kept as event history) | {@link DocsModule} |
 * | `slowlyCountToNumber` | procedure with progressive results, cancellable | {@link CountingModule} |
 * | `doJob`, then `job_events` to the caller | procedure + per-session events | {@link JobsModule} |
 * | `admin.resetDocuments` | procedure for `authrole` `admin` only (ticket user `admin`) | {@link AdminModule} |
 *
 * plus the browser page at `GET /` ({@link PageModule}), and `/metrics`, `/health` and the inspector at
 * `/admin/inspector` ({@link ObservabilityModule}). As on Crossbar's default `realm1`, any session may
 * also register (and call) procedures of its own under any URI that is not the app's or under `wamp.`. Documents live in an embedded SQLite file
 * (`DOCS_DB`, default `sample-app/data/docs.sqlite`).
 */
@Module({
  imports: [
    // strictUris: false: serverwamp's URIs are camelCase (`docs.getDocument`, `slowlyCountToNumber`), which
    // the spec's loose URI rules allow and its strict rules (components of [0-9a-z_]) do not.
    // Anonymous sessions use the public API; the ticket user `admin` (ADMIN_TICKET) gets the role `admin`.
    WampModule.forRootAsync({
      imports: [MetricsProvidersModule],
      inject: [AppConfig, PrometheusWampMetrics, WampInspectorErrorLog],
      useFactory: (
        config: AppConfig,
        prometheus: PrometheusWampMetrics,
        errorLog: WampInspectorErrorLog,
      ) => ({
        realms: [
          {
            name: 'realm1',
            auth: { anonymous: true, ticket: AdminTicketAuthenticator },
            // The last 100 document changes, for clients that connect late (wamp.subscription.get_events).
            eventHistory: [{ topic: 'docs.changes', limit: 100 }],
          },
        ],
        path: '/ws',
        strictUris: false,
        // WAMP_BACKPLANE=redis://... or nats://...: one instance of a cluster; without it, the app runs alone.
        backplane: backplaneFor(config.backplaneUrl),
        backplaneLease: config.backplaneLease,
        // WAMP over RawSocket (backend services, devices): on RAWSOCKET_PORT, and on the HTTP port by its first byte.
        rawSocket: { port: config.rawSocketPort, host: config.host, shareHttpPort: true },
        // What /metrics serves, and the inspector's recent errors (see ObservabilityModule).
        metrics: [prometheus, errorLog],
      }),
    }),
    AppConfigModule,
    AuthModule,
    DocsModule,
    CountingModule,
    JobsModule,
    AdminModule,
    PageModule,
    ObservabilityModule,
  ],
})
export class AppModule {}

/** The backplane engine a `WAMP_BACKPLANE` URL names (checked by `AppConfig`), or none. */
function backplaneFor(url: string | undefined): WampBackplane | undefined {
  if (url === undefined) return undefined;
  return /^rediss?:/.test(url) ? new RedisBackplane({ url }) : new NatsBackplane({ servers: url });
}

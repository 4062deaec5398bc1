import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { WampInspectorModule } from '../../../lib/index.js';
import { WampHealthIndicator } from '../../../lib/terminus/index.js';
import { AdminHttpGuard } from './admin-http.guard.js';
import { MetricsProvidersModule } from './metrics-providers.module.js';
import { ObservabilityController } from './observability.controller.js';

/**
 * Seeing the router: `/metrics` (Prometheus), `/health` (`@nestjs/terminus`) and the inspector at
 * `/admin/inspector` (live sessions, registrations, subscriptions, recent errors, "try a call"), behind the admin
 * user's HTTP Basic authentication.
 */
@Module({
  imports: [
    TerminusModule,
    MetricsProvidersModule,
    // MetricsProvidersModule: the app's recent-errors log, which the inspector lists.
    WampInspectorModule.register({
      path: 'admin/inspector',
      guards: [AdminHttpGuard],
      imports: [MetricsProvidersModule],
    }),
  ],
  controllers: [ObservabilityController],
  providers: [WampHealthIndicator, AdminHttpGuard],
})
export class ObservabilityModule {}

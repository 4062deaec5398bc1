import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { WampHealthIndicator } from '../../../lib/terminus/index.js';

/**
 * `GET /metrics`: the router's metrics in Prometheus's text format. `GET /health`: `@nestjs/terminus`'s report,
 * 503 while the router does not accept sessions, serve its procedures, or reach its backplane. A production app
 * would keep `/metrics` off the public network (or guard it).
 */
@Controller()
export class ObservabilityController {
  constructor(
    private readonly registry: Registry,
    private readonly health: HealthCheckService,
    private readonly wamp: WampHealthIndicator,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.wamp.isHealthy('wamp')]);
  }
}

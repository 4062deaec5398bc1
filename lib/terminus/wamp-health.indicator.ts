import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { WampHealth } from '../gateway/wamp-health.service.js';

/**
 * The router as a `@nestjs/terminus` health indicator (an optional peer dependency): `up` when the router accepts
 * sessions, its backplane (if any) is connected and the application's procedures are served; `down` with the
 * reason otherwise, which makes `HealthCheckService.check()` answer 503.
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.wamp.isHealthy('wamp')]); }
 */
@Injectable()
export class WampHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly wamp: WampHealth,
  ) {}

  /** The router's health under `key` (default `wamp`), with sessions, accepting, serving and the backplane. */
  isHealthy<const Key extends string = 'wamp'>(key: Key = 'wamp' as Key): HealthIndicatorResult<Key> {
    const indicator = this.indicators.check(key);
    const { status, ...details } = this.wamp.check();
    return status === 'up' ? indicator.up(details) : indicator.down(details);
  }
}

import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { WampHealth, type WampHealthReport } from '../../lib/index.js';
import { PrometheusWampMetrics } from '../../lib/prometheus/index.js';
import { WampHealthIndicator } from '../../lib/terminus/index.js';
import { SERVER_ENGINES, type BackplaneServer } from '../support/backplane-servers.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Health: a `@nestjs/terminus` app reports the router up, then down with the reason while its backplane server
 * (a real redis-server) is stopped, then up again once it is back; the plain `WampHealth` report and the
 * `backplane_connected` gauge say the same.
 */

const redis = SERVER_ENGINES.find((engine) => engine.name === 'Redis')!;
const registry = new Registry();

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly wamp: WampHealthIndicator,
    private readonly plain: WampHealth,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.wamp.isHealthy('wamp')]);
  }

  @Get('ready')
  ready(): WampHealthReport {
    return this.plain.check();
  }
}

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [WampHealthIndicator] })
class HealthModule {}

async function get(
  running: RunningApp,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${running.port}${path}`, {
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

(redis.skip ? describe.skip : describe)('health with @nestjs/terminus, on a Redis backplane', () => {
  let server: BackplaneServer;
  let running: RunningApp;

  beforeAll(async () => {
    server = await redis.start();
    running = await startApp({
      wamp: {
        realms: ['realm1'],
        backplane: redis.backplane(server.url),
        // Long enough that the instance is not cut off while the test stops Redis: down, but not detached.
        backplaneLease: 60_000,
        metrics: new PrometheusWampMetrics({ registry }),
      },
      imports: [HealthModule],
    });
  }, 20_000);
  afterAll(async () => {
    await running?.app.close();
    await server?.kill();
  });

  it('up while the backplane is connected, down with the reason while its server is stopped, up again after', async () => {
    const up = await eventually(
      () => get(running, '/health'),
      ({ status }) => status === 200,
      'health up',
    );
    const wampUp = {
      status: 'up',
      accepting: true,
      serving: true,
      sessions: 0,
      backplane: { connected: true, detached: false },
    };
    // terminus reports the indicator under `info` (the healthy ones) and `details` (all of them).
    expect(up.body).toEqual({ status: 'ok', info: { wamp: wampUp }, error: {}, details: { wamp: wampUp } });
    expect(await registry.getSingleMetricAsString('wamp_backplane_connected')).toMatch(
      /\nwamp_backplane_connected 1$/,
    );

    await server.kill();
    const down = await eventually(
      () => get(running, '/health'),
      ({ status }) => status === 503,
      'health down',
    );
    const reason =
      'The backplane is not connected: publications and calls may not reach the other instances.';
    expect(down.body).toMatchObject({
      status: 'error',
      error: { wamp: { status: 'down', reason, backplane: { connected: false, detached: false } } },
    });
    expect((await get(running, '/ready')).body).toMatchObject({ status: 'down', accepting: true, reason });
    expect(await registry.getSingleMetricAsString('wamp_backplane_connected')).toMatch(
      /\nwamp_backplane_connected 0$/,
    );

    await server.restart();
    await eventually(
      () => get(running, '/health'),
      ({ status }) => status === 200,
      'health up again',
    );
    expect((await get(running, '/ready')).body).toEqual(wampUp);
  }, 40_000);
});

describe('health without a backplane', () => {
  it('up once the transport serves the handlers; down with the reason once the app shuts down', async () => {
    const running = await startApp({ wamp: { realms: ['realm1'] }, imports: [HealthModule] });
    const health = running.app.get(WampHealth);
    expect(health.check()).toEqual({ status: 'up', accepting: true, serving: true, sessions: 0 });
    expect(health.isReady).toBe(true);
    await running.app.close();
    expect(health.check()).toMatchObject({
      status: 'down',
      accepting: false,
      reason: 'The WAMP router is shutting down.',
    });
  });
});

import 'reflect-metadata';
import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Registry } from 'prom-client';
import { WampException, type WampAuthResult, type WampTicketAuthenticator } from '../../lib/index.js';
import { PrometheusWampMetrics } from '../../lib/prometheus/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Metrics end to end: a scripted load against an app whose `/metrics` serves a PrometheusWampMetrics registry,
 * scraped over HTTP, with exact counter values, gauges that follow the router's state, and histogram buckets;
 * label values that clients choose are bounded.
 */

const registry = new Registry();
const metrics = new PrometheusWampMetrics({ registry });
let release: (() => void) | undefined;

@Controller()
class CalcController {
  @MessagePattern('calc.add')
  add(payload: { args: number[] }): number {
    return payload.args[0] + payload.args[1];
  }

  @MessagePattern('calc.fail')
  fail(): never {
    throw new WampException('calc.error.bad', ['Bad input.']);
  }

  @MessagePattern('calc.slow')
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 60));
    return 'slow';
  }

  @MessagePattern('calc.hold')
  hold(): Promise<string> {
    return new Promise((resolve) => {
      release = () => resolve('released');
    });
  }
}

@Controller()
class MetricsController {
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return registry.metrics();
  }
}

@Injectable()
class Tickets implements WampTicketAuthenticator {
  async verifyTicket(_authid: string, ticket: string): Promise<WampAuthResult | null> {
    return ticket === 'good' ? { authrole: 'user' } : null;
  }
}

/** The exposition as `name{label="value",...}` (labels sorted) -> value. */
async function scrape(running: RunningApp): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${running.port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => `${name}="${value}"`)
      .sort();
    samples.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return samples;
}

async function join(running: RunningApp, realm = 'realm1', details: object = {}): Promise<RawWampClient> {
  const client = await RawWampClient.connect(running.url);
  client.send([1, realm, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} }, ...details }]);
  const welcome = (await client.next()) as unknown[];
  expect(welcome[0]).toBe(2);
  return client;
}

async function call(client: RawWampClient, request: number, procedure: string, args: unknown[] = []) {
  client.send([48, request, {}, procedure, args]);
  return (await client.next()) as unknown[];
}

describe('metrics: /metrics scraped during a scripted load', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: {
        realms: ['realm1', { name: 'secure', auth: { ticket: Tickets } }],
        metrics,
      },
      controllers: [CalcController, MetricsController],
      providers: [Tickets],
    });
  });
  afterAll(() => running.app.close());

  it('counts sessions, calls by outcome, refusals, publications, deliveries, aborts and authentication failures exactly', async () => {
    const [first, second, third] = [await join(running), await join(running), await join(running)];
    let samples = await scrape(running);
    expect(samples.get('wamp_sessions{authmethod="anonymous",realm="realm1",transport="websocket"}')).toBe(3);

    for (let index = 1; index <= 10; index++)
      expect((await call(first, index, 'calc.add', [index, 1]))[0]).toBe(50);
    for (let index = 11; index <= 12; index++)
      expect((await call(first, index, 'calc.fail'))[4]).toBe('calc.error.bad');
    expect((await call(first, 13, 'calc.nope'))[4]).toBe('wamp.error.no_such_procedure');
    expect(await call(first, 14, 'calc.slow')).toEqual([50, 14, {}, ['slow']]);

    // A client callee, called three times by another session.
    second.send([64, 1, {}, 'remote.echo']);
    expect(((await second.next()) as unknown[])[0]).toBe(65);
    for (let index = 1; index <= 3; index++) {
      third.send([48, index, {}, 'remote.echo', [index]]);
      const invocation = (await second.next()) as unknown[];
      second.send([70, invocation[1], {}, invocation[4]]);
      expect(await third.next()).toEqual([50, index, {}, [index]]);
    }

    // Five publications, each to two subscribers (one of them the publisher, who excludes itself by default).
    first.send([32, 100, {}, 'calc.news']);
    expect(((await first.next()) as unknown[])[0]).toBe(33);
    second.send([32, 100, {}, 'calc.news']);
    expect(((await second.next()) as unknown[])[0]).toBe(33);
    for (let index = 1; index <= 5; index++) third.send([16, 100 + index, {}, 'calc.news', [index]]);
    for (let index = 1; index <= 5; index++) {
      expect(((await first.next()) as unknown[])[0]).toBe(36);
      expect(((await second.next()) as unknown[])[0]).toBe(36);
    }

    // A protocol violation and a failed authentication.
    const violator = await join(running);
    violator.sendRaw('not json');
    await violator.waitClosed();
    const intruder = await RawWampClient.connect(running.url);
    intruder.send([1, 'secure', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'eve' }]);
    expect(((await intruder.next()) as unknown[])[0]).toBe(4);
    intruder.send([5, 'bad', {}]);
    expect(((await intruder.next()) as unknown[])[0]).toBe(3);

    samples = await scrape(running);
    const realm1 = 'realm="realm1"';
    expect({
      add: samples.get(`wamp_calls_started_total{procedure="calc.add",${realm1}}`),
      addResults: samples.get(`wamp_calls_finished_total{outcome="result",procedure="calc.add",${realm1}}`),
      fails: samples.get(
        `wamp_calls_finished_total{outcome="calc.error.bad",procedure="calc.fail",${realm1}}`,
      ),
      refused: samples.get(`wamp_calls_refused_total{outcome="wamp.error.no_such_procedure",${realm1}}`),
      remote: samples.get(`wamp_calls_finished_total{outcome="result",procedure="remote.echo",${realm1}}`),
      publications: samples.get(`wamp_publications_total{origin="client",${realm1}}`),
      delivered: samples.get(`wamp_events_delivered_total{${realm1}}`),
      violations: samples.get('wamp_aborts_total{reason="wamp.error.protocol_violation"}'),
      authFailures: samples.get(
        'wamp_authentication_failures_total{realm="secure",reason="wamp.error.authentication_failed"}',
      ),
      joined: samples.get(
        `wamp_sessions_joined_total{authmethod="anonymous",${realm1},transport="websocket"}`,
      ),
      sessions: samples.get(`wamp_sessions{authmethod="anonymous",${realm1},transport="websocket"}`),
    }).toEqual({
      add: 10,
      addResults: 10,
      fails: 2,
      refused: 1,
      remote: 3,
      publications: 5,
      delivered: 10,
      violations: 1,
      authFailures: 1,
      joined: 4,
      sessions: 3,
    });
    // The histogram: calc.slow took at least 60 ms, so it is in no bucket up to 50 ms and in every one from 100 ms
    // on (unless the machine stalled it past 100 ms, it is in le=0.1).
    const slow = `procedure="calc.slow",${realm1}`;
    expect(samples.get(`wamp_call_duration_seconds_bucket{le="0.05",${slow}}`)).toBe(0);
    expect(samples.get(`wamp_call_duration_seconds_bucket{le="10",${slow}}`)).toBe(1);
    expect(samples.get(`wamp_call_duration_seconds_bucket{le="+Inf",${slow}}`)).toBe(1);
    expect(samples.get(`wamp_call_duration_seconds_count{${slow}}`)).toBe(1);
    expect(samples.get(`wamp_call_duration_seconds_sum{${slow}}`)).toBeGreaterThanOrEqual(0.06);
    expect(samples.get(`wamp_call_duration_seconds_count{procedure="calc.add",${realm1}}`)).toBe(10);
    // State read at scrape time: the app's four procedures, the client's one; two subscriptions.
    expect(samples.get(`wamp_registrations{${realm1}}`)).toBe(5);
    expect(samples.get(`wamp_subscriptions{${realm1}}`)).toBe(1);
    expect(samples.get(`wamp_calls_in_flight{${realm1}}`)).toBe(0);
    expect(samples.get('wamp_outbound_queued_bytes{}')).toBe(0);
    expect(samples.has('wamp_backplane_connected{}')).toBe(false);

    // A call in flight shows while it runs; sessions that leave are no longer counted.
    first.send([48, 50, {}, 'calc.hold']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await scrape(running)).get(`wamp_calls_in_flight{${realm1}}`)).toBe(1);
    release?.();
    expect(await first.next()).toEqual([50, 50, {}, ['released']]);
    for (const client of [first, second, third]) {
      client.send([6, {}, 'wamp.close.close_realm']);
      await client.next();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    samples = await scrape(running);
    expect(samples.get(`wamp_sessions{authmethod="anonymous",${realm1},transport="websocket"}`)).toBe(0);
    expect(samples.get(`wamp_calls_finished_total{outcome="result",procedure="calc.hold",${realm1}}`)).toBe(
      1,
    );
  });
});

describe('metrics: label values clients choose are bounded', () => {
  it('procedures past maxLabelValues are counted as (other)', async () => {
    const bounded = new Registry();
    const running = await startApp({
      wamp: {
        realms: ['realm1'],
        metrics: new PrometheusWampMetrics({ registry: bounded, maxLabelValues: 3 }),
      },
    });
    try {
      const callee = await join(running);
      const caller = await join(running);
      for (let index = 1; index <= 6; index++) {
        callee.send([64, index, {}, `spam.p${index}`]);
        expect(((await callee.next()) as unknown[])[0]).toBe(65);
        caller.send([48, index, {}, `spam.p${index}`, []]);
        const invocation = (await callee.next()) as unknown[];
        callee.send([70, invocation[1], {}]);
        expect(((await caller.next()) as unknown[])[0]).toBe(50);
      }
      const text = await bounded.metrics();
      const started = text.split('\n').filter((line) => line.startsWith('wamp_calls_started_total{'));
      expect(started.sort()).toEqual([
        'wamp_calls_started_total{realm="realm1",procedure="(other)"} 3',
        'wamp_calls_started_total{realm="realm1",procedure="spam.p1"} 1',
        'wamp_calls_started_total{realm="realm1",procedure="spam.p2"} 1',
        'wamp_calls_started_total{realm="realm1",procedure="spam.p3"} 1',
      ]);
    } finally {
      await running.app.close();
    }
  });

  it('a metrics option that is not one fails the start, naming it', async () => {
    await expect(startApp({ wamp: { realms: ['realm1'], metrics: {} as never } })).rejects.toThrow(
      /WampModule: invalid option metrics: expected an object with sessionJoined\(\), callStarted\(\)/,
    );
  });
});

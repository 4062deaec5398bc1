import 'reflect-metadata';
import { Registry } from 'prom-client';
import { WampInspectorErrorLog, WampInspectorModule } from '../../../lib/index.js';
import { PrometheusWampMetrics } from '../../../lib/prometheus/index.js';

/** The inspector's and the metrics' own checks: what they refuse at startup, and the error log's ring. */

describe('WampInspectorModule.register', () => {
  it('refuses to serve the inspector without guards, unless told the path is guarded otherwise', () => {
    expect(() => WampInspectorModule.register()).toThrow(
      'WampInspectorModule.register: no guards. The inspector lists every session and calls procedures as the ' +
        'application: give guards (e.g. your admin guard), or allowUnguarded: true if the path is guarded otherwise.',
    );
    expect(WampInspectorModule.register({ allowUnguarded: true }).controllers).toHaveLength(1);
  });

  it.each([0, -1, 1.5])('refuses callTimeout %p, naming it', (callTimeout) => {
    expect(() => WampInspectorModule.register({ allowUnguarded: true, callTimeout })).toThrow(
      `WampInspectorModule.register: callTimeout must be a positive integer (ms), got ${callTimeout}.`,
    );
  });
});

describe('WampInspectorErrorLog', () => {
  it('keeps the last `capacity` errors, newest first, and nothing but errors', () => {
    const log = new WampInspectorErrorLog(3);
    log.callFinished('realm1', 'app.ok', 'result');
    log.callFinished('realm1', 'app.a', 'app.error.a');
    log.callRefused('realm1', 'wamp.error.no_such_procedure');
    log.aborted('wamp.error.protocol_violation');
    log.authenticationFailed('realm1', 'wamp.error.authentication_failed');
    expect(log.recent().map(({ at: _at, ...entry }) => entry)).toEqual([
      { kind: 'authentication', realm: 'realm1', uri: 'wamp.error.authentication_failed' },
      { kind: 'abort', uri: 'wamp.error.protocol_violation' },
      { kind: 'refused', realm: 'realm1', uri: 'wamp.error.no_such_procedure' },
    ]);
    expect(log.recent()[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it.each([0, 2.5])('refuses capacity %p', (capacity) => {
    expect(() => new WampInspectorErrorLog(capacity)).toThrow(
      `WampInspectorErrorLog: capacity must be a positive integer, got ${capacity}.`,
    );
  });
});

describe('PrometheusWampMetrics options', () => {
  it.each([0, 2.5])('refuses maxLabelValues %p', (maxLabelValues) => {
    expect(() => new PrometheusWampMetrics({ registry: new Registry(), maxLabelValues })).toThrow(
      `PrometheusWampMetrics: maxLabelValues must be a positive integer, got ${maxLabelValues}.`,
    );
  });
});

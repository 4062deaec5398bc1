import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { MemoryBackplane, MemoryBackplaneHub } from '../../lib/core/index.js';
import { WampException } from '../../lib/index.js';
import { OpenTelemetryWampTracing } from '../../lib/opentelemetry/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Tracing with OpenTelemetry's in-memory exporter: the caller's W3C trace context (`_traceparent` in
 * CALL.Options / PUBLISH.Options) is the parent of the router's span, the router's span the parent of the Nest
 * handler's own spans and of the client callee's INVOCATION (which carries its `_traceparent`), across two
 * instances on a backplane too; a publication's span context reaches every EVENT.
 */

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
afterAll(() => {
  context.disable();
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${CALLER_SPAN}-01`;

@Controller()
class TracedController {
  @MessagePattern('trace.local')
  async local(): Promise<string> {
    // The handler's own span: a child of the router's, through the active context.
    const span = tracer.startSpan('handler work');
    await new Promise((resolve) => setTimeout(resolve, 5));
    span.end();
    return 'done';
  }

  @MessagePattern('trace.fail')
  fail(): never {
    throw new WampException('trace.error.bad');
  }
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function named(name: string): ReadableSpan {
  const found = exporter.getFinishedSpans().filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`Expected one span "${name}", got ${found.length}`);
  return found[0] as ReadableSpan;
}

async function join(running: RunningApp): Promise<RawWampClient> {
  return (await RawWampClient.join(running.url)).client;
}

describe('tracing on one instance', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: { realms: ['realm1'], tracing: new OpenTelemetryWampTracing({ tracer }) },
      controllers: [TracedController],
    });
  });
  afterAll(() => running.app.close());
  beforeEach(() => exporter.reset());

  it("CALL -> Nest handler: the router's SERVER span is the caller's child and the handler's span its child", async () => {
    const caller = await join(running);
    caller.send([48, 1, { _traceparent: TRACEPARENT }, 'trace.local', []]);
    expect(await caller.next()).toEqual([50, 1, {}, ['done']]);
    const call = named('wamp.call trace.local');
    expect(call.kind).toBe(SpanKind.SERVER);
    expect(call.spanContext().traceId).toBe(TRACE);
    expect(parentOf(call)).toBe(CALLER_SPAN);
    expect(call.attributes).toMatchObject({ 'wamp.callee': 'application', 'wamp.outcome': 'result' });
    const work = named('handler work');
    expect(work.spanContext().traceId).toBe(TRACE);
    expect(parentOf(work)).toBe(call.spanContext().spanId);
  });

  it("CALL -> client callee: INVOCATION.Details carries the router span's _traceparent", async () => {
    const callee = await join(running);
    callee.send([64, 1, {}, 'trace.remote']);
    expect(((await callee.next()) as unknown[])[0]).toBe(65);
    const caller = await join(running);
    caller.send([48, 1, { _traceparent: TRACEPARENT, _tracestate: 'vendor=value' }, 'trace.remote', [1]]);
    const invocation = (await callee.next()) as [number, number, number, Record<string, unknown>];
    callee.send([70, invocation[1], {}, ['yielded']]);
    expect(await caller.next()).toEqual([50, 1, {}, ['yielded']]);
    const call = named('wamp.call trace.remote');
    expect(parentOf(call)).toBe(CALLER_SPAN);
    expect(call.attributes['wamp.callee']).toBe('client');
    expect(invocation[3]).toEqual({
      _traceparent: `00-${TRACE}-${call.spanContext().spanId}-01`,
      _tracestate: 'vendor=value',
    });
  });

  it('an ERROR outcome marks the span as failed; no _traceparent starts a new trace', async () => {
    const caller = await join(running);
    caller.send([48, 1, {}, 'trace.fail', []]);
    expect(((await caller.next()) as unknown[])[4]).toBe('trace.error.bad');
    const call = named('wamp.call trace.fail');
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: 'trace.error.bad' });
    expect(parentOf(call)).toBeUndefined();
    // A malformed traceparent is ignored the same way, never a protocol violation.
    caller.send([48, 2, { _traceparent: 'garbage', _tracestate: 5 }, 'trace.fail', []]);
    expect(((await caller.next()) as unknown[])[4]).toBe('trace.error.bad');
  });

  it("PUBLISH -> EVENTs: the publication's PRODUCER span is the publisher's child; EVENT.Details carry it", async () => {
    const subscriber = await join(running);
    subscriber.send([32, 1, {}, 'trace.topic']);
    expect(((await subscriber.next()) as unknown[])[0]).toBe(33);
    const publisher = await join(running);
    publisher.send([16, 1, { _traceparent: TRACEPARENT, acknowledge: true }, 'trace.topic', ['hello']]);
    expect(((await publisher.next()) as unknown[])[0]).toBe(17);
    const event = (await subscriber.next()) as [number, number, number, Record<string, unknown>];
    const publication = named('wamp.publish trace.topic');
    expect(publication.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(publication)).toBe(CALLER_SPAN);
    expect(event[3]).toEqual({ _traceparent: `00-${TRACE}-${publication.spanContext().spanId}-01` });
  });
});

describe('tracing without a tracer registered: nothing changes on the wire', () => {
  it("a caller's _traceparent reaches no INVOCATION when tracing is off", async () => {
    const running = await startApp({ wamp: { realms: ['realm1'] } });
    try {
      const callee = await join(running);
      callee.send([64, 1, {}, 'plain.remote']);
      await callee.next();
      const caller = await join(running);
      caller.send([48, 1, { _traceparent: TRACEPARENT }, 'plain.remote', []]);
      const invocation = (await callee.next()) as unknown[];
      expect(invocation[3]).toEqual({});
      caller.terminate();
      callee.terminate();
    } finally {
      await running.app.close();
    }
  });
});

describe("tracing on, but no OpenTelemetry SDK registered (the API's no-op tracer)", () => {
  it("nothing is recorded; the caller's trace context passes through to the callee unchanged", async () => {
    const running = await startApp({ wamp: { realms: ['realm1'], tracing: new OpenTelemetryWampTracing() } });
    try {
      const callee = await join(running);
      callee.send([64, 1, {}, 'noop.remote']);
      await callee.next();
      const caller = await join(running);
      caller.send([48, 1, { _traceparent: TRACEPARENT }, 'noop.remote', []]);
      const invocation = (await callee.next()) as unknown[];
      expect(invocation[3]).toEqual({ _traceparent: TRACEPARENT });
      callee.send([70, invocation[1], {}]);
      expect(await caller.next()).toEqual([50, 1, {}]);
      caller.send([48, 2, {}, 'noop.remote', []]);
      expect(((await callee.next()) as unknown[])[3]).toEqual({});
      caller.terminate();
      callee.terminate();
    } finally {
      await running.app.close();
    }
  });
});

describe('tracing across two instances on a backplane', () => {
  it("the callee's instance opens a span that is the child of the caller's instance's span", async () => {
    exporter.reset();
    const hub = new MemoryBackplaneHub();
    const apps: RunningApp[] = [];
    try {
      for (const node of ['a', 'b']) {
        apps.push(
          await startApp({
            wamp: {
              realms: ['realm1'],
              backplane: new MemoryBackplane(hub, node),
              tracing: new OpenTelemetryWampTracing({ tracer }),
            },
          }),
        );
      }
      const [a, b] = apps as [RunningApp, RunningApp];
      const callee = await join(b);
      callee.send([64, 1, {}, 'cluster.remote']);
      expect(((await callee.next()) as unknown[])[0]).toBe(65);
      const caller = await join(a);
      let answer: unknown[] = [];
      for (let attempt = 0; attempt < 50; attempt++) {
        caller.send([48, attempt + 1, { _traceparent: TRACEPARENT }, 'cluster.remote', []]);
        const frame = (await Promise.race([caller.next(3000), callee.next(3000)])) as unknown[];
        if (frame[0] === 68) {
          callee.send([70, frame[1], {}, ['across']]);
          answer = (await caller.next()) as unknown[];
          // The INVOCATION on B carries B's span.
          const spans = exporter
            .getFinishedSpans()
            .filter((span) => span.name === 'wamp.call cluster.remote');
          const onA = spans.find((span) => span.attributes['wamp.callee'] === 'instance');
          const onB = spans.find((span) => span.attributes['wamp.callee'] === 'client');
          expect(onA && parentOf(onA)).toBe(CALLER_SPAN);
          expect(onB && parentOf(onB)).toBe(onA?.spanContext().spanId);
          expect(onB?.spanContext().traceId).toBe(TRACE);
          expect((frame[3] as Record<string, unknown>)._traceparent).toBe(
            `00-${TRACE}-${onB?.spanContext().spanId}-01`,
          );
          break;
        }
        // The registration had not reached A yet: no_such_procedure; try again.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(answer).toEqual([50, expect.any(Number), {}, ['across']]);
      caller.terminate();
      callee.terminate();
    } finally {
      for (const app of apps) await app.app.close();
    }
  });
});

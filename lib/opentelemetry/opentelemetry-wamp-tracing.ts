import {
  context,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type {
  CallSpanFacts,
  PublicationSpanFacts,
  TraceCarrier,
  WampRouterTracing,
  WampTraceSpan,
} from '../core/router/tracing/wamp-router-tracing.interface.js';

/** Options of {@link OpenTelemetryWampTracing}. */
export interface OpenTelemetryWampTracingOptions {
  /** The tracer spans are made with. Default: `trace.getTracer('nestjs-wamp')` of the global provider. */
  readonly tracer?: Tracer;
}

/** `00-<32 hex trace ID>-<16 hex span ID>-<2 hex flags>`, the W3C traceparent of version 00. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The router's spans on OpenTelemetry (`@opentelemetry/api`, an optional peer dependency; register an SDK as your
 * app does for its HTTP spans). A routed call is a `SERVER` span `wamp.call <procedure>`, the parent of the Nest
 * handler's work (it runs in the span's context) or of the client callee's INVOCATION (which carries the span's
 * `_traceparent`); a publication is a `PRODUCER` span `wamp.publish <topic>`, whose context every EVENT carries.
 * The W3C trace context is read from and written to WAMP's `_traceparent` / `_tracestate` keys directly, so no
 * global propagator is needed.
 *
 * @example
 * WampModule.forRoot({ realms: ['realm1'], tracing: new OpenTelemetryWampTracing() });
 */
export class OpenTelemetryWampTracing implements WampRouterTracing {
  private readonly tracer: Tracer;

  constructor(options: OpenTelemetryWampTracingOptions = {}) {
    this.tracer = options.tracer ?? trace.getTracer('nestjs-wamp');
  }

  startCall(facts: CallSpanFacts, parent: TraceCarrier | undefined): WampTraceSpan {
    const parentContext = contextOf(parent);
    const span = this.tracer.startSpan(
      `wamp.call ${facts.procedure}`,
      { kind: SpanKind.SERVER },
      parentContext,
    );
    if (!span.isRecording()) return notRecorded(parent);
    span.setAttributes({
      'rpc.system': 'wamp',
      'rpc.method': facts.calledUri,
      'wamp.realm': facts.realm,
      'wamp.registration': facts.procedure,
      'wamp.callee': facts.callee,
      'wamp.caller_session': facts.callerSession,
    });
    return new OpenTelemetrySpan(span, trace.setSpan(parentContext, span), 'result');
  }

  startPublication(facts: PublicationSpanFacts, parent: TraceCarrier | undefined): WampTraceSpan {
    const parentContext = contextOf(parent);
    const span = this.tracer.startSpan(
      `wamp.publish ${facts.topic}`,
      { kind: SpanKind.PRODUCER },
      parentContext,
    );
    if (!span.isRecording()) return notRecorded(parent);
    span.setAttributes({
      'messaging.system': 'wamp',
      'messaging.destination.name': facts.topic,
      'wamp.realm': facts.realm,
      'wamp.publication': facts.publicationId,
    });
    return new OpenTelemetrySpan(span, trace.setSpan(parentContext, span), 'delivered');
  }
}

/** A span nobody records (no SDK registered, or not sampled): nothing to end, nothing to run in. */
const NOT_RECORDED: WampTraceSpan = {
  carrier: {},
  run: (work) => work(),
  end: () => undefined,
};

/**
 * What the router does when the span is not recorded: the caller's trace context, if any, is passed on as it came
 * (W3C's rule for a hop that does not participate), and nothing else is made.
 */
function notRecorded(parent: TraceCarrier | undefined): WampTraceSpan {
  return parent === undefined ? NOT_RECORDED : { ...NOT_RECORDED, carrier: parent };
}

/** The parent a client's (or another instance's) trace context names; the active context when there is none. */
function contextOf(carrier: TraceCarrier | undefined): Context {
  const match = carrier?._traceparent === undefined ? null : TRACEPARENT.exec(carrier._traceparent);
  if (!match || /^0+$/.test(match[1] as string) || /^0+$/.test(match[2] as string)) return context.active();
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    traceState: carrier?._tracestate === undefined ? undefined : createTraceState(carrier._tracestate),
  });
}

class OpenTelemetrySpan implements WampTraceSpan {
  private written?: TraceCarrier;

  constructor(
    private readonly span: Span,
    private readonly spanContext: Context,
    private readonly success: string,
  ) {}

  get carrier(): TraceCarrier {
    if (this.written) return this.written;
    const { traceId, spanId, traceFlags, traceState } = this.span.spanContext();
    const traceparent = `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
    const state = traceState?.serialize();
    this.written = state ? { _traceparent: traceparent, _tracestate: state } : { _traceparent: traceparent };
    return this.written;
  }

  run<T>(work: () => T): T {
    return context.with(this.spanContext, work);
  }

  end(outcome: string, attributes?: Readonly<Record<string, number | string>>): void {
    this.span.setAttribute('wamp.outcome', outcome);
    if (attributes) this.span.setAttributes(attributes);
    if (outcome !== this.success) this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    this.span.end();
  }
}

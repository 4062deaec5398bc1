/**
 * W3C trace context as it travels in WAMP: the option keys `_traceparent` and `_tracestate` of CALL.Options and
 * PUBLISH.Options from a client, and of INVOCATION.Details and EVENT.Details from the router (WAMP allows
 * implementation keys of the form `_[a-z0-9_]{3,}`). Values are the W3C headers' values.
 */
export interface TraceCarrier {
  readonly _traceparent?: string;
  readonly _tracestate?: string;
}

/** One span the router opened: for a routed call, or for a publication and its fan-out. */
export interface WampTraceSpan {
  /** The trace context for the next hop: what goes into INVOCATION.Details or EVENT.Details. */
  readonly carrier: TraceCarrier;
  /** Runs `work` with this span as the active one (the application's handler, so its own spans nest). */
  run<T>(work: () => T): T;
  /** Ends the span: `outcome` is `result`, an ERROR URI, `caller_gone`, or for a publication `delivered`. */
  end(outcome: string, attributes?: Readonly<Record<string, number | string>>): void;
}

/** What a span of a routed call is about. */
export interface CallSpanFacts {
  readonly realm: string;
  /** The registration's URI (a pattern for a pattern registration). */
  readonly procedure: string;
  /** The URI the caller named. */
  readonly calledUri: string;
  /** `application`: a handler of the app in this process; `client`: a client callee; `instance`: another instance. */
  readonly callee: 'application' | 'client' | 'instance';
  readonly callerSession: number;
}

/** What a span of a publication is about. */
export interface PublicationSpanFacts {
  readonly realm: string;
  readonly topic: string;
  readonly publicationId: number;
}

/**
 * Where the router opens spans, for tracing: one per routed call (from CALL to its final RESULT or ERROR, parent of
 * the application's handler or of the INVOCATION to a client callee) and one per publication (PUBLISH to its
 * fan-out). The router calls it only when configured (option `tracing`), so tracing off costs nothing; the
 * parent comes from the client's `_traceparent` (see {@link TraceCarrier}), or from another instance's when the
 * call or publication crossed the backplane.
 *
 * @example
 * new WampRouter({ ...options, tracing: new OpenTelemetryWampTracing() });
 */
export interface WampRouterTracing {
  startCall(facts: CallSpanFacts, parent: TraceCarrier | undefined): WampTraceSpan;
  startPublication(facts: PublicationSpanFacts, parent: TraceCarrier | undefined): WampTraceSpan;
}

/** A realm's broker or dealer's view of tracing: where to open spans, and the realm they belong to. */
export interface RealmTracing {
  readonly tracer: WampRouterTracing;
  readonly realm: string;
}

/** The longest `_traceparent` / `_tracestate` value read (W3C caps tracestate at 512 characters). */
const MAX_CARRIER_LENGTH = 512;

/**
 * The trace context a client sent in CALL.Options or PUBLISH.Options, if any: strings of sane length only (the
 * keys are not the spec's, so a wrong value is ignored rather than a protocol violation).
 */
export function traceCarrierOf(options: Readonly<Record<string, unknown>>): TraceCarrier | undefined {
  const traceparent = options._traceparent;
  if (typeof traceparent !== 'string' || traceparent.length > MAX_CARRIER_LENGTH) return undefined;
  const tracestate = options._tracestate;
  return typeof tracestate === 'string' && tracestate.length <= MAX_CARRIER_LENGTH
    ? { _traceparent: traceparent, _tracestate: tracestate }
    : { _traceparent: traceparent };
}

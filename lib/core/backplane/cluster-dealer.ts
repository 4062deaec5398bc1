import type { TraceCarrier } from '../router/tracing/wamp-router-tracing.interface.js';
import type {
  CallMessage,
  CallOptions,
  WampArgs,
  WampDict,
  WampKwargs,
  WampMatchPolicy,
} from '../protocol/wamp-message.interface.js';
import { WampMessageType } from '../protocol/message-type.enum.js';
import { WampErrorUri } from '../protocol/wamp-uris.js';
import type { DealerCluster } from '../router/dealer/dealer-cluster.interface.js';
import type { ForwardedInvocation } from '../router/dealer/forwarded-invocation.interface.js';
import type { LocalDealer } from '../router/dealer/local-dealer.js';
import type { ClusterCallee, InvocationPolicy, Registration } from '../router/dealer/registration.js';
import type { WampCall } from '../router/dealer/wamp-call.interface.js';
import type { WampLogger } from '../router/wamp-logger.interface.js';
import { BackplaneMessageError, decodeBackplaneMessage, encodeBackplaneMessage } from './backplane-codec.js';
import type { ClusterMembership } from './cluster-membership.js';
import { ForwardedCaller, type ForwardedAnswer } from './forwarded-caller.js';
import type { WampBackplane } from './wamp-backplane.interface.js';

const DEALER = 'dealer';
const MATCH_POLICIES: ReadonlySet<string> = new Set(['exact', 'prefix', 'wildcard']);
const INVOCATION_POLICIES: ReadonlySet<string> = new Set(['single', 'roundrobin', 'random', 'first', 'last']);
const CANCEL_MODES: ReadonlySet<string> = new Set(['skip', 'kill', 'killnowait']);

/** A call of this instance's caller served on another instance. */
class OutgoingCall implements ForwardedInvocation {
  readonly kind = 'forwarded';
  acceptsChunks: boolean;
  /** Whether the other instance gave the final answer. */
  answered = false;
  /** Whether the caller's CANCEL was passed on. */
  canceled = false;

  constructor(
    readonly id: number,
    readonly call: WampCall,
    readonly node: string,
    private readonly link: ClusterDealer,
  ) {
    this.acceptsChunks = call.options.progress === true;
  }

  sendChunk(message: CallMessage): void {
    this.acceptsChunks = message.options.progress === true;
    this.link.sendCall(this, sendableOptions(message.options), message.args, message.kwargs);
  }

  cancel(mode: 'skip' | 'kill' | 'killnowait'): void {
    // The first CANCEL decides, as on one instance: repeating it sends nothing more.
    if (this.canceled) return;
    this.canceled = true;
    this.link.sendToNode(this.node, ['cancel', this.id, mode]);
  }

  settled(): void {
    this.link.settled(this);
  }
}

/**
 * The dealer's link to the other instances of a cluster ({@link DealerCluster}), one per realm, over the
 * backplane:
 *
 * - registrations: each instance claims a URI before its first client callee of it joins (so `single` holds
 *   across the cluster, and a shared registration keeps one policy), renews its claims every heartbeat, and
 *   tells the others of each callee that joins or leaves; an instance that starts asks for what exists;
 * - calls: a call routed to a callee on another instance is sent to that instance's own channel, whose dealer
 *   runs it as a call from a {@link ForwardedCaller} (with the caller's ID and identity) and sends every answer
 *   back; chunks and CANCEL follow the same way;
 * - failure: when an instance is lost (silent for the lease, or left), its callees are no longer called, calls
 *   waiting on it end with `wamp.error.canceled`, and the calls it forwarded here are abandoned (their callees
 *   interrupted).
 */
export class ClusterDealer implements DealerCluster {
  private dealer?: LocalDealer;
  private readonly registrationsChannel: string;
  private readonly outgoing = new Map<number, OutgoingCall>();
  /** Callers of other instances with calls here, by `"<node> <session>"`. */
  private readonly callers = new Map<string, ForwardedCaller>();
  /** The same callers by `"<node> <call ID>"`, for the CANCEL of a call. */
  private readonly incoming = new Map<string, ForwardedCaller>();
  private lastCall = 0;

  constructor(
    private readonly realm: string,
    private readonly backplane: WampBackplane,
    private readonly membership: ClusterMembership,
    private readonly logger: WampLogger,
  ) {
    this.registrationsChannel = `wamp/${realm}/registrations`;
  }

  /** Starts serving `dealer`: listens to the others and asks them what they have registered. */
  attach(dealer: LocalDealer): void {
    this.dealer = dealer;
    // The subscriptions end when the backplane closes, the listeners when the membership stops.
    this.backplane.subscribe(this.registrationsChannel, (payload, from) =>
      this.receive(payload, from, (body) => this.registrationMessage(body, from)),
    );
    this.backplane.subscribe(this.nodeChannel(this.backplane.nodeId), (payload, from) =>
      this.receive(payload, from, (body) => this.callMessage(body, from)),
    );
    this.membership.onLost((node) => this.lost(node));
    this.membership.onHeartbeat(() => this.renewClaims());
    // Back after a loss of connection: what was announced meanwhile may be lost, so everyone tells again.
    this.membership.onReconnected(() => {
      this.renewClaims();
      this.broadcast(['sync']);
    });
    this.broadcast(['sync']);
  }

  claim(procedure: string, match: WampMatchPolicy, invoke: InvocationPolicy): Promise<string | undefined> {
    return this.backplane.claim(
      this.claimKey(procedure, match),
      invoke,
      invoke === 'single',
      this.membership.leaseMs,
    );
  }

  release(procedure: string, match: WampMatchPolicy): Promise<void> {
    return this.backplane
      .release(this.claimKey(procedure, match))
      .catch((error: unknown) =>
        this.logger.warn(`Backplane: a registration claim was not released (${String(error)})`),
      );
  }

  joined(registration: Registration, session: number, takesChunks: boolean): void {
    const { procedure, match, invoke } = registration;
    this.broadcast(['joined', procedure, match, invoke, session, takesChunks]);
  }

  left(registration: Registration, session: number): void {
    this.broadcast(['left', registration.procedure, registration.match, session]);
  }

  forward(call: WampCall, callee: ClusterCallee, timeout: number): ForwardedInvocation {
    if (this.lastCall >= Number.MAX_SAFE_INTEGER) this.lastCall = 0;
    const outgoing = new OutgoingCall(++this.lastCall, call, callee.node, this);
    this.outgoing.set(outgoing.id, outgoing);
    this.sendCall(
      outgoing,
      sendableOptions(call.options, timeout, call.traceCarrier),
      call.args,
      call.kwargs,
    );
    // The caller left (or the router shuts down): the other instance stops the invocation too.
    call.onInterrupt(() => {
      this.outgoing.delete(outgoing.id);
      if (!outgoing.answered && !outgoing.canceled) {
        this.sendToNode(outgoing.node, ['cancel', outgoing.id, 'killnowait']);
      }
    });
    return outgoing;
  }

  /**
   * @internal Sends a CALL (the first, or a chunk) of `outgoing` to its instance; `options` as
   * {@link sendableOptions} made them.
   */
  sendCall(outgoing: OutgoingCall, options: CallOptions, args?: WampArgs, kwargs?: WampKwargs): void {
    const { call } = outgoing;
    const identity = call.caller.identity;
    this.sendToNode(outgoing.node, [
      'call',
      outgoing.id,
      [call.caller.id, identity?.authid ?? null, identity?.authrole ?? null],
      call.procedure,
      options,
      args ?? null,
      kwargs ?? null,
    ]);
  }

  /** @internal The call ended on this instance. */
  settled(outgoing: OutgoingCall): void {
    this.outgoing.delete(outgoing.id);
  }

  /** @internal Sends `body` to one instance's own channel. */
  sendToNode(node: string, body: unknown[]): void {
    this.send(this.nodeChannel(node), body);
  }

  private broadcast(body: unknown[]): void {
    this.send(this.registrationsChannel, body);
  }

  private send(channel: string, body: unknown[]): void {
    this.backplane
      .broadcast(channel, encodeBackplaneMessage(DEALER, body))
      .catch((error: unknown) =>
        this.logger.warn(`Backplane: a dealer message was not sent (${String(error)})`),
      );
  }

  private receive(payload: Uint8Array, from: string, handle: (body: unknown[]) => void): void {
    try {
      const message = decodeBackplaneMessage(payload);
      if (message.kind !== DEALER || !Array.isArray(message.body)) {
        throw new BackplaneMessageError(`Not a dealer message (${message.kind}).`);
      }
      this.membership.heard(from);
      handle(message.body);
    } catch (error) {
      this.logger.error(
        `Backplane: a dealer message from instance ${from} was dropped`,
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  private registrationMessage(body: unknown[], from: string): void {
    const dealer = this.dealer;
    if (!dealer || from === this.backplane.nodeId) return;
    switch (body[0]) {
      case 'joined': {
        const [, procedure, match, invoke, session, takesChunks] = body;
        this.addCallee(from, procedure, match, invoke, session, takesChunks);
        return;
      }
      case 'left': {
        const [, procedure, match, session] = body;
        if (typeof procedure !== 'string' || !isMatch(match) || typeof session !== 'number')
          throw malformed();
        dealer.removeClusterCallee(from, session, procedure, match);
        return;
      }
      case 'sync': {
        const snapshot: unknown[] = [];
        for (const { registration, callees } of dealer.clientRegistrations()) {
          snapshot.push([registration.procedure, registration.match, registration.invoke, callees]);
        }
        this.broadcast(['snapshot', snapshot]);
        return;
      }
      case 'snapshot': {
        if (!Array.isArray(body[1])) throw malformed();
        // All that instance's callees: what it no longer lists left while the news was lost.
        dealer.forgetNode(from);
        for (const entry of body[1] as unknown[]) {
          if (!Array.isArray(entry) || !Array.isArray(entry[3])) throw malformed();
          const [procedure, match, invoke, callees] = entry as [unknown, unknown, unknown, unknown[]];
          for (const callee of callees) {
            if (!Array.isArray(callee)) throw malformed();
            this.addCallee(from, procedure, match, invoke, callee[0], callee[1]);
          }
        }
        return;
      }
      default:
      // A verb of a later version: ignored.
    }
  }

  private addCallee(
    node: string,
    procedure: unknown,
    match: unknown,
    invoke: unknown,
    session: unknown,
    takesChunks: unknown,
  ): void {
    if (
      typeof procedure !== 'string' ||
      !isMatch(match) ||
      typeof invoke !== 'string' ||
      !INVOCATION_POLICIES.has(invoke) ||
      typeof session !== 'number'
    ) {
      throw malformed();
    }
    this.dealer?.addClusterCallee(
      { kind: 'cluster', node, session, takesChunks: takesChunks === true },
      procedure,
      match,
      invoke as InvocationPolicy,
    );
  }

  private callMessage(body: unknown[], from: string): void {
    switch (body[0]) {
      case 'call':
        this.incomingCall(body, from);
        return;
      case 'cancel': {
        const [, id, mode] = body;
        if (typeof id !== 'number' || typeof mode !== 'string' || !CANCEL_MODES.has(mode)) throw malformed();
        const caller = this.incoming.get(`${from} ${id}`);
        if (caller) {
          this.dealer?.cancel(caller, {
            type: WampMessageType.CANCEL,
            request: id,
            options: { mode: mode as 'skip' | 'kill' | 'killnowait' },
          });
        }
        return;
      }
      case 'answer':
        this.answered(body);
        return;
      default:
      // A verb of a later version: ignored.
    }
  }

  private incomingCall(body: unknown[], from: string): void {
    const [, id, caller, procedure, options, args, kwargs] = body;
    if (
      typeof id !== 'number' ||
      !Array.isArray(caller) ||
      typeof caller[0] !== 'number' ||
      typeof procedure !== 'string' ||
      !isDict(options) ||
      !(args === null || Array.isArray(args)) ||
      !(kwargs === null || isDict(kwargs))
    ) {
      throw malformed();
    }
    const peer = this.callerFor(from, caller[0], caller[1], caller[2]);
    peer.calls.add(id);
    this.incoming.set(`${from} ${id}`, peer);
    this.dealer?.callForwarded(peer, {
      type: WampMessageType.CALL,
      request: id,
      options: options as CallOptions,
      procedure,
      args: (args ?? undefined) as WampArgs | undefined,
      kwargs: (kwargs ?? undefined) as WampKwargs | undefined,
    });
  }

  private callerFor(node: string, session: number, authid: unknown, authrole: unknown): ForwardedCaller {
    const key = `${node} ${session}`;
    let caller = this.callers.get(key);
    if (!caller) {
      const identity =
        typeof authid === 'string' && typeof authrole === 'string'
          ? { authid, authrole, authmethod: 'cluster', authprovider: 'cluster' }
          : undefined;
      caller = new ForwardedCaller(
        session,
        this.realm,
        identity,
        node,
        (call, answer) => this.sendAnswer(node, call, answer),
        (ended, call) => {
          this.incoming.delete(`${node} ${call}`);
          if (ended.calls.size > 0) return;
          // After the dealer settled the call (its answer is sent before): detaching now would abandon it.
          queueMicrotask(() => {
            if (ended.calls.size > 0 || this.callers.get(key) !== ended) return;
            this.callers.delete(key);
            this.dealer?.detach(ended);
          });
        },
      );
      this.callers.set(key, caller);
    }
    return caller;
  }

  private sendAnswer(node: string, call: number, answer: ForwardedAnswer): void {
    this.sendToNode(
      node,
      answer.kind === 'error'
        ? ['answer', call, 'error', answer.args ?? null, answer.kwargs ?? null, answer.error, answer.details]
        : ['answer', call, answer.kind, answer.args ?? null, answer.kwargs ?? null],
    );
  }

  private answered(body: unknown[]): void {
    const [, id, kind, args, kwargs, error, details] = body;
    if (
      typeof id !== 'number' ||
      !(args === null || Array.isArray(args)) ||
      !(kwargs === null || isDict(kwargs))
    ) {
      throw malformed();
    }
    const outgoing = this.outgoing.get(id);
    if (!outgoing) return; // ended here already (caller gone): nothing to pass on
    const call = outgoing.call;
    const values = (args ?? undefined) as WampArgs | undefined;
    const named = (kwargs ?? undefined) as WampKwargs | undefined;
    if (kind === 'progress') {
      call.progress(values, named);
      return;
    }
    outgoing.answered = true;
    if (kind === 'result') call.result(values, named);
    else if (kind === 'error' && typeof error === 'string') {
      call.error(error, values, named, isDict(details) ? (details as WampDict) : {});
    } else throw malformed();
  }

  /** An instance is gone: its callees, the calls waiting on it, and the calls it forwarded here. */
  private lost(node: string): void {
    this.dealer?.forgetNode(node);
    for (const outgoing of [...this.outgoing.values()]) {
      if (outgoing.node !== node) continue;
      outgoing.call.error(WampErrorUri.CANCELED, [
        'The instance of the callee left the cluster before answering.',
      ]);
    }
    for (const caller of [...this.callers.values()]) {
      if (caller.node !== node) continue;
      this.callers.delete(`${node} ${caller.id}`);
      for (const call of caller.calls) this.incoming.delete(`${node} ${call}`);
      void caller.close();
      this.dealer?.detach(caller);
    }
  }

  /** Re-asserts this instance's claims (every heartbeat): they outlive a restart of the backplane's server. */
  private renewClaims(): void {
    const dealer = this.dealer;
    if (!dealer) return;
    for (const { registration } of dealer.clientRegistrations()) {
      const { procedure, match, invoke } = registration;
      this.claim(procedure, match, invoke).then(
        (holder) => {
          if (holder !== undefined) {
            this.logger.warn(
              `Backplane: "${procedure}" is registered here and, with policy "${holder}", on another instance ` +
                '(their claims diverged while the backplane was unreachable); calls may reach either.',
            );
          }
        },
        () => undefined, // unreachable now: the next heartbeat tries again
      );
    }
  }

  private claimKey(procedure: string, match: WampMatchPolicy): string {
    return `wamp/${this.realm}/registration/${match}/${procedure}`;
  }

  private nodeChannel(node: string): string {
    return `wamp/${this.realm}/calls/${node}`;
  }
}

function isMatch(value: unknown): value is WampMatchPolicy {
  return typeof value === 'string' && MATCH_POLICIES.has(value);
}

function isDict(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function malformed(): BackplaneMessageError {
  return new BackplaneMessageError('Malformed dealer message.');
}

/**
 * CALL.Options as they cross: without `undefined` values (MessagePack has no place for them), and with the
 * timeout the callee's instance is to run (`timeout` > 0), or none; one copy.
 */
function sendableOptions(options: CallOptions, timeout?: number, trace?: TraceCarrier): CallOptions {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) copy[key] = value;
  // With tracing, the other instance's span is a child of this one's, not of the caller's.
  if (trace) {
    delete copy._tracestate;
    Object.assign(copy, trace);
  }
  if (timeout !== undefined) {
    if (timeout > 0) copy.timeout = timeout;
    else delete copy.timeout;
  }
  return copy as CallOptions;
}

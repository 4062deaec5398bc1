import type { PublishOptions, WampArgs, WampKwargs } from '../../protocol/wamp-message.interface.js';
import { isReservedUri } from '../../protocol/wamp-uri.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import { quoteUri } from '../../protocol/quote-uri.js';
import { approximateSize } from '../approximate-size.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { WampRealm, WampRealmObserver } from '../wamp-realm.js';
import { dictArgument, MetaArgumentError, MetaUriError, registerMetaProcedures } from './meta-procedure.js';
import type { MetaApiOptions } from './session-meta-api.js';

/** The testament meta procedures (WAMP advanced profile, "Session Testament"). */
export const TestamentMetaUri = {
  ADD_TESTAMENT: 'wamp.session.add_testament',
  FLUSH_TESTAMENTS: 'wamp.session.flush_testaments',
} as const;

/** URI of the ERROR `add_testament` gets beyond the session's testament budget (the spec defines none). */
export const TOO_MANY_TESTAMENTS_URI = 'nestjs_wamp.error.too_many_testaments';

/** When a testament is published: the spec's two scopes (without session resumption, both when a session ends). */
export type TestamentScope = 'detached' | 'destroyed';

/** How the testament meta API is bounded. */
export interface TestamentMetaOptions extends MetaApiOptions {
  /** Approximate bytes of testaments (topics, arguments, options) one session may leave. */
  readonly maxTestamentBytes: number;
}

interface Testament {
  readonly topic: string;
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
  readonly options: PublishOptions;
  readonly size: number;
}

interface SessionTestaments {
  readonly detached: Testament[];
  readonly destroyed: Testament[];
  bytes: number;
}

/**
 * Milliseconds of testament publishing per event-loop turn. Sessions that leave many testaments at once (a mass
 * disconnect) have them published over several turns, so other sessions keep being served in between.
 */
const PUBLISH_BUDGET_MS = 2;

/** PUBLISH.Options a testament keeps; `acknowledge`, `exclude_me` and `disclose_me` mean nothing once the session is gone. */
const ID_LIST_OPTIONS = ['exclude', 'eligible'] as const;
const STRING_LIST_OPTIONS = [
  'exclude_authid',
  'eligible_authid',
  'exclude_authrole',
  'eligible_authrole',
] as const;
const IGNORED_OPTIONS = new Set(['acknowledge', 'exclude_me', 'disclose_me']);

/**
 * Session testaments of one realm: events a session leaves with the router, published when it ends however it
 * ends (GOODBYE, ABORT, a lost connection, a kill) — the `detached` scope first, then `destroyed`, each in the
 * order they were added, as the spec asks of a router without session resumption.
 *
 * A testament is a publication the session makes in advance: it needs the same permission as a PUBLISH to its
 * topic (asked when it is added), cannot use the router's `wamp.` topics, and counts against a per-session budget
 * of approximate bytes (`maxTestamentBytes`), so a session cannot park unbounded data in the router.
 */
export class TestamentMetaApi implements WampRealmObserver {
  private readonly testaments = new Map<WampPeer, SessionTestaments>();
  /** Testaments of sessions that left, waiting to be published, in order. */
  private readonly due: Testament[] = [];
  private dueIndex = 0;
  private draining = false;

  constructor(
    private readonly realm: WampRealm,
    private readonly options: TestamentMetaOptions,
  ) {}

  /** Registers the procedures; returns a function that removes them. */
  install(): () => void {
    return registerMetaProcedures(
      this.realm.dealer,
      {
        [TestamentMetaUri.ADD_TESTAMENT]: (call) => this.add(call),
        [TestamentMetaUri.FLUSH_TESTAMENTS]: (call) => {
          const scope = scopeOf(call.kwargs);
          const held = this.testaments.get(call.caller);
          if (held) {
            for (const testament of held[scope]) held.bytes -= testament.size;
            held[scope].length = 0;
          }
          call.result();
        },
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
  }

  joined(): void {
    // Testaments are added by calls, not on joining.
  }

  /**
   * Publishes what the session left: `detached` testaments, then `destroyed` ones, in order. As many as fit in
   * {@link PUBLISH_BUDGET_MS} go at once (usually all of them, before `wamp.session.on_leave`); the rest follow
   * in the next turns.
   */
  left(session: WampPeer): void {
    const held = this.testaments.get(session);
    if (!held) return;
    this.testaments.delete(session);
    this.due.push(...held.detached, ...held.destroyed);
    if (!this.draining) this.publishDue();
  }

  /** Publishes due testaments for up to the budget; schedules the rest for the next turn. */
  private publishDue(): void {
    const until = performance.now() + PUBLISH_BUDGET_MS;
    const broker = this.realm.broker;
    while (this.dueIndex < this.due.length) {
      const testament = this.due[this.dueIndex++];
      try {
        broker.publishFromServer(testament.topic, testament.args, testament.kwargs, testament.options);
      } catch (error) {
        // Runs outside any request (possibly in a later turn): a failure is logged, the others still go.
        this.options.logger.error(
          'Publishing a testament failed',
          error instanceof Error ? error.stack : String(error),
        );
      }
      if (performance.now() >= until) break;
    }
    if (this.dueIndex < this.due.length) {
      this.draining = true;
      setImmediate(() => this.publishDue());
      return;
    }
    this.due.length = 0;
    this.dueIndex = 0;
    this.draining = false;
  }

  private add(call: WampCall): void | Promise<void> {
    const [topic, args] = call.args;
    if (typeof topic !== 'string') throw new MetaArgumentError('topic must be a URI string.');
    if (!this.options.isValidUri(topic) || isReservedUri(topic)) {
      throw new MetaUriError(`${quoteUri(topic)} is not a topic a testament can be published on.`);
    }
    if (args !== undefined && args !== null && !Array.isArray(args)) {
      throw new MetaArgumentError('args must be a list.');
    }
    const testament: Omit<Testament, 'size'> = {
      topic,
      args: (args as WampArgs | null | undefined) ?? [],
      kwargs: dictArgument(call.args, 2, 'kwargs'),
      options: publishOptionsOf(call.kwargs.publish_options),
    };
    const scope = scopeOf(call.kwargs);
    // The testament publishes for the session later: it must be allowed to publish there now. A synchronous
    // verdict keeps the answer in order with the session's next messages (a GOODBYE right behind the call).
    const verdict = this.realm.authorizer?.(call.caller, 'publish', topic) ?? true;
    if (verdict instanceof Promise)
      return verdict.then((allowed) => this.keep(call, testament, scope, allowed));
    this.keep(call, testament, scope, verdict);
  }

  private keep(
    call: WampCall,
    testament: Omit<Testament, 'size'>,
    scope: TestamentScope,
    allowed: boolean,
  ): void {
    const { caller } = call;
    if (!caller.isOpen || call.settled) return;
    if (!allowed) {
      call.error(WampErrorUri.NOT_AUTHORIZED, [`Not authorized to publish ${quoteUri(testament.topic)}.`]);
      return;
    }
    const size =
      testament.topic.length * 2 +
      approximateSize(testament.args) +
      approximateSize(testament.kwargs) +
      approximateSize(testament.options);
    let held = this.testaments.get(caller);
    const limit = this.options.maxTestamentBytes;
    if ((held?.bytes ?? 0) + size > limit) {
      call.error(
        TOO_MANY_TESTAMENTS_URI,
        [`Too many testaments: a session may leave about ${limit} bytes of them.`],
        { limit },
      );
      return;
    }
    if (!held) this.testaments.set(caller, (held = { detached: [], destroyed: [], bytes: 0 }));
    held[scope].push({ ...testament, size });
    held.bytes += size;
    call.result();
  }
}

function scopeOf(kwargs: WampKwargs): TestamentScope {
  const scope = kwargs.scope ?? 'destroyed';
  if (scope !== 'destroyed' && scope !== 'detached') {
    throw new MetaArgumentError('scope must be "destroyed" or "detached".');
  }
  return scope;
}

/** The PUBLISH.Options a testament is published with, checked as a PUBLISH's are. */
function publishOptionsOf(value: unknown): PublishOptions {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new MetaArgumentError('publish_options must be a dict.');
  }
  const given = value as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    const option = given[key];
    if (IGNORED_OPTIONS.has(key)) continue;
    if (key === 'retain') {
      if (typeof option !== 'boolean')
        throw new MetaArgumentError('publish_options.retain must be a boolean.');
    } else if ((ID_LIST_OPTIONS as readonly string[]).includes(key)) {
      if (!Array.isArray(option) || !option.every((id) => Number.isInteger(id))) {
        throw new MetaArgumentError(`publish_options.${key} must be a list of session IDs.`);
      }
    } else if ((STRING_LIST_OPTIONS as readonly string[]).includes(key)) {
      if (!Array.isArray(option) || !option.every((item) => typeof item === 'string')) {
        throw new MetaArgumentError(`publish_options.${key} must be a list of strings.`);
      }
    } else {
      throw new MetaArgumentError(
        `publish_options.${key.slice(0, 64)} is not an option a testament can use.`,
      );
    }
    options[key] = option;
  }
  return options as PublishOptions;
}

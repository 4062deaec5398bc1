import type { WampArgs, WampKwargs, WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import { quoteUri } from '../../protocol/quote-uri.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { Publication } from '../broker/publication.js';
import { disclosureOf, eligibilityOf } from '../broker/publication-filter.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type { SubscriptionCatalog } from '../subscription-catalog.interface.js';
import { UriMatchIndex } from '../uri-index/uri-match-index.js';
import type { WampRealm } from '../wamp-realm.js';
import type { EventHistoryBounds, HistoryEvent, WampEventHistoryStore } from './event-history-store.js';
import { idArgument, MetaArgumentError, registerMetaProcedures } from './meta-procedure.js';
import type { MetaApiOptions } from './session-meta-api.js';

/** The event history procedure (WAMP advanced profile, "Event History"; the name Crossbar gives it too). */
export const EventHistoryUri = {
  GET_EVENTS: 'wamp.subscription.get_events',
} as const;

/**
 * A topic (or pattern) whose events a realm keeps, e.g. `{ topic: 'com.app.log.', match: 'prefix', limit: 500 }`.
 * Its history is kept under a subscription the router creates at startup, so it has an ID before any client
 * subscribes (find it with `wamp.subscription.lookup`) and records events published while nobody listens.
 */
export interface EventHistoryRule {
  /** Topic URI or pattern. */
  readonly topic: string;
  /** Match policy of `topic`. Default `exact`. */
  readonly match?: WampMatchPolicy;
  /** Events kept; the oldest go first. Default 100. */
  readonly limit?: number;
  /** Approximate bytes kept; the oldest go first. Default 1 MiB. */
  readonly maxBytes?: number;
}

/** One event as `wamp.subscription.get_events` returns it (the spec's `Event` object with a timestamp). */
export interface EventHistoryEntry {
  readonly timestamp: string;
  readonly subscription: number;
  readonly publication: number;
  readonly details: Readonly<Record<string, unknown>>;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
}

interface KeptTopic {
  readonly subscription: number;
  readonly topic: string;
  readonly match: WampMatchPolicy;
  readonly key: string;
  readonly bounds: EventHistoryBounds;
}

const DEFAULT_LIMIT = 100;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * Event history of one realm: records each accepted publication under the history rules its topic matches, and
 * answers `wamp.subscription.get_events(subscription, limit?, {reverse, limit, from_time, after_time,
 * before_time, until_time, topic, from_publication, after_publication, before_publication, until_publication})`.
 *
 * As the spec asks: events published with session-based black/white lists (`exclude`, `eligible`) are not kept
 * (session IDs change with every connection); authid/authrole lists are kept and applied to whoever asks; asking
 * needs the permission to subscribe to the rule's topic. Recording costs one index lookup per publication,
 * nothing when no rule matches; a query scans one topic's history, which its rule bounds.
 */
export class EventHistory {
  private readonly rules = new UriMatchIndex<KeptTopic>();
  private readonly bySubscription = new Map<number, KeptTopic>();

  constructor(
    private readonly realm: WampRealm,
    private readonly catalog: SubscriptionCatalog,
    private readonly store: WampEventHistoryStore,
    rules: readonly EventHistoryRule[],
    private readonly options: MetaApiOptions,
    /** Whether to record every instance's publications (the store is this instance's own). */
    private readonly everywhere = false,
  ) {
    for (const rule of rules) {
      const match = rule.match ?? 'exact';
      const facts = catalog.pin(rule.topic, match);
      const kept: KeptTopic = {
        subscription: facts.id,
        topic: rule.topic,
        match,
        key: `${match} ${rule.topic}`,
        bounds: { limit: rule.limit ?? DEFAULT_LIMIT, maxBytes: rule.maxBytes ?? DEFAULT_MAX_BYTES },
      };
      this.rules.set(rule.topic, match, kept);
      this.bySubscription.set(facts.id, kept);
    }
  }

  /** Starts recording and registers the procedure; returns a function that stops both. */
  install(): () => void {
    // The built-in store is this instance's: in a cluster it records every instance's publications. A store of
    // the application's may be shared by the instances: each records only what was published on it.
    const stopRecording = this.catalog.observePublications(
      (publication) => this.record(publication),
      this.everywhere,
    );
    const removeProcedures = registerMetaProcedures(
      this.realm.dealer,
      { [EventHistoryUri.GET_EVENTS]: (call) => this.getEvents(call) },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
    return () => {
      stopRecording();
      removeProcedures();
    };
  }

  private record(publication: Publication): void {
    const kept = this.rules.match(publication.topic);
    if (kept.length === 0) return;
    const { options } = publication;
    // Session-based lists make no sense later: such events are not kept at all (the spec's advice).
    if (options.exclude !== undefined || options.eligible !== undefined) return;
    const now = Date.now();
    const disclosed = disclosureOf(publication);
    for (const topic of kept) {
      const details: Record<string, unknown> = disclosed ? { ...disclosed } : {};
      if (topic.match !== 'exact') details.topic = publication.topic;
      const event: HistoryEvent = {
        timestamp: new Date(now).toISOString(),
        time: now,
        publication: publication.id,
        topic: publication.topic,
        details,
        args: publication.args,
        kwargs: publication.kwargs,
        restrictions: {
          exclude_authid: options.exclude_authid,
          eligible_authid: options.eligible_authid,
          exclude_authrole: options.exclude_authrole,
          eligible_authrole: options.eligible_authrole,
        },
      };
      this.stored(this.store.append(topic.key, event, topic.bounds));
    }
  }

  private getEvents(call: WampCall): void | Promise<void> {
    const id = idArgument(call.args, 0, 'subscription');
    const query = queryOf(call.args[1], call.kwargs);
    const kept = this.bySubscription.get(id);
    if (!kept) {
      const known = this.catalog.get(id) !== undefined;
      call.error(WampErrorUri.NO_SUCH_SUBSCRIPTION, [
        known ? `Subscription ${id} keeps no event history.` : `No subscription ${id} in this realm.`,
      ]);
      return;
    }
    const verdict = this.realm.authorizer?.(call.caller, 'subscribe', kept.topic) ?? true;
    if (verdict instanceof Promise) return verdict.then((allowed) => this.answer(call, kept, query, allowed));
    return this.answer(call, kept, query, verdict);
  }

  private answer(
    call: WampCall,
    kept: KeptTopic,
    query: HistoryQuery,
    allowed: boolean,
  ): void | Promise<void> {
    if (!allowed) {
      call.error(WampErrorUri.NOT_AUTHORIZED, [`Not authorized to subscribe to ${quoteUri(kept.topic)}.`]);
      return;
    }
    const events = this.store.events(kept.key);
    const send = (all: readonly HistoryEvent[]): void => call.result([this.select(call, kept, all, query)]);
    if (events instanceof Promise) return events.then(send);
    send(events);
  }

  /** The events `query` selects that the caller may see, in the order and number it asks for. */
  private select(
    call: WampCall,
    kept: KeptTopic,
    events: readonly HistoryEvent[],
    query: HistoryQuery,
  ): EventHistoryEntry[] {
    let first = 0;
    let end = events.length;
    const indexOf = (publication: number): number =>
      events.findIndex((event) => event.publication === publication);
    // Publication bounds: an ID that is not (or no longer) in the history selects nothing.
    const bound = (publication: number | undefined, offset: number, isStart: boolean): void => {
      if (publication === undefined) return;
      const index = indexOf(publication);
      if (index < 0) {
        first = end;
        return;
      }
      if (isStart) first = Math.max(first, index + offset);
      else end = Math.min(end, index + offset);
    };
    bound(query.fromPublication, 0, true);
    bound(query.afterPublication, 1, true);
    bound(query.beforePublication, 0, false);
    bound(query.untilPublication, 1, false);
    const chosen: EventHistoryEntry[] = [];
    for (let index = first; index < end; index++) {
      const event = events[index];
      if (!query.accepts(event)) continue;
      const eligible = eligibilityOf({
        topic: event.topic,
        id: event.publication,
        options: event.restrictions,
      });
      if (eligible && !eligible(call.caller)) continue;
      chosen.push({
        timestamp: event.timestamp,
        subscription: kept.subscription,
        publication: event.publication,
        details: event.details,
        ...(event.args !== undefined && { args: event.args }),
        ...(event.kwargs !== undefined && { kwargs: event.kwargs }),
      });
    }
    if (query.reverse) chosen.reverse();
    return query.limit === undefined ? chosen : chosen.slice(0, query.limit);
  }

  private stored(appended: void | Promise<void>): void {
    appended?.catch((error: unknown) =>
      this.options.logger.error(
        'Event history store failed',
        error instanceof Error ? error.stack : String(error),
      ),
    );
  }
}

/** The filters of one `get_events` call, checked once. */
interface HistoryQuery {
  readonly reverse: boolean;
  readonly limit?: number;
  readonly fromPublication?: number;
  readonly afterPublication?: number;
  readonly beforePublication?: number;
  readonly untilPublication?: number;
  /** The time and topic conditions together. */
  readonly accepts: (event: HistoryEvent) => boolean;
}

function queryOf(positionalLimit: unknown, kwargs: WampKwargs): HistoryQuery {
  const limit = kwargs.limit ?? positionalLimit ?? undefined;
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && (limit as number) > 0)) {
    throw new MetaArgumentError('limit must be a positive integer.');
  }
  const reverse = kwargs.reverse ?? false;
  if (typeof reverse !== 'boolean') throw new MetaArgumentError('reverse must be a boolean.');
  const topic = kwargs.topic;
  if (topic !== undefined && typeof topic !== 'string')
    throw new MetaArgumentError('topic must be a URI string.');
  const fromTime = timeOf(kwargs, 'from_time');
  const afterTime = timeOf(kwargs, 'after_time');
  const beforeTime = timeOf(kwargs, 'before_time');
  const untilTime = timeOf(kwargs, 'until_time');
  return {
    reverse,
    limit: (limit ?? undefined) as number | undefined,
    fromPublication: publicationOf(kwargs, 'from_publication'),
    afterPublication: publicationOf(kwargs, 'after_publication'),
    beforePublication: publicationOf(kwargs, 'before_publication'),
    untilPublication: publicationOf(kwargs, 'until_publication'),
    accepts: (event) =>
      (fromTime === undefined || event.time >= fromTime) &&
      (afterTime === undefined || event.time > afterTime) &&
      (beforeTime === undefined || event.time < beforeTime) &&
      (untilTime === undefined || event.time <= untilTime) &&
      (topic === undefined || event.topic === topic),
  };
}

/** An RFC 3339 timestamp keyword argument, in milliseconds since the epoch. */
function timeOf(kwargs: WampKwargs, name: string): number | undefined {
  const value = kwargs[name];
  if (value === undefined) return undefined;
  const time = typeof value === 'string' && value.length <= 64 ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new MetaArgumentError(`${name} must be an RFC 3339 timestamp.`);
  return time;
}

function publicationOf(kwargs: WampKwargs, name: string): number | undefined {
  const value = kwargs[name];
  if (value === undefined) return undefined;
  if (!Number.isInteger(value)) throw new MetaArgumentError(`${name} must be a publication ID.`);
  return value as number;
}

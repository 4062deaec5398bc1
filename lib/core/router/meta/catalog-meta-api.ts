import { isReservedUri } from '../../protocol/wamp-uri.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import { idArgument, type MetaProcedure } from './meta-procedure.js';

/** What the registration and subscription meta APIs tell about an entry: at least its ID and URI. */
export interface CatalogEntry {
  readonly id: number;
  readonly uri: string;
}

/** How one meta API reads its catalog's entries and names them in errors. */
export interface CatalogEntries<TFacts extends CatalogEntry> {
  /** `registration` or `subscription`: the argument's name and the noun in error messages. */
  readonly noun: string;
  /** ERROR URI for an unknown ID (`no_such_registration`, `no_such_subscription`). */
  readonly unknownUri: string;
  get(id: number): TFacts | undefined;
  /** Session IDs attached to the entry (callees, subscribers). */
  members(id: number): number[] | undefined;
  memberCount(id: number): number | undefined;
}

/**
 * What the registration and subscription meta APIs share: the router's own `wamp.` entries hidden, lookups by
 * ID answered or refused with the catalog's ERROR, and the four lifecycle events published in the spec's shape.
 */
export class CatalogMetaApi<TFacts extends CatalogEntry> {
  constructor(
    private readonly broker: WampBroker,
    private readonly entries: CatalogEntries<TFacts>,
  ) {}

  /** `get`, `list_<members>` and `count_<members>`: the procedures that take an entry's ID. */
  byIdProcedures(uris: { get: string; list: string; count: string }): Record<string, MetaProcedure> {
    const { entries } = this;
    return {
      [uris.get]: (call) => this.answer(call, (facts) => facts),
      [uris.list]: (call) => this.answer(call, (facts) => entries.members(facts.id) ?? []),
      [uris.count]: (call) => this.answer(call, (facts) => entries.memberCount(facts.id) ?? 0),
    };
  }

  /** `facts` unless it is one of the router's own entries (`wamp.`). */
  visible(facts: TFacts | undefined): TFacts | undefined {
    return facts && !isReservedUri(facts.uri) ? facts : undefined;
  }

  /** Publishes `on_create`: `[session, facts]`. */
  created(topic: string, session: number, facts: TFacts): void {
    if (this.visible(facts)) this.broker.publishFromServer(topic, [session, facts]);
  }

  /** Publishes `on_register`, `on_subscribe` and the others: `[session, id]`. */
  changed(topic: string, session: number, facts: TFacts): void {
    if (this.visible(facts)) this.broker.publishFromServer(topic, [session, facts.id]);
  }

  /** Answers with `value(facts)` of the entry named by `args[0]`, or the catalog's ERROR for an unknown one. */
  private answer(call: WampCall, value: (facts: TFacts) => unknown): void {
    const { noun, unknownUri } = this.entries;
    const id = idArgument(call.args, 0, noun);
    const facts = this.visible(this.entries.get(id));
    if (facts) call.result([value(facts)]);
    else call.error(unknownUri, [`No ${noun} ${id} in this realm.`]);
  }
}

/** Whether a URI is not one of the router's own (`wamp.`): what the meta API lists. */
export function isPublicUri(uri: string): boolean {
  return !isReservedUri(uri);
}

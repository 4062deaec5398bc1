import type { PublishOptions, WampArgs, WampKwargs } from '../../protocol/wamp-message.interface.js';
import { approximateSize } from '../approximate-size.js';

/** Where a topic's history is kept: its topic or pattern and match policy, e.g. `prefix com.app.log.`. */
export type EventHistoryKey = string;

/** One published event as event history keeps it. */
export interface HistoryEvent {
  /** When the broker accepted it, as an RFC 3339 string. */
  readonly timestamp: string;
  /** The same instant in milliseconds since the epoch (what time filters compare). */
  readonly time: number;
  /** Publication ID, as in EVENT.Publication. */
  readonly publication: number;
  /** The topic it was published to. */
  readonly topic: string;
  /** EVENT.Details a subscriber got: `topic` for a pattern, the publisher when disclosed. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
  /** The publication's authid/authrole black and white lists, applied to whoever asks for the history. */
  readonly restrictions: PublishOptions;
}

/** How much history one key keeps. */
export interface EventHistoryBounds {
  /** Events kept; the oldest go first. */
  readonly limit: number;
  /** Approximate bytes kept; the oldest go first. */
  readonly maxBytes: number;
}

/**
 * Where event history is kept. The in-memory {@link MemoryEventHistoryStore} is the default; a persistent or shared
 * store (Redis, a database) implements the same port and may answer asynchronously.
 *
 * @example
 * parts: { eventHistoryStore: ({ realm }) => new MyRedisHistory(redis, realm) }
 */
export interface WampEventHistoryStore {
  /** Adds an event at the end of `key`'s history, dropping the oldest beyond `bounds`. */
  append(key: EventHistoryKey, event: HistoryEvent, bounds: EventHistoryBounds): void | Promise<void>;
  /** `key`'s history, oldest first. */
  events(key: EventHistoryKey): readonly HistoryEvent[] | Promise<readonly HistoryEvent[]>;
}

interface KeptHistory {
  readonly events: HistoryEvent[];
  readonly sizes: number[];
  bytes: number;
}

/** Event history in this process's memory, bounded per key by event count and approximate bytes. */
export class MemoryEventHistoryStore implements WampEventHistoryStore {
  private readonly histories = new Map<EventHistoryKey, KeptHistory>();

  append(key: EventHistoryKey, event: HistoryEvent, bounds: EventHistoryBounds): void {
    let history = this.histories.get(key);
    if (!history) this.histories.set(key, (history = { events: [], sizes: [], bytes: 0 }));
    const size = approximateSize(event.args) + approximateSize(event.kwargs) + 2 * event.topic.length + 64;
    history.events.push(event);
    history.sizes.push(size);
    history.bytes += size;
    while (
      history.events.length > bounds.limit ||
      (history.bytes > bounds.maxBytes && history.events.length > 0)
    ) {
      history.events.shift();
      history.bytes -= history.sizes.shift() as number;
    }
  }

  events(key: EventHistoryKey): readonly HistoryEvent[] {
    return this.histories.get(key)?.events ?? [];
  }

  /** Approximate bytes held for `key` (diagnostics and tests). */
  heldBytes(key: EventHistoryKey): number {
    return this.histories.get(key)?.bytes ?? 0;
  }
}

import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { Publication } from './publication.js';
import { eligibilityOf, hasSubscriberLists } from './publication-filter.js';
import { compileTopicPattern } from './topic-pattern.js';
import { approximateSize } from '../approximate-size.js';

/**
 * Where a realm keeps retained events (`retain: true`) for `get_retained` subscribers. The in-memory
 * {@link RetentionStore} is the default; a store shared by several instances implements the same port.
 */
export interface WampRetentionStore {
  /** Keeps `publication` as the topic's retained event (see {@link RetentionStore} for which ones are kept). */
  retain(publication: Publication): void;
  /**
   * The retained events a new subscription to `pattern` under `match` delivers to `subscriber`: per matching
   * topic, the most recent one the subscriber would have been eligible for when it was published.
   */
  eventsFor(pattern: string, match: WampMatchPolicy, subscriber: WampPeer): Publication[];
}

/** Bounds of the in-memory store. */
export interface RetentionLimits {
  /** Topics kept; the least recently retained is forgotten beyond it. */
  readonly maxRetainedTopics: number;
  /** Approximate bytes kept; the least recently retained go beyond it. */
  readonly maxRetainedBytes: number;
}

/** Restricted retained events kept per topic behind the newest unrestricted one. */
const MAX_RETAINED_PER_TOPIC = 16;

interface RetainedEntry {
  readonly publication: Publication;
  /** Approximate bytes held, counted against `maxRetainedBytes`. */
  readonly size: number;
}

/**
 * The in-memory retention store. Per topic it keeps the newest event, and behind it up to 16 newer-first events
 * restricted by black/white lists (so a subscriber excluded from the newest still gets the newest it was
 * eligible for). Events keep their options, not a closure: eligibility is evaluated when a subscriber asks.
 * Bounded by topics and approximate bytes, least recently retained first out; an exact lookup is one map
 * access, and a pattern lookup prepares the pattern once and compares it with each retained topic.
 */
export class RetentionStore implements WampRetentionStore {
  /** Per topic, newest first; the map's order is least recently retained first. */
  private readonly topics = new Map<string, RetainedEntry[]>();
  private bytes = 0;

  constructor(private readonly limits: RetentionLimits) {}

  /** Topics with retained events. */
  get size(): number {
    return this.topics.size;
  }

  /** Approximate bytes held. */
  get heldBytes(): number {
    return this.bytes;
  }

  retain(publication: Publication): void {
    const entry: RetainedEntry = {
      publication,
      size:
        approximateSize(publication.args) + approximateSize(publication.kwargs) + publication.topic.length,
    };
    const previous = this.topics.get(publication.topic) ?? [];
    const kept = hasSubscriberLists(publication.options)
      ? [entry, ...previous].slice(0, MAX_RETAINED_PER_TOPIC)
      : [entry];
    this.bytes += sizeOf(kept) - sizeOf(previous);
    // Re-inserting moves the topic to the end: the map's order is least recently retained first.
    this.topics.delete(publication.topic);
    this.topics.set(publication.topic, kept);
    for (const [topic, entries] of this.topics) {
      if (this.topics.size <= this.limits.maxRetainedTopics && this.bytes <= this.limits.maxRetainedBytes)
        break;
      this.topics.delete(topic);
      this.bytes -= sizeOf(entries);
    }
  }

  eventsFor(pattern: string, match: WampMatchPolicy, subscriber: WampPeer): Publication[] {
    const found: Publication[] = [];
    if (match === 'exact') {
      // One lookup: an exact subscription must not scan every retained topic (a get_retained flood would).
      const entries = this.topics.get(pattern);
      const event = entries && newestEligible(entries, subscriber);
      if (event) found.push(event);
      return found;
    }
    const matches = compileTopicPattern(pattern, match);
    for (const [topic, entries] of this.topics) {
      if (!matches(topic)) continue;
      const event = newestEligible(entries, subscriber);
      if (event) found.push(event);
    }
    return found;
  }
}

function newestEligible(entries: readonly RetainedEntry[], subscriber: WampPeer): Publication | undefined {
  for (const { publication } of entries) {
    const eligible = eligibilityOf(publication);
    if (!eligible || eligible(subscriber)) return publication;
  }
  return undefined;
}

function sizeOf(entries: readonly RetainedEntry[]): number {
  let total = 0;
  for (const entry of entries) total += entry.size;
  return total;
}

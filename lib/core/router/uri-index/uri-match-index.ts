import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import { PrefixTree } from './prefix-tree.js';
import { WildcardPatterns } from './wildcard-patterns.js';

/**
 * Values stored under a URI and a match policy (a subscription's topic, later a registration's procedure),
 * found for a concrete URI without scanning them all:
 * - `exact` URIs by one hash lookup;
 * - `prefix` URIs in a {@link PrefixTree}: time proportional to the URI's length plus the matches;
 * - `wildcard` patterns in {@link WildcardPatterns}: a scan of the patterns of the URI's component count and
 *   first component, compared as interned integers.
 *
 * @example
 * const index = new UriMatchIndex<number>();
 * index.set('com.app.', 'prefix', 1);
 * index.set('com..chat', 'wildcard', 2);
 * index.match('com.app.chat'); // [1, 2]
 */
export class UriMatchIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefix = new PrefixTree<T>();
  private readonly wildcard = new WildcardPatterns<T>();
  private visited = 0;

  /** Number of stored entries, all policies together. */
  get size(): number {
    return this.exact.size + this.prefix.size + this.wildcard.size;
  }

  /**
   * Nodes the last {@link UriMatchIndex.match} visited in the prefix tree and wildcard trie: its cost
   * beyond the exact lookup, for tests and diagnostics.
   */
  get lastMatchCost(): number {
    return this.visited;
  }

  /** Nodes held by the prefix tree and wildcard trie (their memory, for tests and diagnostics). */
  get nodeCount(): number {
    return this.prefix.nodeCount + this.wildcard.nodeCount;
  }

  /** The value stored under exactly this URI and policy. */
  get(uri: string, match: WampMatchPolicy): T | undefined {
    switch (match) {
      case 'exact':
        return this.exact.get(uri);
      case 'prefix':
        return this.prefix.get(uri);
      case 'wildcard':
        return this.wildcard.get(uri);
    }
  }

  /** Stores `value` under this URI and policy (replacing what was there). */
  set(uri: string, match: WampMatchPolicy, value: T): void {
    switch (match) {
      case 'exact':
        this.exact.set(uri, value);
        return;
      case 'prefix':
        this.prefix.set(uri, value);
        return;
      case 'wildcard':
        this.wildcard.set(uri, value);
    }
  }

  /** Removes the entry of this URI and policy; returns whether there was one. */
  delete(uri: string, match: WampMatchPolicy): boolean {
    switch (match) {
      case 'exact':
        return this.exact.delete(uri);
      case 'prefix':
        return this.prefix.delete(uri);
      case 'wildcard':
        return this.wildcard.delete(uri);
    }
  }

  /** Every value `uri` matches: the exact one, then prefixes from the shortest, then wildcard patterns. */
  match(uri: string): T[] {
    const found: T[] = [];
    const exact = this.exact.get(uri);
    if (exact !== undefined) found.push(exact);
    this.visited = this.prefix.size > 0 ? this.prefix.collect(uri, found) : 0;
    if (this.wildcard.size > 0) this.visited += this.wildcard.collect(uri, found);
    return found;
  }

  /**
   * The one value a URI is routed to when only one may be (a CALL's registration), by the spec's precedence:
   * the exact entry, else the longest matching prefix, else the best wildcard pattern (the longest run of
   * concrete components before each wildcard, compared from the first).
   */
  best(uri: string): T | undefined {
    const exact = this.exact.get(uri);
    if (exact !== undefined) return exact;
    if (this.prefix.size > 0) {
      const prefix = this.prefix.longest(uri);
      if (prefix !== undefined) return prefix;
    }
    return this.wildcard.size > 0 ? this.wildcard.best(uri) : undefined;
  }

  /** Every stored value. */
  *values(): IterableIterator<T> {
    yield* this.exact.values();
    yield* this.prefix.values();
    yield* this.wildcard.values();
  }
}

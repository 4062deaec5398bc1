/**
 * The patterns of one component count and one first component, stored row by row in one `Int32Array`: the
 * scan of a match reads contiguous memory instead of one object per pattern or per component.
 */
class PatternBucket<T> {
  rows: Int32Array;
  readonly entries: PatternEntry<T>[] = [];

  constructor(readonly width: number) {
    this.rows = new Int32Array(width * 4);
  }

  get count(): number {
    return this.entries.length;
  }

  add(entry: PatternEntry<T>, ids: Int32Array): void {
    const offset = this.entries.length * this.width;
    if (offset + this.width > this.rows.length) {
      const grown = new Int32Array(Math.max(this.rows.length * 2, offset + this.width));
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows.set(ids, offset);
    entry.position = this.entries.length;
    this.entries.push(entry);
  }

  /** Removes `entry`: the last row takes its place. */
  remove(entry: PatternEntry<T>): void {
    const last = this.entries.pop() as PatternEntry<T>;
    if (last !== entry) {
      const width = this.width;
      this.rows.copyWithin(entry.position * width, last.position * width, last.position * width + width);
      last.position = entry.position;
      this.entries[entry.position] = last;
    }
    // Shrunk when mostly empty, so a flood of patterns that left does not keep its memory.
    if (this.rows.length > 64 * this.width && this.entries.length * this.width * 4 < this.rows.length) {
      this.rows = this.rows.slice(0, this.rows.length / 2);
    }
  }
}

/** One stored pattern: where its row is, and its value. */
interface PatternEntry<T> {
  value: T;
  /** Its row in its bucket. */
  position: number;
  readonly bucket: PatternBucket<T>;
}

/** ID of an empty pattern component, which matches any one component. */
const WILDCARD = 0;
/** ID of a URI component no stored pattern names: only a wildcard matches it. */
const UNKNOWN = -1;

/**
 * The component IDs of the URI being matched (module state, as matching is synchronous): no allocation per
 * match once grown.
 */
let uriIds = new Int32Array(64);

/**
 * Values stored under wildcard patterns (WAMP's `match: "wildcard"`: an empty component matches any one
 * component, and a pattern matches only URIs with as many components), found for a URI by scanning the
 * patterns that can match it, compared as integers.
 *
 * Every component of every pattern is interned once as an integer, and the patterns are kept row by row in
 * buckets by component count and first component. Matching a URI resolves its components to IDs (one hash
 * lookup each), then scans the two buckets it can fall into (its first component's, and the patterns starting
 * with a wildcard), comparing integers in contiguous memory and stopping at each pattern's first difference:
 * at most `components x patterns in those buckets` comparisons.
 *
 * A trie of component nodes did the same work by pointer-chasing, about 200 ns per node: 1,000 patterns of 64
 * components built so that a CALL walked all of them cost 11 ms per call; scanned as integers, about 0.1 ms.
 * No structure is known that is sublinear in the patterns for every pattern set (the partial-match problem),
 * so this keeps the linear part as cheap as it can be, and the limits (`maxUriComponents`, registrations and
 * subscriptions per session) bound it.
 *
 * @example
 * const patterns = new WildcardPatterns<string>();
 * patterns.set('com..update', 'any app');
 * patterns.collect('com.app.update', found); // found: ['any app']
 */
export class WildcardPatterns<T> {
  private readonly byPattern = new Map<string, PatternEntry<T>>();
  /** Component count -> first component ID (0 for a wildcard) -> the patterns. */
  private readonly buckets = new Map<number, Map<number, PatternBucket<T>>>();
  private readonly componentIds = new Map<string, { readonly id: number; references: number }>();
  private nextComponentId = 1;
  private storedComponents = 0;

  /** Number of stored patterns. */
  get size(): number {
    return this.byPattern.size;
  }

  /** Number of stored pattern components (the memory held, in units of one integer each). */
  get nodeCount(): number {
    return this.storedComponents;
  }

  /** The value stored under exactly `pattern`. */
  get(pattern: string): T | undefined {
    return this.byPattern.get(pattern)?.value;
  }

  /** Stores `value` under `pattern` (replacing what was there). */
  set(pattern: string, value: T): void {
    const existing = this.byPattern.get(pattern);
    if (existing) {
      existing.value = value;
      return;
    }
    const components = pattern.split('.');
    const ids = new Int32Array(components.length);
    for (let index = 0; index < components.length; index++) ids[index] = this.intern(components[index]);
    let byFirst = this.buckets.get(ids.length);
    if (!byFirst) this.buckets.set(ids.length, (byFirst = new Map()));
    let bucket = byFirst.get(ids[0]);
    if (!bucket) byFirst.set(ids[0], (bucket = new PatternBucket<T>(ids.length)));
    const entry: PatternEntry<T> = { value, position: 0, bucket };
    bucket.add(entry, ids);
    this.byPattern.set(pattern, entry);
    this.storedComponents += ids.length;
  }

  /** Removes what is stored under `pattern`; returns whether something was. */
  delete(pattern: string): boolean {
    const entry = this.byPattern.get(pattern);
    if (!entry) return false;
    this.byPattern.delete(pattern);
    const bucket = entry.bucket;
    const first = bucket.rows[entry.position * bucket.width];
    bucket.remove(entry);
    if (bucket.count === 0) {
      const byFirst = this.buckets.get(bucket.width) as Map<number, PatternBucket<T>>;
      byFirst.delete(first);
      if (byFirst.size === 0) this.buckets.delete(bucket.width);
    }
    for (const component of pattern.split('.')) this.release(component);
    this.storedComponents -= bucket.width;
    return true;
  }

  /**
   * Appends the value of every pattern `uri` matches to `found`. Returns the number of integer comparisons
   * made (the match's cost, for tests and diagnostics).
   */
  collect(uri: string, found: T[]): number {
    const byFirst = this.byFirstFor(uri);
    if (!byFirst) return 0;
    const ids = this.resolve(uri);
    return collectFrom(byFirst.get(ids[0]), ids, found) + collectFrom(byFirst.get(WILDCARD), ids, found);
  }

  /**
   * The value of the pattern `uri` matches best by WAMP's rule for registrations: the longest run of concrete
   * components before the first wildcard, then before the second, and so on.
   */
  best(uri: string): T | undefined {
    const byFirst = this.byFirstFor(uri);
    if (!byFirst) return undefined;
    const ids = this.resolve(uri);
    let best: T | undefined;
    let bestRows: Int32Array | undefined;
    let bestOffset = 0;
    for (const bucket of [byFirst.get(ids[0]), byFirst.get(WILDCARD)]) {
      if (!bucket) continue;
      const { rows, width, entries } = bucket;
      for (let row = 0; row < entries.length; row++) {
        const offset = row * width;
        if (compareRow(rows, offset, ids, width) >= 0) continue;
        if (bestRows && !precedes(rows, offset, bestRows, bestOffset, width)) continue;
        best = entries[row].value;
        bestRows = rows;
        bestOffset = offset;
      }
    }
    return best;
  }

  /** Every stored value. */
  *values(): IterableIterator<T> {
    for (const entry of this.byPattern.values()) yield entry.value;
  }

  /** The buckets of patterns with as many components as `uri`, if any. */
  private byFirstFor(uri: string): Map<number, PatternBucket<T>> | undefined {
    if (this.buckets.size === 0) return undefined;
    let components = 1;
    for (let index = uri.indexOf('.'); index !== -1; index = uri.indexOf('.', index + 1)) components++;
    return this.buckets.get(components);
  }

  /** The component IDs of `uri`, in {@link uriIds}. */
  private resolve(uri: string): Int32Array {
    const components = uri.split('.');
    if (uriIds.length < components.length) uriIds = new Int32Array(components.length);
    for (let index = 0; index < components.length; index++) {
      uriIds[index] = this.componentIds.get(components[index])?.id ?? UNKNOWN;
    }
    return uriIds;
  }

  private intern(component: string): number {
    if (component === '') return WILDCARD;
    const known = this.componentIds.get(component);
    if (known) {
      known.references++;
      return known.id;
    }
    const id = this.nextComponentId++;
    this.componentIds.set(component, { id, references: 1 });
    return id;
  }

  private release(component: string): void {
    if (component === '') return;
    const known = this.componentIds.get(component);
    if (known && --known.references === 0) this.componentIds.delete(component);
  }
}

/** {@link WildcardPatterns.collect} over one bucket: appends the matches, returns the comparisons made. */
function collectFrom<T>(bucket: PatternBucket<T> | undefined, ids: Int32Array, found: T[]): number {
  if (!bucket) return 0;
  const { rows, width, entries } = bucket;
  let cost = 0;
  for (let row = 0; row < entries.length; row++) {
    const compared = compareRow(rows, row * width, ids, width);
    cost += compared < 0 ? width - 1 : compared;
    if (compared < 0) found.push(entries[row].value);
  }
  return cost;
}

/**
 * Whether the pattern at `offset` in `rows` matches the URI's IDs from the second component on (the first is
 * known to match by the bucket): -1 when it does, else the number of comparisons before the first difference.
 */
function compareRow(rows: Int32Array, offset: number, uri: Int32Array, width: number): number {
  for (let index = 1; index < width; index++) {
    const id = rows[offset + index];
    // Branch-free "id is not a wildcard and differs": (id | -id) >> 31 is all ones for an ID > 0 and 0 for the
    // wildcard. Patterns mix wildcards and concrete components unpredictably, and a branch on each cost a
    // misprediction about every other component (4x slower on patterns built to be scanned).
    if (((id ^ uri[index]) & ((id | -id) >> 31)) !== 0) return index;
  }
  return -1;
}

/**
 * Whether pattern `a` goes before pattern `b` (both matching the same URI): at the first position where one
 * has a wildcard and the other a concrete component, the concrete one wins.
 */
function precedes(a: Int32Array, aOffset: number, b: Int32Array, bOffset: number, width: number): boolean {
  for (let index = 0; index < width; index++) {
    const aWild = a[aOffset + index] === WILDCARD;
    if (aWild !== (b[bOffset + index] === WILDCARD)) return !aWild;
  }
  return false;
}

import fc from 'fast-check';
import type { WampMatchPolicy } from '../../../lib/core/protocol/wamp-message.interface.js';
import { compileTopicPattern, topicMatches } from '../../../lib/core/router/broker/topic-pattern.js';
import { PrefixTree } from '../../../lib/core/router/uri-index/prefix-tree.js';
import { UriMatchIndex } from '../../../lib/core/router/uri-index/uri-match-index.js';
import { WildcardPatterns } from '../../../lib/core/router/uri-index/wildcard-patterns.js';

/**
 * What a match costs, counted in nodes visited rather than timed: the cost of a publish must follow the
 * honest work (the topic's length and the matches found), never the number or shape of other sessions'
 * patterns. Correctness against a brute-force scan is in subscription-table.spec.ts.
 */

const alphabet = fc.constantFrom('a', 'b', '.');

describe('PrefixTree', () => {
  it('finds the prefixes of a string shortest first, and only those', () => {
    const tree = new PrefixTree<string>();
    for (const prefix of ['com.', 'com.app.', 'com.ap', 'org.', '', 'com.app.chat.x'])
      tree.set(prefix, prefix);
    const found: string[] = [];
    tree.collect('com.app.chat', found);
    expect(found).toEqual(['', 'com.', 'com.ap', 'com.app.']);
    expect(tree.get('com.ap')).toBe('com.ap');
    expect(tree.get('com.a')).toBeUndefined();
    expect(tree.get('com.app.chat')).toBeUndefined();
  });

  it('visits at most one node per character of the string, whatever the stored prefixes (red-team attack 3)', () => {
    // 1,000 prefixes of distinct lengths 1,000-1,999 and a 2,000-character topic: the old table hashed a
    // slice per length in use (22.6 s for 2,000 publishes); the tree walks the topic once.
    const tree = new PrefixTree<number>();
    for (let length = 1000; length < 2000; length++) tree.set('a'.repeat(length), length);
    const found: number[] = [];
    const visited = tree.collect('a'.repeat(2000), found);
    expect(found).toEqual(Array.from({ length: 1000 }, (_, index) => 1000 + index));
    expect(visited).toBeLessThanOrEqual(1001 + 1);
    // A topic that leaves the shared path early costs a few nodes, not one per prefix.
    expect(tree.collect('a'.repeat(999) + 'b' + 'a'.repeat(1000), [])).toBeLessThanOrEqual(2);
    // At most two nodes per prefix, however long the prefixes are.
    expect(tree.nodeCount).toBeLessThanOrEqual(2 * tree.size + 1);
  });

  it('property: cost <= length + 1, nodes <= 2 x prefixes + 1, and deleting everything leaves the root', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: alphabet, maxLength: 12 }), { maxLength: 40 }),
        fc.array(fc.string({ unit: alphabet, maxLength: 16 }), { minLength: 1, maxLength: 8 }),
        (prefixes, texts) => {
          const tree = new PrefixTree<string>();
          for (const prefix of prefixes) tree.set(prefix, prefix);
          expect(tree.size).toBe(prefixes.length);
          expect(tree.nodeCount).toBeLessThanOrEqual(2 * prefixes.length + 1);
          for (const text of texts) {
            const found: string[] = [];
            expect(tree.collect(text, found)).toBeLessThanOrEqual(text.length + 1);
            expect(found).toEqual(
              prefixes.filter((prefix) => text.startsWith(prefix)).sort((a, b) => a.length - b.length),
            );
          }
          for (const prefix of prefixes) expect(tree.delete(prefix)).toBe(true);
          expect(tree.size).toBe(0);
          expect(tree.nodeCount).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('WildcardPatterns', () => {
  it('matches a 200,000-component pattern without recursion (red-team attack 6: stack overflow)', () => {
    const trie = new WildcardPatterns<string>();
    const pattern = 'p' + '.'.repeat(200_000);
    trie.set(pattern, 'deep');
    const found: string[] = [];
    expect(() => trie.collect('p' + '.x'.repeat(200_000), found)).not.toThrow();
    expect(found).toEqual(['deep']);
    expect(trie.delete(pattern)).toBe(true);
    expect(trie.nodeCount).toBe(0);
  });

  it('property: at most components comparisons per pattern of the same length, and exactly the matches', () => {
    const component = fc.constantFrom('a', 'b', '');
    const patternArb = fc.array(component, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.'));
    const topicArb = fc
      .array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join('.'));
    fc.assert(
      fc.property(
        fc.uniqueArray(patternArb, { maxLength: 40 }),
        fc.array(topicArb, { maxLength: 8 }),
        (patterns, topics) => {
          const trie = new WildcardPatterns<string>();
          for (const pattern of patterns) trie.set(pattern, pattern);
          for (const topic of topics) {
            const components = topic.split('.').length;
            const sameLength = patterns.filter((pattern) => pattern.split('.').length === components).length;
            const found: string[] = [];
            const visited = trie.collect(topic, found);
            expect(visited).toBeLessThanOrEqual(components * sameLength);
            expect(found.sort()).toEqual(
              patterns.filter((pattern) => topicMatches(topic, pattern, 'wildcard')).sort(),
            );
          }
          for (const pattern of patterns) expect(trie.delete(pattern)).toBe(true);
          expect(trie.nodeCount).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a topic of other component counts costs nothing, whatever the patterns', () => {
    const trie = new WildcardPatterns<number>();
    for (let index = 0; index < 1000; index++) trie.set(`${'.'.repeat(10)}x${index}`, index);
    expect(trie.collect('a.b.c', [])).toBe(0);
  });
});

describe('UriMatchIndex', () => {
  it('reports exact, prefix then wildcard matches and the cost beyond the exact lookup', () => {
    const index = new UriMatchIndex<string>();
    index.set('com.app.chat', 'exact', 'exact');
    index.set('com.app.', 'prefix', 'prefix');
    index.set('com..chat', 'wildcard', 'wildcard');
    expect(index.match('com.app.chat')).toEqual(['exact', 'prefix', 'wildcard']);
    expect(index.lastMatchCost).toBeGreaterThan(0);
    expect(index.size).toBe(3);
    expect(index.delete('com.app.', 'prefix')).toBe(true);
    expect(index.delete('com.app.', 'prefix')).toBe(false);
    expect(index.match('com.app.chat')).toEqual(['exact', 'wildcard']);
  });
});

describe('compileTopicPattern', () => {
  it('property: agrees with topicMatches for every policy', () => {
    const uri = fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 10 });
    const policy = fc.constantFrom<WampMatchPolicy>('exact', 'prefix', 'wildcard');
    fc.assert(
      fc.property(uri, policy, fc.array(uri, { maxLength: 10 }), (pattern, match, topics) => {
        const matches = compileTopicPattern(pattern, match);
        for (const topic of topics) expect(matches(topic)).toBe(topicMatches(topic, pattern, match));
      }),
      { numRuns: 500 },
    );
  });

  it('topicMatches (wildcard) agrees with a component-wise reference', () => {
    const reference = (topic: string, pattern: string): boolean => {
      const topicParts = topic.split('.');
      const patternParts = pattern.split('.');
      return (
        topicParts.length === patternParts.length &&
        patternParts.every((part, index) => part === '' || part === topicParts[index])
      );
    };
    const uri = fc.string({ unit: fc.constantFrom('a', 'b', 'ab', '.'), maxLength: 10 });
    fc.assert(
      fc.property(uri, uri, (topic, pattern) => {
        expect(topicMatches(topic, pattern, 'wildcard')).toBe(reference(topic, pattern));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('UriMatchIndex.best (one registration per call)', () => {
  /** The spec's rule written out plainly: exact, longest prefix, then wildcard by concrete runs from the left. */
  function bruteBest(entries: [string, WampMatchPolicy][], uri: string): string | undefined {
    const exact = entries.find(([pattern, match]) => match === 'exact' && pattern === uri);
    if (exact) return `${exact[1]}:${exact[0]}`;
    const prefixes = entries.filter(([pattern, match]) => match === 'prefix' && uri.startsWith(pattern));
    if (prefixes.length > 0) {
      const longest = prefixes.reduce((best, entry) => (entry[0].length > best[0].length ? entry : best));
      return `prefix:${longest[0]}`;
    }
    const components = uri.split('.');
    const wildcards = entries
      .filter(([pattern, match]) => match === 'wildcard' && topicMatches(uri, pattern, 'wildcard'))
      .map(([pattern]) => pattern);
    if (wildcards.length === 0) return undefined;
    // Concrete-before-wildcard at the first position where two patterns differ is the better one.
    const key = (pattern: string): string =>
      pattern
        .split('.')
        .map((component) => (component === '' ? '1' : '0'))
        .join('');
    const best = wildcards.reduce((winner, pattern) => (key(pattern) < key(winner) ? pattern : winner));
    expect(best.split('.')).toHaveLength(components.length);
    return `wildcard:${best}`;
  }

  it('property: agrees with the spec rule written out plainly', () => {
    const component = fc.constantFrom('a', 'b', 'c');
    const uri = fc.array(component, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
    const pattern = fc
      .array(fc.constantFrom('a', 'b', ''), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join('.'));
    const entry = fc.oneof(
      uri.map((value): [string, WampMatchPolicy] => [value, 'exact']),
      fc
        .array(fc.constantFrom('a', 'b', '.', 'a.', 'b.'), { maxLength: 4 })
        .map((parts): [string, WampMatchPolicy] => [parts.join(''), 'prefix']),
      pattern.map((value): [string, WampMatchPolicy] => [value, 'wildcard']),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { selector: ([value, match]) => `${match}:${value}`, maxLength: 12 }),
        uri,
        (entries, called) => {
          const index = new UriMatchIndex<string>();
          for (const [value, match] of entries) index.set(value, match, `${match}:${value}`);
          expect(index.best(called)).toBe(bruteBest(entries, called));
        },
      ),
      { numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import type { WampMatchPolicy } from '../../../lib/core/protocol/wamp-message.interface.js';
import {
  newSubscription,
  SubscriptionTable,
  type BrokerSubscription,
} from '../../../lib/core/router/broker/subscription-table.js';
import { topicMatches } from '../../../lib/core/router/broker/topic-pattern.js';

let nextId = 1;

function sub(topic: string, match: WampMatchPolicy = 'exact'): BrokerSubscription {
  return newSubscription(nextId++, topic, match);
}

function tableWith(...subscriptions: BrokerSubscription[]): SubscriptionTable {
  const table = new SubscriptionTable();
  for (const subscription of subscriptions) table.add(subscription);
  return table;
}

/** IDs of the subscriptions `topic` matches, sorted (the table's order is exact, prefixes, wildcards). */
function matchedIds(table: SubscriptionTable, topic: string): number[] {
  return table
    .match(topic)
    .map((subscription) => subscription.id)
    .sort((a, b) => a - b);
}

function ids(...subscriptions: BrokerSubscription[]): number[] {
  return subscriptions.map((subscription) => subscription.id).sort((a, b) => a - b);
}

/**
 * Checks that removal pruned everything: no subscription listed, and the prefix tree and wildcard trie are back
 * to their root (one node: the prefix tree's root, which always exists) — no leak after churn.
 */
function expectEmpty(table: SubscriptionTable): void {
  expect(table.size).toBe(0);
  expect([...table.values()]).toEqual([]);
  expect(table.nodeCount).toBe(1);
}

describe('topicMatches', () => {
  it.each<[string, string, WampMatchPolicy, boolean]>([
    // exact
    ['com.a.b', 'com.a.b', 'exact', true],
    ['com.a.b.c', 'com.a.b', 'exact', false],
    ['com.a', 'com.a.b', 'exact', false],
    // prefix: plain string prefix (as Crossbar and Autobahn)
    ['com.myapp', 'com.myapp', 'prefix', true],
    ['com.myapp.x', 'com.myapp', 'prefix', true],
    ['com.myapp2', 'com.myapp', 'prefix', true],
    ['com.myap', 'com.myapp', 'prefix', false],
    ['org.myapp.x', 'com.myapp', 'prefix', false],
    ['com.myapp.x', 'com.myapp.', 'prefix', true],
    ['com.myapp2', 'com.myapp.', 'prefix', false],
    ['com.myapp', 'com.myapp.', 'prefix', false],
    ['anything.at.all', '', 'prefix', true],
    // wildcard: whole components, same component count
    ['com.a.update', 'com..update', 'wildcard', true],
    ['com.b.update', 'com..update', 'wildcard', true],
    ['com.a.b.update', 'com..update', 'wildcard', false],
    ['com.update', 'com..update', 'wildcard', false],
    ['com.a.updated', 'com..update', 'wildcard', false],
    ['org.a.update', 'com..update', 'wildcard', false],
    ['a.b.c', '..', 'wildcard', true],
    ['a.b', '..', 'wildcard', false],
    ['a.b.c.d', '..', 'wildcard', false],
    ['com.a.update', 'com.a.update', 'wildcard', true],
    ['com.a.update', '.a.', 'wildcard', true],
    ['com.b.update', '.a.', 'wildcard', false],
  ])('%s against %s (%s) -> %s', (topic, pattern, match, expected) => {
    expect(topicMatches(topic, pattern, match)).toBe(expected);
  });

  // Spec, advanced profile, "Pattern-based Subscriptions > Prefix Matching".
  it.each([
    ['com.myapp.topic.emergency.11', true],
    ['com.myapp.topic.emergency-low', true],
    ['com.myapp.topic.emergency.category.severe', true],
    ['com.myapp.topic.emergency', true],
    ['com.myapp.topic.emerge', false],
  ])('spec prefix example: %s matches com.myapp.topic.emergency -> %s', (topic, expected) => {
    expect(topicMatches(topic, 'com.myapp.topic.emergency', 'prefix')).toBe(expected);
  });

  // Spec, advanced profile, "Pattern-based Subscriptions > Wildcard Matching".
  it.each([
    ['com.myapp.foo.userevent', true],
    ['com.myapp.bar.userevent', true],
    ['com.myapp.a12.userevent', true],
    ['com.myapp.foo.userevent.bar', false],
    ['com.myapp.foo.user', false],
    ['com.myapp2.foo.userevent', false],
  ])('spec wildcard example: %s matches com.myapp..userevent -> %s', (topic, expected) => {
    expect(topicMatches(topic, 'com.myapp..userevent', 'wildcard')).toBe(expected);
  });
});

describe('SubscriptionTable', () => {
  describe('exact', () => {
    it('add, get, find, match, remove', () => {
      const subscription = sub('com.a.b');
      const table = tableWith(subscription);
      expect(table.size).toBe(1);
      expect(table.get(subscription.id)).toBe(subscription);
      expect(table.find('com.a.b', 'exact')).toBe(subscription);
      expect(table.find('com.a.b', 'prefix')).toBeUndefined();
      expect(table.find('com.a.b', 'wildcard')).toBeUndefined();
      expect(table.match('com.a.b')).toEqual([subscription]);
      expect(table.match('com.a.b.c')).toEqual([]);
      expect(table.match('com.a')).toEqual([]);
      expect(table.match('com.a.bb')).toEqual([]);
      table.remove(subscription);
      expect(table.get(subscription.id)).toBeUndefined();
      expect(table.find('com.a.b', 'exact')).toBeUndefined();
      expect(table.match('com.a.b')).toEqual([]);
      expectEmpty(table);
    });
  });

  describe('prefix', () => {
    it('is a plain string prefix: com.myapp matches com.myapp, com.myapp.x and com.myapp2', () => {
      const subscription = sub('com.myapp', 'prefix');
      const table = tableWith(subscription);
      expect(table.find('com.myapp', 'prefix')).toBe(subscription);
      expect(table.find('com.myapp', 'exact')).toBeUndefined();
      for (const topic of ['com.myapp', 'com.myapp.x', 'com.myapp.x.y.z', 'com.myapp2', 'com.myapp_b']) {
        expect(table.match(topic)).toEqual([subscription]);
      }
      for (const topic of ['com.myap', 'com', 'org.myapp', 'xcom.myapp']) {
        expect(table.match(topic)).toEqual([]);
      }
    });

    it('a trailing dot restricts the prefix to whole components', () => {
      const subscription = sub('com.myapp.', 'prefix');
      const table = tableWith(subscription);
      expect(table.match('com.myapp.x')).toEqual([subscription]);
      expect(table.match('com.myapp.x.y')).toEqual([subscription]);
      expect(table.match('com.myapp2')).toEqual([]);
      expect(table.match('com.myapp')).toEqual([]);
    });

    it('matches the spec prefix example (com.myapp.topic.emergency)', () => {
      const subscription = sub('com.myapp.topic.emergency', 'prefix');
      const table = tableWith(subscription);
      for (const topic of [
        'com.myapp.topic.emergency.11',
        'com.myapp.topic.emergency-low',
        'com.myapp.topic.emergency.category.severe',
        'com.myapp.topic.emergency',
      ]) {
        expect(table.match(topic)).toEqual([subscription]);
      }
      expect(table.match('com.myapp.topic.emerge')).toEqual([]);
    });

    it('every matching prefix is returned once, of any length; same-length prefixes do not mix', () => {
      const c = sub('c', 'prefix');
      const com = sub('com', 'prefix');
      const comA = sub('com.a', 'prefix');
      const comB = sub('com.b', 'prefix');
      const comAB = sub('com.a.b', 'prefix');
      const longer = sub('com.a.b.c.d.e', 'prefix');
      const table = tableWith(c, com, comA, comB, comAB, longer);
      expect(matchedIds(table, 'com.a.b.c')).toEqual(ids(c, com, comA, comAB));
      expect(matchedIds(table, 'com.b')).toEqual(ids(c, com, comB));
      expect(matchedIds(table, 'co')).toEqual(ids(c));
      expect(matchedIds(table, 'x')).toEqual([]);
    });

    it('the empty prefix matches every topic', () => {
      const all = sub('', 'prefix');
      const table = tableWith(all);
      expect(table.match('a')).toEqual([all]);
      expect(table.match('com.example.x')).toEqual([all]);
    });

    it('removing one of two prefixes of the same length keeps the other', () => {
      const comA = sub('com.a', 'prefix');
      const comB = sub('com.b', 'prefix');
      const table = tableWith(comA, comB);
      table.remove(comA);
      expect(table.match('com.a.x')).toEqual([]);
      expect(table.match('com.b.x')).toEqual([comB]);
      // The prefix tree holds the shared root, 'com.' and 'a'/'b' after the split: back to root + one leaf.
      expect(table.nodeCount).toBe(2);
      table.remove(comB);
      expect(table.match('com.b.x')).toEqual([]);
      expectEmpty(table);
    });
  });

  describe('wildcard', () => {
    it('com..update matches com.a.update, not com.a.b.update nor com.update', () => {
      const subscription = sub('com..update', 'wildcard');
      const table = tableWith(subscription);
      expect(table.find('com..update', 'wildcard')).toBe(subscription);
      expect(table.find('com..update', 'prefix')).toBeUndefined();
      expect(table.find('com.a.update', 'wildcard')).toBeUndefined();
      expect(table.find('com..', 'wildcard')).toBeUndefined();
      expect(table.match('com.a.update')).toEqual([subscription]);
      expect(table.match('com.zzz.update')).toEqual([subscription]);
      expect(table.match('com.a.b.update')).toEqual([]);
      expect(table.match('com.update')).toEqual([]);
      expect(table.match('com.a.updates')).toEqual([]);
      expect(table.match('org.a.update')).toEqual([]);
    });

    it('matches the spec wildcard example (com.myapp..userevent)', () => {
      const subscription = sub('com.myapp..userevent', 'wildcard');
      const table = tableWith(subscription);
      for (const topic of ['com.myapp.foo.userevent', 'com.myapp.bar.userevent', 'com.myapp.a12.userevent']) {
        expect(table.match(topic)).toEqual([subscription]);
      }
      for (const topic of ['com.myapp.foo.userevent.bar', 'com.myapp.foo.user', 'com.myapp2.foo.userevent']) {
        expect(table.match(topic)).toEqual([]);
      }
    });

    it('overlapping patterns each match once (concrete and wildcard branches both followed)', () => {
      const middle = sub('com..update', 'wildcard');
      const last = sub('com.a.', 'wildcard');
      const first = sub('.a.update', 'wildcard');
      const all = sub('..', 'wildcard');
      const concrete = sub('com.a.update', 'wildcard');
      const other = sub('com.b.', 'wildcard');
      const fourComponents = sub('...', 'wildcard');
      const table = tableWith(middle, last, first, all, concrete, other, fourComponents);
      expect(matchedIds(table, 'com.a.update')).toEqual(ids(middle, last, first, all, concrete));
      expect(matchedIds(table, 'com.b.update')).toEqual(ids(middle, all, other));
      expect(matchedIds(table, 'x.y.z')).toEqual(ids(all));
      expect(matchedIds(table, 'w.x.y.z')).toEqual(ids(fourComponents));
      expect(matchedIds(table, 'x.y')).toEqual([]);
    });

    it('removing one wildcard pattern keeps the ones sharing its path, and prunes it entirely', () => {
      const middle = sub('com..update', 'wildcard');
      const last = sub('com.a.', 'wildcard');
      const deep = sub('com.a.update', 'wildcard');
      const table = tableWith(middle, last, deep);
      table.remove(last);
      expect(matchedIds(table, 'com.a.update')).toEqual(ids(middle, deep));
      expect(table.match('com.a.other')).toEqual([]);
      expect(table.find('com.a.', 'wildcard')).toBeUndefined();
      table.remove(deep);
      expect(table.match('com.a.update')).toEqual([middle]);
      table.remove(middle);
      expect(table.match('com.a.update')).toEqual([]);
      expectEmpty(table);
    });
  });

  describe('all policies together', () => {
    it('one entry per matching subscription: the same string under exact, prefix and wildcard is three', () => {
      const exact = sub('com.a.b', 'exact');
      const prefix = sub('com.a.b', 'prefix');
      const wildcard = sub('com.a.b', 'wildcard');
      const table = tableWith(exact, prefix, wildcard);
      expect(table.size).toBe(3);
      expect(table.find('com.a.b', 'exact')).toBe(exact);
      expect(table.find('com.a.b', 'prefix')).toBe(prefix);
      expect(table.find('com.a.b', 'wildcard')).toBe(wildcard);
      // Exact first, then prefixes, then wildcards.
      expect(table.match('com.a.b')).toEqual([exact, prefix, wildcard]);
      expect(table.match('com.a.b.c')).toEqual([prefix]);
    });

    it('an exact, a prefix and a wildcard subscription all matching one topic -> three entries', () => {
      const exact = sub('com.myapp.topic1');
      const prefix = sub('com.myapp', 'prefix');
      const wildcard = sub('com..topic1', 'wildcard');
      const unrelated = [sub('com.myapp.topic2'), sub('org', 'prefix'), sub('com..topic2', 'wildcard')];
      const table = tableWith(exact, prefix, wildcard, ...unrelated);
      expect(table.match('com.myapp.topic1')).toEqual([exact, prefix, wildcard]);
    });

    it('remove ignores a subscription it does not hold, and a second remove', () => {
      const held = sub('com.a', 'prefix');
      const table = tableWith(held);
      table.remove({ ...held, subscribers: new Set() });
      table.remove(sub('com.a', 'prefix'));
      expect(table.match('com.a')).toEqual([held]);
      expect(table.nodeCount).toBe(2);
      table.remove(held);
      table.remove(held);
      expectEmpty(table);
    });

    it('after add/remove churn on every policy the table is empty again and matches nothing', () => {
      const table = new SubscriptionTable();
      const topics = ['com.a.b', 'com.a', 'com..b', 'com.a.', '..', '', 'x.y.z.w'];
      for (let round = 0; round < 3; round++) {
        const added: BrokerSubscription[] = [];
        for (const topic of topics) {
          for (const match of ['exact', 'prefix', 'wildcard'] as const) {
            if (match === 'exact' && (topic === '' || topic.includes('..') || topic.endsWith('.'))) continue;
            const subscription = sub(topic, match);
            table.add(subscription);
            added.push(subscription);
          }
        }
        expect(table.size).toBe(added.length);
        expect(table.match('com.a.b').length).toBeGreaterThan(0);
        for (const subscription of added.reverse()) table.remove(subscription);
        expectEmpty(table);
        for (const topic of ['com.a.b', 'com.a', 'x.y.z.w', 'q']) expect(table.match(topic)).toEqual([]);
      }
    });
  });

  describe('many patterns', () => {
    const COUNT = 10_000;
    let table: SubscriptionTable;
    let all: BrokerSubscription[];

    beforeAll(() => {
      table = new SubscriptionTable();
      all = [];
      for (let index = 0; index < COUNT; index++) {
        // Wildcards: app.<i>..event and ..<i>.x (two branches at different levels).
        const wildcard =
          index % 2 === 0 ? sub(`app.${index}..event`, 'wildcard') : sub(`..${index}.x`, 'wildcard');
        // Prefixes: p.<i> (plain string prefixes of one another: p.1, p.12, p.123 ...) and app.<i>.
        const prefix = index % 2 === 0 ? sub(`p.${index}`, 'prefix') : sub(`app.${index}.`, 'prefix');
        table.add(wildcard);
        table.add(prefix);
        all.push(wildcard, prefix);
      }
    });

    function bruteForce(topic: string): number[] {
      return all
        .filter((subscription) => topicMatches(topic, subscription.topic, subscription.match))
        .map((subscription) => subscription.id)
        .sort((a, b) => a - b);
    }

    it(`holds ${2 * COUNT} subscriptions`, () => {
      expect(table.size).toBe(2 * COUNT);
    });

    it('a topic matches only its own wildcard', () => {
      const found = table.match('app.42.anything.event');
      expect(found.map((subscription) => subscription.topic)).toEqual(['app.42..event']);
    });

    it('a topic matches every plain string prefix of it, and nothing else', () => {
      const found = table.match('p.1234.z');
      expect(found.map((subscription) => subscription.topic).sort()).toEqual(['p.12', 'p.1234']);
      // p.1 and p.123 are odd-indexed slots (app.1., app.123.), so only the even ones exist as p.<i>.
      expect(bruteForce('p.1234.z')).toEqual(matchedIds(table, 'p.1234.z'));
    });

    it('prefix and wildcard patterns each hit only their own topics', () => {
      // app.43.q.x: prefix app.43. matches; wildcard ..43.x has 4 components but 43 is the 3rd, not
      // the 2nd component, so it does not match; ..<q>.x would, but q is not a number.
      expect(table.match('app.43.q.x').map((subscription) => subscription.topic)).toEqual(['app.43.']);
      // a.b.43.x: only the wildcard ..43.x.
      expect(table.match('a.b.43.x').map((subscription) => subscription.topic)).toEqual(['..43.x']);
      // app.42.43.x: nothing with app.42 as prefix (even index -> no app.42.), wildcard ..43.x matches.
      expect(table.match('app.42.43.x').map((subscription) => subscription.topic)).toEqual(['..43.x']);
    });

    it('agrees with a brute-force scan on a sample of topics', () => {
      const topics = [
        'app.42.anything.event',
        'app.43.q.x',
        'app.9999.x',
        'app.9998.z.event',
        'p.1',
        'p.10',
        'p.9998',
        'p.99980',
        'a.b.9999.x',
        'a.b.10000.x',
        'nothing',
        'app',
        'p',
      ];
      for (const topic of topics) expect(matchedIds(table, topic)).toEqual(bruteForce(topic));
    });

    it('removing them all empties the table', () => {
      for (const subscription of all) table.remove(subscription);
      expectEmpty(table);
      expect(table.match('app.42.anything.event')).toEqual([]);
      expect(table.match('p.1234.z')).toEqual([]);
    });
  });

  describe('property: agrees with topicMatches on random patterns and topics', () => {
    const component = fc.constantFrom('a', 'b', 'c', 'ab');
    const topicArb = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
    const wildcardArb = fc
      .array(fc.constantFrom('a', 'b', ''), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('.'));
    const prefixArb = fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 6 });
    const subscriptionArb = fc.oneof(
      topicArb.map((topic) => ['exact', topic] as const),
      prefixArb.map((topic) => ['prefix', topic] as const),
      wildcardArb.map((topic) => ['wildcard', topic] as const),
    );

    it('match(topic) is exactly the subscriptions topicMatches accepts, each once', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(subscriptionArb, {
            selector: ([match, topic]) => `${match} ${topic}`,
            maxLength: 30,
          }),
          fc.array(topicArb, { minLength: 1, maxLength: 10 }),
          fc.integer({ min: 0, max: 30 }),
          (specs, topics, removeCount) => {
            const subscriptions = specs.map(([match, topic]) => sub(topic, match));
            const table = tableWith(...subscriptions);
            const removed = new Set(subscriptions.slice(0, removeCount));
            for (const subscription of removed) table.remove(subscription);
            const live = subscriptions.filter((subscription) => !removed.has(subscription));
            expect(table.size).toBe(live.length);
            for (const topic of topics) {
              const expected = live
                .filter((subscription) => topicMatches(topic, subscription.topic, subscription.match))
                .map((subscription) => subscription.id)
                .sort((a, b) => a - b);
              expect(matchedIds(table, topic)).toEqual(expected);
            }
            for (const subscription of live) table.remove(subscription);
            expectEmpty(table);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

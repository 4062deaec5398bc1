import fc from 'fast-check';

import { isReservedUri, isValidUri, isValidUriForMatch } from '../../../lib/core/index.js';

// The spec's own patterns (and Autobahn's prefix patterns), as published; the implementation uses
// faster equivalent forms.
/* eslint-disable no-useless-escape -- the patterns are copied verbatim from the spec */
const SPEC = {
  strict: /^([0-9a-z_]+\.)*([0-9a-z_]+)$/,
  loose: /^([^\s\.#]+\.)*([^\s\.#]+)$/,
  strictEmpty: /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/,
  looseEmpty: /^(([^\s\.#]+\.)|\.)*([^\s\.#]+)?$/,
  strictLastEmpty: /^([0-9a-z_]+\.)*([0-9a-z_]*)$/,
  looseLastEmpty: /^([^\s\.#]+\.)*([^\s\.#]*)$/,
};
/* eslint-enable no-useless-escape */

describe('URI patterns', () => {
  it('agree with the spec patterns on arbitrary strings', () => {
    const uri = fc.oneof(
      fc.string({
        unit: fc.constantFrom('a', 'z', '0', '9', '_', '.', '#', ' ', '\t', '\n', 'A', '-', 'ü', '\u00a0'),
      }),
      fc.string(),
    );
    fc.assert(
      fc.property(uri, (value) => {
        expect(isValidUri(value, true)).toBe(SPEC.strict.test(value));
        expect(isValidUri(value, false)).toBe(SPEC.loose.test(value));
        expect(isValidUri(value, true, true)).toBe(SPEC.strictEmpty.test(value));
        expect(isValidUri(value, false, true)).toBe(SPEC.looseEmpty.test(value));
        expect(isValidUriForMatch(value, true, 'exact')).toBe(SPEC.strict.test(value));
        expect(isValidUriForMatch(value, false, 'exact')).toBe(SPEC.loose.test(value));
        expect(isValidUriForMatch(value, true, 'prefix')).toBe(SPEC.strictLastEmpty.test(value));
        expect(isValidUriForMatch(value, false, 'prefix')).toBe(SPEC.looseLastEmpty.test(value));
        expect(isValidUriForMatch(value, true, 'wildcard')).toBe(SPEC.strictEmpty.test(value));
        expect(isValidUriForMatch(value, false, 'wildcard')).toBe(SPEC.looseEmpty.test(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isValidUri', () => {
  // [uri, strict, loose]
  const cases: [string, boolean, boolean][] = [
    ['com.example.add', true, true],
    ['a', true, true],
    ['com.example_2.add_3', true, true],
    ['0.1', true, true],
    ['com.Example', false, true],
    ['com.example-x', false, true],
    ['com.ex$mple', false, true],
    ['com.ünicode', false, true],
    ['a..b', false, false],
    ['a.b.', false, false],
    ['.a.b', false, false],
    ['a b', false, false],
    ['a.b c', false, false],
    ['a\tb', false, false],
    ['a#b', false, false],
    ['', false, false],
    ['.', false, false],
  ];

  it.each(cases)('%j: strict %s, loose %s', (uri, strict, loose) => {
    expect(isValidUri(uri, true)).toBe(strict);
    expect(isValidUri(uri, false)).toBe(loose);
  });

  // Empty components allowed (wildcard patterns): [uri, strict, loose]
  const patternCases: [string, boolean, boolean][] = [
    ['com..update', true, true],
    ['..', true, true],
    ['com.myapp.', true, true],
    ['.com.myapp', true, true],
    ['', true, true],
    ['com.Example..x', false, true],
    ['com. .x', false, false],
    ['com.#.x', false, false],
  ];

  it.each(patternCases)('with empty components allowed, %j: strict %s, loose %s', (uri, strict, loose) => {
    expect(isValidUri(uri, true, true)).toBe(strict);
    expect(isValidUri(uri, false, true)).toBe(loose);
  });

  it('answers quickly on long hostile input (no catastrophic backtracking)', () => {
    const hostile = `${'a'.repeat(100_000)} `;
    const dotted = `${'a.'.repeat(50_000)}#`;
    const started = process.hrtime.bigint();
    for (const uri of [hostile, dotted]) {
      expect(isValidUri(uri, true)).toBe(false);
      expect(isValidUri(uri, false)).toBe(false);
      expect(isValidUri(uri, true, true)).toBe(false);
      expect(isValidUri(uri, false, true)).toBe(false);
      expect(isValidUriForMatch(uri, false, 'prefix')).toBe(false);
    }
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });
});

describe('isValidUriForMatch', () => {
  // [uri, exact, prefix, wildcard] under strict rules
  const cases: [string, boolean, boolean, boolean][] = [
    ['com.myapp.topic', true, true, true],
    ['com.myapp.', false, true, true],
    ['com..topic', false, false, true],
    ['.myapp.topic', false, false, true],
    ['', false, true, true],
    ['com.My', false, false, false],
    ['com.a b', false, false, false],
  ];

  it.each(cases)('%j: exact %s, prefix %s, wildcard %s', (uri, exact, prefix, wildcard) => {
    expect(isValidUriForMatch(uri, true, 'exact')).toBe(exact);
    expect(isValidUriForMatch(uri, true, 'prefix')).toBe(prefix);
    expect(isValidUriForMatch(uri, true, 'wildcard')).toBe(wildcard);
  });

  it('applies loose rules when not strict', () => {
    expect(isValidUriForMatch('com.My', false, 'exact')).toBe(true);
    expect(isValidUriForMatch('com.My.', false, 'prefix')).toBe(true);
    expect(isValidUriForMatch('com..My', false, 'wildcard')).toBe(true);
    expect(isValidUriForMatch('com..My', false, 'prefix')).toBe(false);
  });
});

describe('isReservedUri', () => {
  it.each([
    ['wamp.session.count', true],
    ['wamp.error.invalid_uri', true],
    ['wamp', true],
    ['wampx.foo', false],
    ['com.wamp.foo', false],
    ['', false],
  ])('%j -> %s', (uri, reserved) => {
    expect(isReservedUri(uri)).toBe(reserved);
  });
});

import { isValidId, toWampId } from '../../../lib/core/protocol/wamp-id.js';
import { MAX_ID } from '../../../lib/core/index.js';

describe('isValidId', () => {
  it('accepts integers in [1, 2^53], including 2^53 itself', () => {
    expect(MAX_ID).toBe(9007199254740992);
    for (const id of [1, 2, 4429313566, Number.MAX_SAFE_INTEGER, 2 ** 53]) expect(isValidId(id)).toBe(true);
  });

  it.each([0, -1, 1.5, 2 ** 53 + 2, Number.NaN, Infinity, -Infinity, '1', null, undefined, true, [1], 1n])(
    'rejects %p',
    (value) => {
      expect(isValidId(value)).toBe(false);
    },
  );
});

describe('toWampId', () => {
  it('returns numeric IDs unchanged', () => {
    expect(toWampId(1)).toBe(1);
    expect(toWampId(2 ** 53)).toBe(2 ** 53);
  });

  it('converts bigint IDs in range to numbers', () => {
    expect(toWampId(7n)).toBe(7);
    expect(toWampId(2n ** 53n)).toBe(2 ** 53);
  });

  it.each([0, -1, 1.5, 2 ** 53 + 2, '1', null, 0n, -1n, 2n ** 53n + 1n])('returns 0 for %p', (value) => {
    expect(toWampId(value)).toBe(0);
  });
});

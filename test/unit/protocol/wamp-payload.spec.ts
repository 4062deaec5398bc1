import { appendPayload } from '../../../lib/core/protocol/wamp-payload.js';

describe('appendPayload', () => {
  it.each<[string, unknown[] | undefined, Record<string, unknown> | undefined, unknown[]]>([
    ['nothing', undefined, undefined, [8]],
    ['empty args and no kwargs (never an empty trailing [])', [], undefined, [8]],
    ['empty kwargs (never an empty trailing {})', [1], {}, [8, [1]]],
    ['empty args and empty kwargs', [], {}, [8]],
    ['args only', [1, 2], undefined, [8, [1, 2]]],
    ['kwargs only: args becomes []', undefined, { a: 1 }, [8, [], { a: 1 }]],
    ['both', [1], { a: 1 }, [8, [1], { a: 1 }]],
  ])('%s', (_name, args, kwargs, expected) => {
    expect(appendPayload([8], args, kwargs)).toEqual(expected);
  });

  it('counts only own keys as kwargs content', () => {
    const inherited = Object.create({ a: 1 }) as Record<string, unknown>;
    expect(appendPayload([8], ['x'], inherited)).toEqual([8, ['x']]);
  });
});

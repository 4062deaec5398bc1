import { decodeMessage, WampMessageType } from '../../../lib/core/index.js';
import { uriLimitProblem } from '../../../lib/core/protocol/wamp-uri.js';
import { decodeError, LOOSE, STRICT } from './decode-assertions.js';

const HELLO_DETAILS = { roles: { caller: {} } };
const LIMITS = { ...STRICT, maxUriLength: 20, maxUriComponents: 4 };

describe('URI limits (maxUriLength, maxUriComponents)', () => {
  it('uriLimitProblem names the limit broken, and stops counting at the limit', () => {
    expect(uriLimitProblem('a.b.c.d', LIMITS)).toBeUndefined();
    expect(uriLimitProblem('a.b.c.d.e', LIMITS)).toBe('has more than 4 components');
    expect(uriLimitProblem('a'.repeat(21), LIMITS)).toBe('is 21 characters long, over the limit of 20');
    // Empty components count: a pattern of dots is as many components as it has dots, plus one.
    expect(uriLimitProblem('...', LIMITS)).toBeUndefined();
    expect(uriLimitProblem('....', LIMITS)).toBe('has more than 4 components');
  });

  it.each<[string, unknown[], WampMessageType, string]>([
    [
      'SUBSCRIBE (wildcard)',
      [32, 7, { match: 'wildcard' }, 'a....b'],
      WampMessageType.SUBSCRIBE,
      'SUBSCRIBE.Topic',
    ],
    [
      'SUBSCRIBE (prefix)',
      [32, 7, { match: 'prefix' }, 'a'.repeat(21)],
      WampMessageType.SUBSCRIBE,
      'SUBSCRIBE.Topic',
    ],
    ['PUBLISH', [16, 7, {}, 'a.b.c.d.e'], WampMessageType.PUBLISH, 'PUBLISH.Topic'],
    ['CALL', [48, 7, {}, 'a'.repeat(21)], WampMessageType.CALL, 'CALL.Procedure'],
    ['REGISTER', [64, 7, { match: 'wildcard' }, '.....'], WampMessageType.REGISTER, 'REGISTER.Procedure'],
  ])('%s beyond a limit is wamp.error.invalid_uri for that request', (_name, raw, requestType, path) => {
    const error = decodeError(raw, LIMITS);
    expect(error.uri).toBe('wamp.error.invalid_uri');
    expect(error.requestType).toBe(requestType);
    expect(error.request).toBe(7);
    expect(error.message.startsWith(`${path} `)).toBe(true);
  });

  it.each<[string, unknown[], string]>([
    [
      'HELLO.Realm',
      [1, 'a'.repeat(21), HELLO_DETAILS],
      'HELLO.Realm is 21 characters long, over the limit of 20',
    ],
    ['ABORT.Reason', [3, {}, 'a.b.c.d.e'], 'ABORT.Reason has more than 4 components'],
    ['GOODBYE.Reason', [6, {}, 'a.b.c.d.e'], 'GOODBYE.Reason has more than 4 components'],
    [
      'ERROR.Error',
      [8, 68, 1, {}, 'a'.repeat(30)],
      'ERROR.Error is 30 characters long, over the limit of 20',
    ],
  ])('%s beyond a limit is a protocol violation (no request to answer)', (_name, raw, start) => {
    const error = decodeError(raw, LIMITS);
    expect(error.uri).toBe('wamp.error.protocol_violation');
    expect(error.message.startsWith(start)).toBe(true);
  });

  it('URIs at the limits pass, with loose and strict rules', () => {
    expect(decodeMessage([32, 1, { match: 'wildcard' }, 'a...'], LIMITS)).toMatchObject({ topic: 'a...' });
    expect(decodeMessage([48, 1, {}, 'a'.repeat(20)], LIMITS)).toMatchObject({ procedure: 'a'.repeat(20) });
    expect(
      decodeMessage([1, 'R.e.a.l', HELLO_DETAILS], { ...LOOSE, maxUriLength: 20, maxUriComponents: 4 }),
    ).toMatchObject({
      realm: 'R.e.a.l',
    });
  });

  it('a million-dot pattern (red-team attack 1) is refused by its length, before anything reads it', () => {
    const pattern = 'p.' + '.'.repeat(1_000_000);
    // The length check answers, not the URI rules or a split of the megabyte: its message says so. (Not timed:
    // a wall-clock bound in a unit test fails on a loaded machine; the hardening suite measures the attack.)
    const error = decodeError([32, 1, { match: 'wildcard' }, pattern], STRICT);
    expect(error.uri).toBe('wamp.error.invalid_uri');
    expect(error.message).toContain(`is ${pattern.length} characters long, over the limit of`);
  });
});

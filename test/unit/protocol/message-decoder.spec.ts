import { decodeMessage, WampMessageType, WampProtocolError } from '../../../lib/core/index.js';
import { DEFAULT_DECODER_OPTIONS } from '../../../lib/core/protocol/message-decoder.js';
import { decodeError, expectViolation, LOOSE, nestedDict, nestedList, STRICT } from './decode-assertions.js';

const HELLO_DETAILS = { roles: { caller: {} } };

describe('decodeMessage: envelope', () => {
  it.each([
    ['a string', 'x', 'Message must be a non-empty array, got "x"'],
    ['a dict', {}, 'Message must be a non-empty array, got a dict'],
    ['null', null, 'Message must be a non-empty array, got null'],
    ['undefined', undefined, 'Message must be a non-empty array, got nothing'],
    ['a number', 48, 'Message must be a non-empty array, got 48'],
    ['binary', Buffer.from([1, 2]), 'Message must be a non-empty array, got binary data'],
    ['an empty array', [], 'Message must be a non-empty array, got an empty list'],
  ])('rejects %s', (_name, raw, message) => {
    expectViolation(raw, message);
  });

  it.each([
    [0, 'Unknown message type 0'],
    [7, 'Unknown message type 7'],
    [99, 'Unknown message type 99'],
    [337, 'Unknown message type 337'],
    [-1, 'Unknown message type -1'],
    [71, 'Unknown message type 71'],
    ['1', 'Message type must be an integer, got "1"'],
    [1.5, 'Message type must be an integer, got 1.5'],
    [null, 'Message type must be an integer, got null'],
    [Number.NaN, 'Message type must be an integer, got NaN'],
    [[1], 'Message type must be an integer, got a list'],
  ])('rejects message type %p', (type, message) => {
    expectViolation([type, 1, 2, 3], message);
  });

  it('uses the default options when none are given', () => {
    expect(DEFAULT_DECODER_OPTIONS).toEqual({
      strictUris: true,
      maxDepth: 32,
      maxUriLength: 1024,
      maxUriComponents: 64,
    });
    expect(decodeMessage([33, 1, 2])).toEqual({
      type: WampMessageType.SUBSCRIBED,
      request: 1,
      subscription: 2,
    });
    expect(() => decodeMessage([48, 1, {}, 'com.Example'])).toThrow('strict rules');
  });
});

describe('decodeMessage: element count', () => {
  it.each([
    [[1, 'realm1'], 'HELLO must have 3 elements, got 2'],
    [[1, 'realm1', HELLO_DETAILS, {}], 'HELLO must have 3 elements, got 4'],
    [[2, 1], 'WELCOME must have 3 elements, got 2'],
    [[3, {}], 'ABORT must have 3 to 5 elements, got 2'],
    [[3, {}, 'wamp.close.x', [], {}, 1], 'ABORT must have 3 to 5 elements, got 6'],
    [[6, {}, 'wamp.close.normal', []], 'GOODBYE must have 3 elements, got 4'],
    [[8, 48, 1, {}], 'ERROR must have 5 to 7 elements, got 4'],
    [[8, 48, 1, {}, 'a.b', [], {}, 1], 'ERROR must have 5 to 7 elements, got 8'],
    [[16, 1, {}], 'PUBLISH must have 4 to 6 elements, got 3'],
    [[32, 1, {}, 'a.b', []], 'SUBSCRIBE must have 4 elements, got 5'],
    [[34, 1], 'UNSUBSCRIBE must have 3 to 4 elements, got 2'],
    [[35], 'UNSUBSCRIBED must have 2 to 3 elements, got 1'],
    [[35, 1, {}, 1], 'UNSUBSCRIBED must have 2 to 3 elements, got 4'],
    [[36, 1, 2], 'EVENT must have 4 to 6 elements, got 3'],
    [[48, 1, {}], 'CALL must have 4 to 6 elements, got 3'],
    [[48, 1, {}, 'a.b', [], {}, 1], 'CALL must have 4 to 6 elements, got 7'],
    [[49, 1], 'CANCEL must have 3 elements, got 2'],
    [[50, 1], 'RESULT must have 3 to 5 elements, got 2'],
    [[64, 1, {}, 'a.b', []], 'REGISTER must have 4 elements, got 5'],
    [[65, 1, 2, 3], 'REGISTERED must have 3 elements, got 4'],
    [[68, 1, 2], 'INVOCATION must have 4 to 6 elements, got 3'],
    [[69, 1], 'INTERRUPT must have 3 elements, got 2'],
    [[70, 1], 'YIELD must have 3 to 5 elements, got 2'],
    [[70, 1, {}, [], {}, 1], 'YIELD must have 3 to 5 elements, got 6'],
  ])('rejects %j', (raw, message) => {
    expectViolation(raw, message);
  });
});

describe('decodeMessage: IDs', () => {
  it.each([
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    [2 ** 53 + 2, '9007199254740994'],
    ['1', '"1"'],
    [null, 'null'],
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [true, 'true'],
    [[1], 'a list'],
    [2n ** 53n + 1n, '9007199254740993n'],
  ])('rejects request id %p', (id, shown) => {
    expectViolation([48, id, {}, 'com.myapp.add'], `CALL.Request must be an ID in [1, 2^53], got ${shown}`);
  });

  it('accepts 2^53', () => {
    expect(decodeMessage([48, 2 ** 53, {}, 'com.myapp.add'], STRICT)).toMatchObject({ request: 2 ** 53 });
  });

  it('accepts bigint IDs in range and hands them out as numbers', () => {
    expect(decodeMessage([36, 2n ** 53n, 5n, {}], STRICT)).toEqual({
      type: WampMessageType.EVENT,
      subscription: 2 ** 53,
      publication: 5,
      details: {},
    });
  });

  it.each([
    [[2, 0, { roles: { broker: {} } }], 'WELCOME.Session must be an ID in [1, 2^53], got 0'],
    [[8, 48, 0, {}, 'a.b'], 'ERROR.Request must be an ID in [1, 2^53], got 0'],
    [[17, 1, -5], 'PUBLISHED.Publication must be an ID in [1, 2^53], got -5'],
    [[33, 1, '2'], 'SUBSCRIBED.Subscription must be an ID in [1, 2^53], got "2"'],
    [[34, 1, 0], 'UNSUBSCRIBE.Subscription must be an ID in [1, 2^53], got 0'],
    [[36, 0, 1, {}], 'EVENT.Subscription must be an ID in [1, 2^53], got 0'],
    [[36, 1, 0.5, {}], 'EVENT.Publication must be an ID in [1, 2^53], got 0.5'],
    [[49, null, {}], 'CANCEL.Request must be an ID in [1, 2^53], got null'],
    [[65, 1, 0], 'REGISTERED.Registration must be an ID in [1, 2^53], got 0'],
    [[66, 1, -1], 'UNREGISTER.Registration must be an ID in [1, 2^53], got -1'],
    [[68, 1, 0, {}], 'INVOCATION.Registration must be an ID in [1, 2^53], got 0'],
    [[69, 0, {}], 'INTERRUPT.Request must be an ID in [1, 2^53], got 0'],
    [[70, 0, {}], 'YIELD.Request must be an ID in [1, 2^53], got 0'],
  ])('rejects %j', (raw, message) => {
    expectViolation(raw, message);
  });

  it('accepts Request 0 in UNSUBSCRIBED/UNREGISTERED only with Details (revocation)', () => {
    expect(decodeMessage([35, 0, { subscription: 3 }], STRICT)).toMatchObject({ request: 0 });
    expect(decodeMessage([67, 0, {}], STRICT)).toMatchObject({ request: 0 });
    expectViolation([35, 0], 'UNSUBSCRIBED.Request must be an ID in [1, 2^53], got 0');
    expectViolation([67, 0], 'UNREGISTERED.Request must be an ID in [1, 2^53], got 0');
    expectViolation([67, -1, {}], 'UNREGISTERED.Request must be an ID in [1, 2^53] or 0, got -1');
  });
});

describe('decodeMessage: element types', () => {
  it.each([
    ['a list', [], 'an empty list'],
    ['null', null, 'null'],
    ['a string', 'x', '"x"'],
    ['binary', Buffer.from('{}'), 'binary data'],
    ['a Map', new Map(), 'an object'],
    ['a Date', new Date(0), 'an object'],
    ['an object with another prototype', Object.create({ timeout: 'x' }) as object, 'an object'],
  ])('rejects %s as a dict', (_name, value, shown) => {
    expectViolation([48, 1, value, 'com.myapp.add'], `CALL.Options must be a dict, got ${shown}`);
  });

  it('accepts a prototype-less dict', () => {
    const options = Object.create(null) as Record<string, unknown>;
    options.receive_progress = true;
    expect(decodeMessage([48, 1, options, 'com.myapp.add'], STRICT)).toMatchObject({ options });
  });

  it.each([
    [[1, 5, HELLO_DETAILS], 'HELLO.Realm must be a string, got 5'],
    [[1, 'realm1', []], 'HELLO.Details must be a dict, got an empty list'],
    [[2, 1, null], 'WELCOME.Details must be a dict, got null'],
    [[3, [], 'wamp.close.x'], 'ABORT.Details must be a dict, got an empty list'],
    [[3, {}, null], 'ABORT.Reason must be a string, got null'],
    [[3, {}, 'wamp.close.x', {}], 'ABORT.Arguments must be a list, got a dict'],
    [[4, 1, {}], 'CHALLENGE.AuthMethod must be a string, got 1'],
    [[4, 'ticket', 'x'], 'CHALLENGE.Extra must be a dict, got "x"'],
    [[5, null, {}], 'AUTHENTICATE.Signature must be a string, got null'],
    [[5, 'sig', []], 'AUTHENTICATE.Extra must be a dict, got an empty list'],
    [[6, 'x', 'wamp.close.normal'], 'GOODBYE.Details must be a dict, got "x"'],
    [[6, {}, 5], 'GOODBYE.Reason must be a string, got 5'],
    [[8, 48, 1, [], 'a.b'], 'ERROR.Details must be a dict, got an empty list'],
    [[8, 48, 1, {}, 1], 'ERROR.Error must be a string, got 1'],
    [[8, 48, 1, {}, 'a.b', 'x'], 'ERROR.Arguments must be a list, got "x"'],
    [[8, 48, 1, {}, 'a.b', [], []], 'ERROR.ArgumentsKw must be a dict, got an empty list'],
    [[16, 1, {}, ['a']], 'PUBLISH.Topic must be a string, got a list'],
    [[16, 1, {}, 'a.b', 'payload'], 'PUBLISH.Arguments must be a list, got "payload"'],
    [[16, 1, {}, 'a.b', [], null], 'PUBLISH.ArgumentsKw must be a dict, got null'],
    [[32, 1, null, 'a.b'], 'SUBSCRIBE.Options must be a dict, got null'],
    [[32, 1, {}, 7], 'SUBSCRIBE.Topic must be a string, got 7'],
    [[34, 1, 2, []], 'UNSUBSCRIBE.Options must be a dict, got an empty list'],
    [[35, 1, []], 'UNSUBSCRIBED.Details must be a dict, got an empty list'],
    [[36, 1, 2, {}, {}], 'EVENT.Arguments must be a list, got a dict'],
    [[36, 1, 2, {}, [], [1]], 'EVENT.ArgumentsKw must be a dict, got a list'],
    [[48, 1, {}, 5], 'CALL.Procedure must be a string, got 5'],
    [[48, 1, {}, 'a.b', null], 'CALL.Arguments must be a list, got null'],
    [[48, 1, {}, 'a.b', [], 'kw'], 'CALL.ArgumentsKw must be a dict, got "kw"'],
    [[49, 1, []], 'CANCEL.Options must be a dict, got an empty list'],
    [[50, 1, {}, 1], 'RESULT.Arguments must be a list, got 1'],
    [[50, 1, {}, [], new Map()], 'RESULT.ArgumentsKw must be a dict, got an object'],
    [[64, 1, {}, null], 'REGISTER.Procedure must be a string, got null'],
    [[66, 1, 2, 'x'], 'UNREGISTER.Options must be a dict, got "x"'],
    [[67, 1, 'x'], 'UNREGISTERED.Details must be a dict, got "x"'],
    [[68, 1, 2, null], 'INVOCATION.Details must be a dict, got null'],
    [[69, 1, true], 'INTERRUPT.Options must be a dict, got true'],
    [[70, 1, {}, Buffer.from([1])], 'YIELD.Arguments must be a list, got binary data'],
  ])('rejects %j', (raw, message) => {
    expectViolation(raw, message);
  });

  it('bounds the length of strings quoted in messages', () => {
    const error = decodeError([48, 1, {}, 'a.b', 'x'.repeat(10_000)]);
    expect(error.message).toBe(`CALL.Arguments must be a list, got "${'x'.repeat(40)}"...`);
  });

  it.each([16, 32, 34, 48, 64, 66, 68])('accepts ERROR.RequestType %d', (requestType) => {
    expect(decodeMessage([8, requestType, 1, {}, 'wamp.error.x'], STRICT)).toMatchObject({ requestType });
  });

  it.each([
    [49, '49'],
    [8, '8'],
    [1, '1'],
    [0, '0'],
    ['48', '"48"'],
    [48.5, '48.5'],
    [null, 'null'],
  ])('rejects ERROR.RequestType %p', (requestType, shown) => {
    expectViolation(
      [8, requestType, 1, {}, 'wamp.error.x'],
      `ERROR.RequestType must be one of 16, 32, 34, 48, 64, 66, 68 (a request answered by ERROR), got ${shown}`,
    );
  });

  it('accepts and keeps binary values in the payload without walking them', () => {
    const binary = Buffer.alloc(1 << 24);
    const small = new Uint8Array(3);
    const decoded = decodeMessage([48, 1, {}, 'a.b', [binary, small], { blob: binary }], STRICT) as {
      args: readonly unknown[];
      kwargs: Readonly<Record<string, unknown>>;
    };
    // The same objects come out (not copies), which is what "not walked" means here; not timed.
    expect(decoded.args[0]).toBe(binary);
    expect(decoded.args[1]).toBe(small);
    expect(decoded.kwargs.blob).toBe(binary);
  });

  it('accepts an Options dict appended to UNSUBSCRIBE/UNREGISTER without keeping it', () => {
    expect(decodeMessage([34, 1, 2, { forward_for: [] }], STRICT)).toEqual({
      type: WampMessageType.UNSUBSCRIBE,
      request: 1,
      subscription: 2,
    });
    expect(decodeMessage([66, 1, 2, {}], STRICT)).toEqual({
      type: WampMessageType.UNREGISTER,
      request: 1,
      registration: 2,
    });
  });
});

describe('decodeMessage: HELLO and WELCOME details', () => {
  it.each([
    [{}, 'HELLO.Details.roles is required: a client must announce its roles'],
    [{ roles: [] }, 'HELLO.Details.roles must be a non-empty dict of role dicts, got an empty list'],
    [{ roles: {} }, 'HELLO.Details.roles must be a non-empty dict of role dicts, got a dict'],
    [{ roles: 'caller' }, 'HELLO.Details.roles must be a non-empty dict of role dicts, got "caller"'],
    [{ roles: { caller: true } }, 'HELLO.Details.roles.caller must be a dict, got true'],
    [{ roles: { caller: {}, callee: [] } }, 'HELLO.Details.roles.callee must be a dict, got an empty list'],
    [
      { roles: { caller: { features: [] } } },
      'HELLO.Details.roles.caller.features must be a dict, got an empty list',
    ],
    [{ roles: { caller: {} }, agent: 5 }, 'HELLO.Details.agent must be a string, got 5'],
    [{ roles: { caller: {} }, authid: null }, 'HELLO.Details.authid must be a string, got null'],
    [{ roles: { caller: {} }, authrole: [] }, 'HELLO.Details.authrole must be a string, got an empty list'],
    [
      { roles: { caller: {} }, authmethods: 'ticket' },
      'HELLO.Details.authmethods must be a list of strings, got "ticket"',
    ],
    [
      { roles: { caller: {} }, authmethods: ['ticket', 1] },
      'HELLO.Details.authmethods[1] must be a string, got 1',
    ],
    [{ roles: { caller: {} }, authextra: 'x' }, 'HELLO.Details.authextra must be a dict, got "x"'],
  ])('rejects HELLO.Details %j', (details, message) => {
    expectViolation([1, 'realm1', details], message);
  });

  it('does not take roles from the prototype', () => {
    const details = JSON.parse('{"__proto__": {"roles": {"caller": {}}}}') as object;
    expectViolation(
      [1, 'realm1', details],
      'HELLO.Details.roles is required: a client must announce its roles',
    );
  });

  it('keeps unknown HELLO details and unknown roles', () => {
    const details = { roles: { caller: {}, gremlin: { features: { x: 1 } } }, resumable: 'maybe', x: [1] };
    expect(decodeMessage([1, 'realm1', details], STRICT)).toEqual({
      type: WampMessageType.HELLO,
      realm: 'realm1',
      details,
    });
  });

  it.each([
    [{}, 'WELCOME.Details.roles is required: a router must announce its roles'],
    [{ roles: { broker: 1 } }, 'WELCOME.Details.roles.broker must be a dict, got 1'],
    [{ roles: { broker: {} }, authmethod: 1 }, 'WELCOME.Details.authmethod must be a string, got 1'],
    [{ roles: { broker: {} }, authprovider: 1 }, 'WELCOME.Details.authprovider must be a string, got 1'],
  ])('rejects WELCOME.Details %j', (details, message) => {
    expectViolation([2, 1, details], message);
  });
});

describe('decodeMessage: URIs', () => {
  // [uri, valid under strict rules, valid under loose rules]
  const uriCases: [string, boolean, boolean][] = [
    ['com.myapp.add', true, true],
    ['com.Example', false, true],
    ['com.example-x', false, true],
    ['a..b', false, false],
    ['a.b.', false, false],
    ['.a', false, false],
    ['a b', false, false],
    ['a#b', false, false],
    ['', false, false],
  ];

  const requests: [string, number, (uri: string) => unknown[]][] = [
    ['PUBLISH.Topic', WampMessageType.PUBLISH, (uri) => [16, 21, {}, uri, [1]]],
    ['SUBSCRIBE.Topic', WampMessageType.SUBSCRIBE, (uri) => [32, 21, {}, uri]],
    ['CALL.Procedure', WampMessageType.CALL, (uri) => [48, 21, {}, uri, [], { a: 1 }]],
    ['REGISTER.Procedure', WampMessageType.REGISTER, (uri) => [64, 21, {}, uri]],
  ];

  for (const [path, requestType, build] of requests) {
    describe(path, () => {
      it.each(uriCases)('%j: strict %s, loose %s', (uri, strict, loose) => {
        for (const [options, valid, rules] of [
          [STRICT, strict, 'strict'],
          [LOOSE, loose, 'loose'],
        ] as const) {
          if (valid) {
            expect(() => decodeMessage(build(uri), options)).not.toThrow();
            continue;
          }
          const error = decodeError(build(uri), options);
          expect(error.message).toBe(
            `${path} must be a valid URI (${rules} rules), got ${JSON.stringify(uri)}`,
          );
          expect(error.uri).toBe('wamp.error.invalid_uri');
          expect(error.requestType).toBe(requestType);
          expect(error.request).toBe(21);
        }
      });
    });
  }

  it('validates the request id before the URI', () => {
    expectViolation([48, -1, {}, 'not a uri'], 'CALL.Request must be an ID in [1, 2^53], got -1');
  });

  it('reports a malformed message rather than its bad URI', () => {
    expectViolation(
      [48, 3, { timeout: 'x' }, 'not a uri'],
      'CALL.Options.timeout must be a non-negative integer, got "x"',
    );
    expectViolation([48, 3, {}, 'not a uri', 'x'], 'CALL.Arguments must be a list, got "x"');
    expectViolation([16, 3, {}, 'not a uri', nestedList(40)], 'Message nesting exceeds 32 levels');
  });

  it('does not judge the reserved wamp. namespace (the router does)', () => {
    expect(() => decodeMessage([48, 1, {}, 'wamp.session.count'], STRICT)).not.toThrow();
    expect(() => decodeMessage([64, 1, {}, 'wamp.session.count'], STRICT)).not.toThrow();
  });

  describe('pattern-based SUBSCRIBE/REGISTER', () => {
    // [uri, match, valid]
    const cases: [string, string | undefined, boolean][] = [
      ['com..topic', undefined, false],
      ['com..topic', 'exact', false],
      ['com..topic', 'prefix', false],
      ['com..topic', 'wildcard', true],
      ['..', 'wildcard', true],
      ['com.myapp.', undefined, false],
      ['com.myapp.', 'exact', false],
      ['com.myapp.', 'prefix', true],
      ['com.myapp.', 'wildcard', true],
      ['com.myapp', 'prefix', true],
      ['com.my app', 'wildcard', false],
      ['com.My.', 'prefix', false],
    ];

    it.each(cases)('%j with match %p: valid %s', (uri, match, valid) => {
      const options = match === undefined ? {} : { match };
      for (const [raw, path, requestType] of [
        [[32, 5, options, uri], 'SUBSCRIBE.Topic', WampMessageType.SUBSCRIBE],
        [[64, 5, options, uri], 'REGISTER.Procedure', WampMessageType.REGISTER],
      ] as const) {
        if (valid) {
          expect(() => decodeMessage(raw, STRICT)).not.toThrow();
          continue;
        }
        const error = decodeError(raw, STRICT);
        const policy = match === undefined || match === 'exact' ? '' : ` for match "${match}"`;
        expect(error.message).toBe(
          `${path} must be a valid URI${policy} (strict rules), got ${JSON.stringify(uri)}`,
        );
        expect(error).toMatchObject({ uri: 'wamp.error.invalid_uri', requestType, request: 5 });
      }
    });

    it('applies loose rules to patterns when strictUris is off', () => {
      expect(() => decodeMessage([32, 5, { match: 'prefix' }, 'com.My.'], LOOSE)).not.toThrow();
      expect(() => decodeMessage([64, 5, { match: 'wildcard' }, 'com..My'], LOOSE)).not.toThrow();
    });
  });

  describe('HELLO.Realm', () => {
    it('accepts loose realm URIs even with strict URIs on', () => {
      expect(decodeMessage([1, 'Realm-1', HELLO_DETAILS], STRICT)).toMatchObject({ realm: 'Realm-1' });
    });

    it.each(['my realm', 'a..b', '', 'realm#1'])(
      'rejects %j as invalid_uri for HELLO, without request',
      (realm) => {
        const error = decodeError([1, realm, HELLO_DETAILS]);
        expect(error.message).toBe(`HELLO.Realm must be a valid URI, got ${JSON.stringify(realm)}`);
        expect(error.uri).toBe('wamp.error.invalid_uri');
        expect(error.requestType).toBe(WampMessageType.HELLO);
        expect(error.request).toBeUndefined();
      },
    );
  });

  describe('reasons and error URIs (loose rules, protocol violation)', () => {
    it('accepts mixed-case and spec URIs with strict URIs on', () => {
      expect(() => decodeMessage([8, 68, 1, {}, 'com.myapp.Error'], STRICT)).not.toThrow();
      expect(() => decodeMessage([6, {}, 'wamp.close.normal'], STRICT)).not.toThrow();
      expect(() => decodeMessage([3, {}, 'wamp.error.Custom-Reason'], STRICT)).not.toThrow();
    });

    it.each([
      [[8, 68, 1, {}, 'bad uri'], 'ERROR.Error must be a valid URI, got "bad uri"'],
      [[6, {}, ''], 'GOODBYE.Reason must be a valid URI, got ""'],
      [[3, {}, 'a..b'], 'ABORT.Reason must be a valid URI, got "a..b"'],
    ])('rejects %j', (raw, message) => {
      expectViolation(raw, message);
    });
  });
});

describe('decodeMessage: known option and detail keys', () => {
  const NOT_SUPPORTED = 'is not supported: this router does not offer payload_passthru_mode';

  // [message, expected error]
  const cases: [unknown[], string][] = [
    [[48, 1, { receive_progress: 'x' }, 'a.b'], 'CALL.Options.receive_progress must be a boolean, got "x"'],
    [[48, 1, { progress: 1 }, 'a.b'], 'CALL.Options.progress must be a boolean, got 1'],
    [[48, 1, { timeout: -1 }, 'a.b'], 'CALL.Options.timeout must be a non-negative integer, got -1'],
    [[48, 1, { timeout: 1.5 }, 'a.b'], 'CALL.Options.timeout must be a non-negative integer, got 1.5'],
    [[48, 1, { timeout: '100' }, 'a.b'], 'CALL.Options.timeout must be a non-negative integer, got "100"'],
    [[48, 1, { disclose_me: 'true' }, 'a.b'], 'CALL.Options.disclose_me must be a boolean, got "true"'],
    [[48, 1, { ppt_scheme: 'wamp' }, 'a.b'], `CALL.Options.ppt_scheme ${NOT_SUPPORTED}`],
    [
      [49, 1, { mode: 'abort' }],
      'CANCEL.Options.mode must be one of "skip", "kill", "killnowait", got "abort"',
    ],
    [[49, 1, { mode: 1 }], 'CANCEL.Options.mode must be one of "skip", "kill", "killnowait", got 1'],
    [[16, 1, { acknowledge: 'yes' }, 'a.b'], 'PUBLISH.Options.acknowledge must be a boolean, got "yes"'],
    [[16, 1, { exclude_me: 0 }, 'a.b'], 'PUBLISH.Options.exclude_me must be a boolean, got 0'],
    [[16, 1, { disclose_me: null }, 'a.b'], 'PUBLISH.Options.disclose_me must be a boolean, got null'],
    [[16, 1, { retain: 'no' }, 'a.b'], 'PUBLISH.Options.retain must be a boolean, got "no"'],
    [[16, 1, { exclude: 5 }, 'a.b'], 'PUBLISH.Options.exclude must be a list of IDs, got 5'],
    [[16, 1, { exclude: [1, 0] }, 'a.b'], 'PUBLISH.Options.exclude[1] must be an ID in [1, 2^53], got 0'],
    [[16, 1, { eligible: {} }, 'a.b'], 'PUBLISH.Options.eligible must be a list of IDs, got a dict'],
    [[16, 1, { eligible: ['1'] }, 'a.b'], 'PUBLISH.Options.eligible[0] must be an ID in [1, 2^53], got "1"'],
    [
      [16, 1, { exclude_authid: 'joe' }, 'a.b'],
      'PUBLISH.Options.exclude_authid must be a list of strings, got "joe"',
    ],
    [[16, 1, { eligible_authid: [1] }, 'a.b'], 'PUBLISH.Options.eligible_authid[0] must be a string, got 1'],
    [
      [16, 1, { exclude_authrole: [null] }, 'a.b'],
      'PUBLISH.Options.exclude_authrole[0] must be a string, got null',
    ],
    [
      [16, 1, { eligible_authrole: true }, 'a.b'],
      'PUBLISH.Options.eligible_authrole must be a list of strings, got true',
    ],
    [[16, 1, { transaction_hash: 1 }, 'a.b'], 'PUBLISH.Options.transaction_hash must be a string, got 1'],
    [
      [16, 1, { forward_for: [{ session: 1, authid: 'a' }] }, 'a.b'],
      'PUBLISH.Options.forward_for[0] must be a dict with session (ID), authid and authrole (strings), got a dict',
    ],
    [[16, 1, { enc_algo: 'cryptobox' }, 'a.b'], `PUBLISH.Options.enc_algo ${NOT_SUPPORTED}`],
    [
      [32, 1, { match: 'regex' }, 'a.b'],
      'SUBSCRIBE.Options.match must be one of "exact", "prefix", "wildcard", got "regex"',
    ],
    [[32, 1, { get_retained: 'yes' }, 'a.b'], 'SUBSCRIBE.Options.get_retained must be a boolean, got "yes"'],
    [
      [64, 1, { match: true }, 'a.b'],
      'REGISTER.Options.match must be one of "exact", "prefix", "wildcard", got true',
    ],
    [
      [64, 1, { invoke: 'all' }, 'a.b'],
      'REGISTER.Options.invoke must be one of "single", "roundrobin", "random", "first", "last", got "all"',
    ],
    [[64, 1, { disclose_caller: 1 }, 'a.b'], 'REGISTER.Options.disclose_caller must be a boolean, got 1'],
    [[70, 1, { progress: 'x' }], 'YIELD.Options.progress must be a boolean, got "x"'],
    [[70, 1, { enc_algo: 'cryptobox' }, 'payload'], `YIELD.Options.enc_algo ${NOT_SUPPORTED}`],
    [[50, 1, { progress: 1 }], 'RESULT.Details.progress must be a boolean, got 1'],
    [[68, 1, 2, { caller: 'joe' }], 'INVOCATION.Details.caller must be an ID in [1, 2^53], got "joe"'],
    [[68, 1, 2, { timeout: -5 }], 'INVOCATION.Details.timeout must be a non-negative integer, got -5'],
    [[69, 1, { mode: 'skip' }], 'INTERRUPT.Options.mode must be one of "kill", "killnowait", got "skip"'],
    [[36, 1, 2, { publisher: 0 }], 'EVENT.Details.publisher must be an ID in [1, 2^53], got 0'],
    [[35, 0, { subscription: 'x' }], 'UNSUBSCRIBED.Details.subscription must be an ID in [1, 2^53], got "x"'],
    [[67, 0, { reason: 5 }], 'UNREGISTERED.Details.reason must be a string, got 5'],
    [[8, 68, 1, { ppt_scheme: 'x' }, 'a.b'], `ERROR.Details.ppt_scheme ${NOT_SUPPORTED}`],
  ];

  it.each(cases)('rejects %j', (raw, message) => {
    expectViolation(raw, message);
  });

  it('accepts valid values of known keys', () => {
    const valid: unknown[][] = [
      [48, 1, { receive_progress: false, progress: true, timeout: 0, disclose_me: true }, 'a.b'],
      [49, 1, { mode: 'skip' }],
      [49, 1, { mode: 'killnowait' }],
      [
        16,
        1,
        {
          acknowledge: true,
          exclude_me: false,
          disclose_me: true,
          retain: true,
          exclude: [],
          eligible: [1, 2 ** 53],
          exclude_authid: ['a'],
          eligible_authid: [],
          exclude_authrole: ['r'],
          eligible_authrole: ['s'],
          forward_for: [{ session: 1, authid: 'a', authrole: 'r' }],
        },
        'a.b',
      ],
      [32, 1, { match: 'exact', get_retained: false }, 'a.b'],
      [64, 1, { match: 'wildcard', invoke: 'last', disclose_caller: false }, 'a..b'],
      [70, 1, { progress: true }],
    ];
    for (const raw of valid) expect(() => decodeMessage(raw, STRICT)).not.toThrow();
  });

  it('keeps unknown keys as data without interpreting them', () => {
    const options = { x_custom: 'whatever', receive_progres: 'typo', nested: { timeout: 'x' }, timeout: 5 };
    const decoded = decodeMessage([48, 1, options, 'a.b'], STRICT);
    expect(decoded).toMatchObject({ options });
    expect((decoded as { options: unknown }).options).toBe(options);
  });

  it('hands out bigint IDs in ID lists and ID keys as numbers', () => {
    const options = { exclude: [1n, 2n ** 53n] };
    decodeMessage([16, 1, options, 'a.b'], STRICT);
    expect(options.exclude).toEqual([1, 2 ** 53]);
    const details = { publisher: 7n };
    decodeMessage([36, 1, 2, details], STRICT);
    expect(details.publisher).toBe(7);
  });
});

describe('decodeMessage: __proto__ and inherited keys', () => {
  it('treats an own __proto__ key from JSON.parse as plain data', () => {
    const raw = JSON.parse('[48,1,{"__proto__":{"receive_progress":"x"}},"a.b"]') as unknown[];
    const decoded = decodeMessage(raw, STRICT) as { options: Record<string, unknown> };
    expect(Object.hasOwn(decoded.options, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(decoded.options)).toBe(Object.prototype);
    expect(decoded.options.receive_progress).toBeUndefined();
    expect(({} as Record<string, unknown>).receive_progress).toBeUndefined();
  });

  it('treats constructor, toString and hasOwnProperty keys as plain data', () => {
    const raw = JSON.parse(
      '[36,1,2,{"constructor":"x","toString":5,"hasOwnProperty":1,"__proto__":[]},[],' +
        '{"__proto__":{"a":1},"constructor":{"prototype":{"polluted":true}}}]',
    ) as unknown[];
    const decoded = decodeMessage(raw, STRICT) as {
      details: Record<string, unknown>;
      kwargs: Record<string, unknown>;
    };
    expect(decoded.details.toString).toBe(5);
    expect(Object.hasOwn(decoded.kwargs, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('refuses a dict whose prototype was replaced, so nothing can be inherited from it', () => {
    const options = Object.setPrototypeOf({}, { receive_progress: 'x' }) as object;
    expectViolation([48, 1, options, 'a.b'], 'CALL.Options must be a dict, got an object');
    const kwargs = Object.setPrototypeOf({ a: 1 }, null) as object;
    expect(() => decodeMessage([48, 1, {}, 'a.b', [], kwargs], STRICT)).not.toThrow();
  });

  it('ignores enumerable keys inherited from a polluted Object.prototype', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    Object.defineProperty(prototype, 'receive_progress', {
      value: 'x',
      enumerable: true,
      configurable: true,
    });
    Object.defineProperty(prototype, 'deep', {
      value: nestedList(100),
      enumerable: true,
      configurable: true,
    });
    try {
      expect(() => decodeMessage([48, 1, {}, 'a.b', [], { a: 1 }], STRICT)).not.toThrow();
    } finally {
      delete prototype.receive_progress;
      delete prototype.deep;
    }
  });
});

describe('decodeMessage: nesting depth', () => {
  it('rejects a 1,000-deep list in Arguments', () => {
    expectViolation([48, 1, {}, 'a.b', nestedList(1000)], 'Message nesting exceeds 32 levels');
  });

  it('rejects deep nesting in ArgumentsKw, Details and Options', () => {
    expectViolation([48, 1, {}, 'a.b', [], { a: nestedDict(1000) }], 'Message nesting exceeds 32 levels');
    expectViolation([36, 1, 2, nestedDict(1000)], 'Message nesting exceeds 32 levels');
    expectViolation([48, 1, { x: nestedList(1000) }, 'a.b'], 'Message nesting exceeds 32 levels');
    expectViolation(
      [1, 'realm1', { roles: { caller: nestedDict(100) } }],
      'Message nesting exceeds 32 levels',
    );
  });

  it('rejects deep nesting hidden in Maps and Sets', () => {
    expectViolation(
      [48, 1, {}, 'a.b', [new Map([['k', nestedList(100)]])]],
      'Message nesting exceeds 32 levels',
    );
    expectViolation(
      [48, 1, {}, 'a.b', [new Map([[nestedList(100), 1]])]],
      'Message nesting exceeds 32 levels',
    );
    expectViolation([48, 1, {}, 'a.b', [new Set([nestedList(100)])]], 'Message nesting exceeds 32 levels');
  });

  it('accepts moderate nesting (10 levels)', () => {
    expect(() =>
      decodeMessage([48, 1, {}, 'a.b', nestedList(10), { a: nestedDict(10) }], STRICT),
    ).not.toThrow();
  });

  it('counts the message itself as level 1', () => {
    // Arguments is level 2, so nestedList(n) reaches level n + 1.
    expect(() => decodeMessage([48, 1, {}, 'a.b', nestedList(31)], STRICT)).not.toThrow();
    expectViolation([48, 1, {}, 'a.b', nestedList(32)], 'Message nesting exceeds 32 levels');
    const options = { ...STRICT, maxDepth: 5 };
    expect(() => decodeMessage([48, 1, {}, 'a.b', nestedList(4)], options)).not.toThrow();
    expectViolation([48, 1, {}, 'a.b', nestedList(5)], 'Message nesting exceeds 5 levels', options);
    expectViolation([48, 1, {}, 'a.b'], 'Message nesting exceeds 1 levels', { ...STRICT, maxDepth: 1 });
  });

  it('walks very deep values without recursion when maxDepth allows them', () => {
    const options = { ...STRICT, maxDepth: 1_000_000 };
    expect(() => decodeMessage([48, 1, {}, 'a.b', nestedList(200_000)], options)).not.toThrow();
  });

  it('walks wide payloads and keeps working afterwards', () => {
    const wide = Array.from({ length: 5000 }, (_, index) => ({ index, list: [index] }));
    expect(() => decodeMessage([48, 1, {}, 'a.b', wide], STRICT)).not.toThrow();
    expectViolation([48, 1, {}, 'a.b', nestedList(33)], 'Message nesting exceeds 32 levels');
    expect(() => decodeMessage([48, 1, {}, 'a.b', [[1]]], STRICT)).not.toThrow();
  });
});

describe('decodeMessage: payload', () => {
  it('keeps empty Arguments and ArgumentsKw when present', () => {
    const decoded = decodeMessage([48, 1, {}, 'a.b', [], {}], STRICT) as { args: unknown; kwargs: unknown };
    expect(decoded.args).toEqual([]);
    expect(decoded.kwargs).toEqual({});
  });

  it('leaves absent Arguments and ArgumentsKw undefined', () => {
    const decoded = decodeMessage([48, 1, {}, 'a.b'], STRICT) as { args: unknown; kwargs: unknown };
    expect(decoded.args).toBeUndefined();
    expect(decoded.kwargs).toBeUndefined();
    const argsOnly = decodeMessage([70, 1, {}, [1]], STRICT) as { args: unknown; kwargs: unknown };
    expect(argsOnly.args).toEqual([1]);
    expect(argsOnly.kwargs).toBeUndefined();
  });
});

describe('decodeMessage: errors', () => {
  it('throws WampProtocolError instances with the protocol violation URI by default', () => {
    const error = decodeError([7]);
    expect(error).toBeInstanceOf(WampProtocolError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WampProtocolError');
  });
});

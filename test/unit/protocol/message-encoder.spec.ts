import { encodeMessage, WampMessageType, type WampMessage } from '../../../lib/core/index.js';

type Payload = { args?: readonly unknown[]; kwargs?: Readonly<Record<string, unknown>> };

/** Every message type with a trailing payload, built with the given payload, and its wire prefix. */
function payloadMessages(payload: Payload): [WampMessage, unknown[]][] {
  const options = {};
  return [
    [
      { type: WampMessageType.ABORT, details: options, reason: 'wamp.error.x', ...payload },
      [3, options, 'wamp.error.x'],
    ],
    [
      {
        type: WampMessageType.ERROR,
        requestType: 48,
        request: 1,
        details: options,
        error: 'a.b',
        ...payload,
      },
      [8, 48, 1, options, 'a.b'],
    ],
    [
      { type: WampMessageType.PUBLISH, request: 1, options, topic: 'a.b', ...payload },
      [16, 1, options, 'a.b'],
    ],
    [
      { type: WampMessageType.EVENT, subscription: 1, publication: 2, details: options, ...payload },
      [36, 1, 2, options],
    ],
    [
      { type: WampMessageType.CALL, request: 1, options, procedure: 'a.b', ...payload },
      [48, 1, options, 'a.b'],
    ],
    [{ type: WampMessageType.RESULT, request: 1, details: options, ...payload }, [50, 1, options]],
    [
      { type: WampMessageType.INVOCATION, request: 1, registration: 2, details: options, ...payload },
      [68, 1, 2, options],
    ],
    [{ type: WampMessageType.YIELD, request: 1, options, ...payload }, [70, 1, options]],
  ];
}

describe('encodeMessage: trailing payload', () => {
  const args = [1, 'two'];
  const kwargs = { three: 3 };

  it.each([
    ['no payload', {}, []],
    ['undefined args and kwargs', { args: undefined, kwargs: undefined }, []],
    ['empty args', { args: [] }, []],
    ['empty args and empty kwargs', { args: [], kwargs: {} }, []],
    ['empty kwargs only', { kwargs: {} }, []],
    ['args', { args }, [args]],
    ['args and empty kwargs', { args, kwargs: {} }, [args]],
    ['kwargs only', { kwargs }, [[], kwargs]],
    ['empty args and kwargs', { args: [], kwargs }, [[], kwargs]],
    ['args and kwargs', { args, kwargs }, [args, kwargs]],
  ] as [string, Payload, unknown[]][])('%s', (_name, payload, trailing) => {
    for (const [message, prefix] of payloadMessages(payload)) {
      expect(encodeMessage(message)).toEqual([...prefix, ...trailing]);
    }
  });

  it('treats kwargs with only inherited keys as empty', () => {
    const kwargs = Object.create({ inherited: 1 }) as Record<string, unknown>;
    expect(encodeMessage({ type: WampMessageType.RESULT, request: 1, details: {}, kwargs })).toEqual([
      50,
      1,
      {},
    ]);
  });

  it('places payload and dicts by reference', () => {
    const details = {};
    const wire = encodeMessage({ type: WampMessageType.RESULT, request: 1, details, args, kwargs });
    expect(wire[2]).toBe(details);
    expect(wire[3]).toBe(args);
    expect(wire[4]).toBe(kwargs);
  });
});

describe('encodeMessage: optional Details of UNSUBSCRIBED/UNREGISTERED', () => {
  it('emits Details only when present', () => {
    expect(encodeMessage({ type: WampMessageType.UNSUBSCRIBED, request: 3 })).toEqual([35, 3]);
    expect(
      encodeMessage({ type: WampMessageType.UNSUBSCRIBED, request: 0, details: { subscription: 4 } }),
    ).toEqual([35, 0, { subscription: 4 }]);
    expect(encodeMessage({ type: WampMessageType.UNREGISTERED, request: 3 })).toEqual([67, 3]);
    expect(encodeMessage({ type: WampMessageType.UNREGISTERED, request: 0, details: {} })).toEqual([
      67,
      0,
      {},
    ]);
  });
});

import fc from 'fast-check';

import {
  decodeMessage,
  encodeMessage,
  WampMessageType,
  WampProtocolError,
  type MessageDecoderOptions,
} from '../../../lib/core/index.js';
import { STRICT } from './decode-assertions.js';

const NUM_RUNS = 500;
const CODES = Object.values(WampMessageType).filter((value): value is number => typeof value === 'number');
const KNOWN_KEYS = [
  'roles',
  'features',
  'agent',
  'authid',
  'authmethods',
  'authextra',
  'receive_progress',
  'progress',
  'timeout',
  'disclose_me',
  'mode',
  'acknowledge',
  'exclude',
  'eligible_authid',
  'match',
  'invoke',
  'forward_for',
  'enc_algo',
  'publisher',
  'subscription',
  '__proto__',
  'constructor',
  'toString',
];

// ---------------------------------------------------------------------------------------------------
// Arbitrary input: JSON values, plus arrays that look like messages (type code first) whose elements
// are JSON values, typical protocol values, binary data and dicts using the known keys.

const json = fc.jsonValue({ maxDepth: 4 });
const protocolValue = fc.constantFrom<unknown>(
  0,
  1,
  2 ** 53,
  2 ** 53 + 2,
  -1,
  1.5,
  '',
  'a.b',
  'com.Example',
  'a..b',
  'com.myapp.',
  {},
  [],
  null,
  true,
);
const knownKeyDict = fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fc.oneof(json, protocolValue), {
  maxKeys: 4,
});
const element = fc.oneof(json, protocolValue, knownKeyDict, fc.uint8Array({ maxLength: 4 }));
const typeCode = fc.oneof(fc.constantFrom(...CODES), fc.integer({ min: -2, max: 80 }), json);
const messageLike = fc
  .tuple(typeCode, fc.array(element, { maxLength: 7 }))
  .map(([type, rest]): unknown => [type, ...rest]);

// ---------------------------------------------------------------------------------------------------
// Valid messages, as wire arrays.

const id = fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.constant(2 ** 53));
const component = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
const uri = fc.array(component, { minLength: 1, maxLength: 4 }).map((components) => components.join('.'));
const payloadValue = fc.jsonValue({ maxDepth: 3 });
const unknownKeys = fc.dictionary(fc.stringMatching(/^x_[a-z]{0,5}$/), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 3,
});
const args = fc.array(payloadValue, { maxLength: 4 });
const kwargs = fc.dictionary(fc.string({ maxLength: 6 }), payloadValue, { maxKeys: 3 });
const payload = fc.oneof(
  fc.constant<unknown[]>([]),
  args.map((list): unknown[] => [list]),
  fc.tuple(args, kwargs).map(([list, dict]): unknown[] => [list, dict]),
);

/** A dict of valid known keys (each optional) merged with unknown keys. */
function knownAnd(known: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.record(known, { requiredKeys: [] }), unknownKeys)
    .map(([knownPart, unknownPart]) => ({ ...unknownPart, ...knownPart }));
}

const roles = fc.dictionary(
  fc.constantFrom('caller', 'callee', 'publisher', 'subscriber', 'broker', 'dealer'),
  fc.record(
    { features: fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.boolean()) },
    { requiredKeys: [] },
  ),
  { minKeys: 1 },
);
const strings = fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 });
const ids = fc.array(id, { maxLength: 3 });
const match = fc.constantFrom('exact', 'prefix', 'wildcard');
const errorRequestType = fc.constantFrom(16, 32, 34, 48, 64, 66, 68);

const withPayload = (head: fc.Arbitrary<unknown[]>): fc.Arbitrary<unknown[]> =>
  fc.tuple(head, payload).map(([front, tail]) => [...front, ...tail]);

const validMessage: fc.Arbitrary<unknown[]> = fc.oneof(
  fc
    .tuple(uri, knownAnd({ roles, agent: fc.string(), authid: fc.string(), authmethods: strings }))
    .map(([realm, details]) => [1, realm, { ...details, roles: details.roles ?? { caller: {} } }]),
  fc
    .tuple(id, knownAnd({ roles, authrole: fc.string() }))
    .map(([session, details]) => [2, session, { ...details, roles: details.roles ?? { broker: {} } }]),
  withPayload(fc.tuple(unknownKeys, uri).map(([details, reason]) => [3, details, reason])),
  fc.tuple(fc.string(), unknownKeys).map(([method, extra]) => [4, method, extra]),
  fc.tuple(fc.string(), unknownKeys).map(([signature, extra]) => [5, signature, extra]),
  fc.tuple(unknownKeys, uri).map(([details, reason]) => [6, details, reason]),
  withPayload(
    fc
      .tuple(errorRequestType, id, unknownKeys, uri)
      .map(([type, request, details, error]) => [8, type, request, details, error]),
  ),
  withPayload(
    fc
      .tuple(
        id,
        knownAnd({
          acknowledge: fc.boolean(),
          exclude_me: fc.boolean(),
          retain: fc.boolean(),
          exclude: ids,
          eligible: ids,
          exclude_authid: strings,
          eligible_authrole: strings,
        }),
        uri,
      )
      .map(([request, options, topic]) => [16, request, options, topic]),
  ),
  fc.tuple(id, id).map(([request, publication]) => [17, request, publication]),
  fc
    .tuple(id, knownAnd({ match, get_retained: fc.boolean() }), uri)
    .map(([request, options, topic]) => [32, request, options, topic]),
  fc.tuple(id, id).map(([request, subscription]) => [33, request, subscription]),
  fc.tuple(id, id).map(([request, subscription]) => [34, request, subscription]),
  fc.oneof(
    id.map((request) => [35, request]),
    fc
      .tuple(fc.oneof(id, fc.constant(0)), knownAnd({ subscription: id, reason: fc.string() }))
      .map(([request, details]) => [35, request, details]),
  ),
  withPayload(
    fc
      .tuple(id, id, knownAnd({ publisher: id, topic: uri, retained: fc.boolean() }))
      .map(([subscription, publication, details]) => [36, subscription, publication, details]),
  ),
  withPayload(
    fc
      .tuple(
        id,
        knownAnd({
          receive_progress: fc.boolean(),
          progress: fc.boolean(),
          timeout: fc.nat(),
          disclose_me: fc.boolean(),
        }),
        uri,
      )
      .map(([request, options, procedure]) => [48, request, options, procedure]),
  ),
  fc
    .tuple(id, knownAnd({ mode: fc.constantFrom('skip', 'kill', 'killnowait') }))
    .map(([request, options]) => [49, request, options]),
  withPayload(
    fc.tuple(id, knownAnd({ progress: fc.boolean() })).map(([request, details]) => [50, request, details]),
  ),
  fc
    .tuple(
      id,
      knownAnd({
        match,
        invoke: fc.constantFrom('single', 'roundrobin', 'random', 'first', 'last'),
        disclose_caller: fc.boolean(),
      }),
      uri,
    )
    .map(([request, options, procedure]) => [64, request, options, procedure]),
  fc.tuple(id, id).map(([request, registration]) => [65, request, registration]),
  fc.tuple(id, id).map(([request, registration]) => [66, request, registration]),
  fc.oneof(
    id.map((request) => [67, request]),
    fc
      .tuple(fc.oneof(id, fc.constant(0)), knownAnd({ registration: id, reason: fc.string() }))
      .map(([request, details]) => [67, request, details]),
  ),
  withPayload(
    fc
      .tuple(id, id, knownAnd({ caller: id, caller_authid: fc.string(), procedure: uri, timeout: fc.nat() }))
      .map(([request, registration, details]) => [68, request, registration, details]),
  ),
  fc
    .tuple(id, knownAnd({ mode: fc.constantFrom('kill', 'killnowait') }))
    .map(([request, options]) => [69, request, options]),
  withPayload(
    fc.tuple(id, knownAnd({ progress: fc.boolean() })).map(([request, options]) => [70, request, options]),
  ),
);

// Near-valid input reaches the deeper checks: a valid message with one element replaced, or with one
// key of one of its dicts set to an arbitrary value.
const elementReplaced = fc.tuple(validMessage, fc.nat(), element).map(([raw, position, value]) => {
  const copy = [...raw];
  copy[1 + (position % (copy.length - 1))] = value;
  return copy;
});
const keyReplaced = fc
  .tuple(validMessage, fc.nat(), fc.constantFrom(...KNOWN_KEYS), fc.oneof(json, protocolValue))
  .map(([raw, position, key, value]) => {
    const copy = [...raw];
    const index = 1 + (position % (copy.length - 1));
    const dict = copy[index];
    if (typeof dict === 'object' && dict !== null && !Array.isArray(dict)) {
      copy[index] = Object.defineProperty({ ...dict }, key, { value, enumerable: true, writable: true });
    }
    return copy;
  });
const anyInput = fc.oneof(json, messageLike, elementReplaced, keyReplaced);
const decoderOptions = fc.record({
  strictUris: fc.boolean(),
  maxDepth: fc.integer({ min: 1, max: 40 }),
  maxUriLength: fc.integer({ min: 1, max: 2048 }),
  maxUriComponents: fc.integer({ min: 1, max: 128 }),
});

/** Index of the Arguments element for message types that carry a payload. */
const PAYLOAD_INDEX: Partial<Record<number, number>> = {
  3: 3,
  8: 5,
  16: 4,
  36: 4,
  48: 4,
  50: 3,
  68: 4,
  70: 3,
};

/** The wire array without empty trailing payload, which the encoder never emits. */
function withoutEmptyTrailingPayload(raw: readonly unknown[]): unknown[] {
  const wire = [...raw];
  const index = PAYLOAD_INDEX[wire[0] as number];
  if (index === undefined) return wire;
  if (wire.length === index + 2 && Object.keys(wire[index + 1] as object).length === 0) wire.pop();
  if (wire.length === index + 1 && (wire[index] as unknown[]).length === 0) wire.pop();
  return wire;
}

describe('decodeMessage / encodeMessage properties', () => {
  it('either returns a message or throws WampProtocolError, for any input', () => {
    fc.assert(
      fc.property(anyInput, decoderOptions, (raw: unknown, options: MessageDecoderOptions) => {
        try {
          decodeMessage(raw, options);
        } catch (error) {
          if (!(error instanceof WampProtocolError)) throw error;
          expect(error.message.length).toBeGreaterThan(0);
          if (error.uri === 'wamp.error.invalid_uri') {
            expect([1, 16, 32, 48, 64]).toContain(error.requestType);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('re-encodes every valid message to its wire array (modulo empty trailing payload)', () => {
    fc.assert(
      fc.property(validMessage, (raw) => {
        const decoded = decodeMessage(raw, STRICT);
        expect(decoded.type).toBe(raw[0]);
        expect(encodeMessage(decoded)).toEqual(withoutEmptyTrailingPayload(raw));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('decodes what it encodes to an equal message', () => {
    fc.assert(
      fc.property(validMessage, (raw) => {
        const decoded = decodeMessage(raw, STRICT);
        const again = decodeMessage(encodeMessage(decoded), STRICT) as unknown as Record<string, unknown>;
        const expected = { ...(decoded as unknown as Record<string, unknown>) };
        // Empty payload parts are dropped on the wire, so they come back undefined.
        if (Array.isArray(expected.args) && expected.args.length === 0 && again.args === undefined) {
          expected.args = undefined;
        }
        if (
          expected.kwargs !== undefined &&
          Object.keys(expected.kwargs as object).length === 0 &&
          again.kwargs === undefined
        ) {
          expected.kwargs = undefined;
        }
        expect(again).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

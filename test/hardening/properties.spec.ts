import 'reflect-metadata';
import { Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  CborSerializer,
  decodeMessage,
  encodeMessage,
  JsonBatchedSerializer,
  JsonSerializer,
  LengthPrefixedBatchedSerializer,
  MAX_NESTING_DEPTH,
  MsgpackSerializer,
  SerializationError,
  WampMessageType,
  WampProtocolError,
  type WampMessage,
  type WampSerializer,
} from '../../lib/core/index.js';
import { DEFAULT_DECODER_OPTIONS } from '../../lib/core/protocol/message-decoder.js';
import { WampModule, WampTransport } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { CanaryController, startCanary } from './support/canary.js';

/**
 * Property tests at the edge of the router. Unit-level properties (round trips per serializer, the decoder on
 * arbitrary arrays) live in test/unit; what is new here:
 * - any bytes, including frames built to reach the libraries' extension paths (CBOR tags, msgpack ext types,
 *   escaped JSON keys, batched framing), decode only to the shared value model, or fail with
 *   SerializationError; and whatever one serializer accepts, every serializer can encode;
 * - translation between serializers (decode from one, encode for another, decode) preserves every model
 *   value, binary included, for all 6 x 6 pairs and through chains;
 * - the whole receive pipeline (serializer, then decodeMessage) yields a message that re-encodes for every
 *   serializer, or a SerializationError / WampProtocolError, nothing else;
 * - end to end: random message-like arrays sent to a real router over raw sockets never crash it and are
 *   answered validly, by ABORT protocol_violation, or not at all, while a canary session stays healthy.
 * numRuns are bounded so the file takes well under 60 s.
 */

const json = new JsonSerializer();
const msgpack = new MsgpackSerializer();
const cbor = new CborSerializer();
const serializers: readonly WampSerializer[] = [
  json,
  msgpack,
  cbor,
  new JsonBatchedSerializer(),
  new LengthPrefixedBatchedSerializer(new MsgpackSerializer()),
  new LengthPrefixedBatchedSerializer(new CborSerializer()),
];
const frameOf = (encoded: Buffer | string): Buffer =>
  typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;

// ---------------------------------------------------------------------------------------------------
// The shared value model, and a canonical form to compare values across formats

/** Throws unless `value` is in the shared model: JSON values plus bytes, plain dicts, no `__proto__` key. */
function assertModel(value: unknown, depth = 1, path = '$'): void {
  if (value === null) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      return;
    case 'bigint':
      // Integers beyond 2^53 in magnitude, kept exact from msgpack and CBOR peers.
      if (value >= -(2n ** 53n) && value <= 2n ** 53n)
        throw new Error(`${path}: ${value}n should be a number`);
      return;
    case 'object':
      break;
    default:
      throw new Error(`${path}: ${typeof value} is outside the value model`);
  }
  if (value instanceof Uint8Array) {
    if (
      Object.getPrototypeOf(value) !== Buffer.prototype &&
      Object.getPrototypeOf(value) !== Uint8Array.prototype
    )
      throw new Error(`${path}: a Uint8Array subclass`);
    return;
  }
  if (depth > MAX_NESTING_DEPTH) throw new Error(`${path}: nested deeper than ${MAX_NESTING_DEPTH}`);
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertModel(item, depth + 1, `${path}[${index}]`));
    return;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new Error(`${path}: ${(value as object).constructor?.name ?? 'object'} is outside the value model`);
  }
  if (Object.hasOwn(value, '__proto__')) throw new Error(`${path}: own __proto__ key`);
  for (const key of Object.keys(value))
    assertModel((value as Record<string, unknown>)[key], depth + 1, `${path}.${key}`);
}

/** Bytes as `{ $bytes: hex }`, -0 as 0, `__proto__` as the `__proto_` every decoder renames it to. */
function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
  if (Object.is(value, -0)) return 0;
  // One form per integer: msgpack and CBOR decode integers beyond 2^53 in magnitude as bigints (exactly).
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 53) return BigInt(value);
  if (typeof value === 'bigint' && value >= -(2n ** 53n) && value <= 2n ** 53n) return Number(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value).map((key) => [
        key === '__proto__' ? '__proto_' : key,
        canonical((value as Record<string, unknown>)[key]),
      ]),
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Model values (as in test/unit/serializers/serializer-properties.spec.ts, with two deliberate exclusions:
// strings starting with U+0000, which the JSON binary convention reads as bytes, and the key `__proto_`,
// which collides with a renamed `__proto__`)

const key = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', ''),
  )
  .filter((text) => text !== '__proto_');
const text = fc.string({ unit: 'grapheme', maxLength: 24 }).filter((value) => !value.startsWith('\u0000'));
const integer = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, 1, -1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 2 ** 63, 2 ** 64),
  // Not below -2^53: cbor-x decodes large negative integers one ulp off (see the unit properties).
  fc.bigInt({ min: -(2n ** 53n), max: 2n ** 64n - 1n }).map(Number),
);
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  integer,
  fc.double({ min: -(2 ** 53), noNaN: true, noDefaultInfinity: true }),
  text,
  fc.uint8Array({ maxLength: 48 }),
  fc.constant(new Uint8Array(0)),
);
const { value: modelValue } = fc.letrec<{ value: unknown; list: unknown[]; dict: Record<string, unknown> }>(
  (tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('dict')),
    list: fc.array(tie('value'), { maxLength: 5 }),
    // An own `__proto__` key: fc.dictionary builds with defineProperty, like JSON.parse would.
    dict: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  }),
);
const messageValue = fc.array(modelValue, { minLength: 1, maxLength: 6 });

// ---------------------------------------------------------------------------------------------------
// Hostile frames

const pick = <T>(items: readonly T[], index: number): T => items[index % items.length];

/** A valid frame of some serializer with one byte changed, one cut, or one inserted. */
const mutatedFrame = fc
  .tuple(messageValue, fc.nat(), fc.nat(), fc.nat({ max: 255 }), fc.constantFrom('set', 'cut', 'insert'))
  .map(([value, which, position, byte, how]) => {
    const frame = Buffer.from(frameOf(pick(serializers, which).encode(value)));
    const at = position % Math.max(1, frame.length);
    if (how === 'set') frame[at] = byte;
    if (how === 'cut') return frame.subarray(0, at);
    if (how === 'insert')
      return Buffer.concat([frame.subarray(0, at), Buffer.from([byte]), frame.subarray(at)]);
    return frame;
  });

const CBOR_TAGS = [
  0, 1, 2, 3, 4, 5, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 32, 35, 37, 64, 65, 66, 68, 69, 70, 72, 78, 81,
  85, 86, 105, 256, 258, 259, 0xe000, 55799, 51111, 57344,
];

function cborTagHead(tag: number): Buffer {
  if (tag < 24) return Buffer.from([0xc0 | tag]);
  if (tag < 256) return Buffer.from([0xd8, tag]);
  if (tag < 65536) return Buffer.from([0xd9, tag >> 8, tag & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = 0xda;
  head.writeUInt32BE(tag, 1);
  return head;
}

/** A CBOR message whose element is wrapped in a tag cbor-x has a handler for (or an unknown one). */
const cborTagged = fc
  .tuple(
    fc.oneof(fc.constantFrom(...CBOR_TAGS), fc.nat({ max: 70_000 })),
    modelValue,
    modelValue,
    fc.boolean(),
  )
  .map(([tag, inner, other, twice]) => {
    const item = (value: unknown): Buffer => cbor.encode([value]).subarray(1); // drop the 0x81 array head
    const tagged = Buffer.concat([cborTagHead(tag), twice ? cborTagHead(tag) : Buffer.alloc(0), item(inner)]);
    return Buffer.concat([Buffer.from([0x82]), tagged, item(other)]);
  });

/** A msgpack message with an ext value (timestamp -1, msgpackr's 0x42 bigint, 0x69/0x70 references, …). */
const msgpackExt = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(-1, 0, 0x42, 0x65, 0x69, 0x70, 0x73, 0x74, 0x78, 0x62, 0x72),
      fc.integer({ min: -128, max: 127 }),
    ),
    fc.uint8Array({ minLength: 0, maxLength: 20 }),
    modelValue,
  )
  .map(([type, data, other]) => {
    const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
    const head =
      fixed[data.length] !== undefined
        ? Buffer.from([fixed[data.length], type & 0xff])
        : Buffer.from([0xc7, data.length, type & 0xff]);
    return Buffer.concat([Buffer.from([0x92]), head, Buffer.from(data), msgpack.encode([other]).subarray(1)]);
  });

/** JSON text that reaches the decoder's slow paths: escapes, NUL strings, `__proto__` spelled with escapes. */
const trickyJson = fc
  .tuple(
    fc.json({ maxDepth: 3 }),
    fc.constantFrom(
      '"\\u0000"',
      '"\\u0000AAAA"',
      '"\\u0000A"',
      '"\\u0000AA=="',
      '"\\u0000!!!!"',
      '"\\u0000AAA="',
      '{"\\u005f_proto__":{"x":1}}',
      '{"__proto__":{"polluted":1}}',
      '{"__proto__":null}',
      '{"\\u0000":"\\u0000"}',
      '1e400',
      '-0',
      '"\\ud800"',
      '['.repeat(300) + ']'.repeat(300),
    ),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([base, insert, cut]) => {
    const text = `[${base},${insert}]`;
    // Sometimes with one character removed, which usually breaks the text somewhere interesting.
    const at = cut === undefined ? -1 : cut % text.length;
    return Buffer.from(at < 0 ? text : text.slice(0, at) + text.slice(at + 1), 'utf8');
  });

/** Batched framing: several records with arbitrary (possibly lying) length prefixes or separators. */
const batchedFrame = fc
  .tuple(
    fc.array(messageValue, { minLength: 1, maxLength: 3 }),
    fc.array(fc.nat({ max: 70 }), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([values, lies, binary]) => {
    if (!binary)
      return Buffer.from(
        values.map((value) => json.encode(value)).join('\u001e') + (lies.length ? '' : '\u001e'),
      );
    return Buffer.concat(
      values.map((value, index) => {
        const body = msgpack.encode(value);
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(lies[index] ?? body.length);
        return Buffer.concat([prefix, body]);
      }),
    );
  });

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  mutatedFrame,
  cborTagged,
  msgpackExt,
  trickyJson,
  batchedFrame,
);

/** Decodes, or returns the SerializationError; anything else thrown fails the property. */
function decodeOrSerializationError(
  serializer: WampSerializer,
  frame: Buffer,
): unknown[] | SerializationError {
  try {
    return serializer.decode(frame);
  } catch (error) {
    if (error instanceof SerializationError) return error;
    throw new Error(`${serializer.protocol} threw ${String(error)} (not a SerializationError)`, {
      cause: error,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Message-like arrays: near-valid WAMP messages for the decoder pipeline and the router

const CODES = Object.values(WampMessageType).filter((value): value is number => typeof value === 'number');
const CLIENT_CODES = [1, 3, 5, 6, 8, 16, 32, 34, 48, 49, 64, 66, 70];
const URIS = [
  'canary.echo',
  'props.topic',
  'props.topic.sub',
  'props.',
  'props..x',
  'com.example.nothing',
  'wamp.session.count',
  'wamp.error.x',
  'Realm1',
  'a b',
  '',
  'x#y',
  'realm1',
];
const id = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.constantFrom(2 ** 53, 2 ** 53 - 1, 2 ** 53 + 2, 0, -1, 1.5, 2 ** 64),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);
const optionKey = fc.constantFrom(
  'acknowledge',
  'exclude_me',
  'disclose_me',
  'retain',
  'exclude',
  'eligible',
  'exclude_authid',
  'eligible_authrole',
  'match',
  'get_retained',
  'receive_progress',
  'progress',
  'timeout',
  'mode',
  'invoke',
  'roles',
  'authmethods',
  'authid',
  'authextra',
  'forward_for',
  'enc_algo',
  'ppt_scheme',
  'message',
  '__proto__',
  'constructor',
  'x_custom',
);
const optionValue = fc.oneof(
  fc.boolean(),
  fc.constantFrom('exact', 'prefix', 'wildcard', 'skip', 'kill', 'killnowait', 'single', ''),
  fc.integer({ min: -5, max: 5000 }),
  fc.array(id, { maxLength: 3 }),
  fc.array(fc.constantFrom('anonymous', 'ticket', 'x'), { maxLength: 2 }),
  fc.constant({ caller: {}, subscriber: {} }),
  fc.json({ maxDepth: 2 }).map((text) => JSON.parse(text) as unknown),
);
const options = fc.dictionary(optionKey, optionValue, { maxKeys: 4 });
const payloadArgs = fc.array(
  fc.oneof(
    fc.json({ maxDepth: 2 }).map((text) => JSON.parse(text) as unknown),
    fc.uint8Array({ maxLength: 8 }),
  ),
  {
    maxLength: 3,
  },
);
const payloadKwargs = fc.dictionary(
  key,
  fc.json({ maxDepth: 2 }).map((text) => JSON.parse(text) as unknown),
  {
    maxKeys: 3,
  },
);
const uri = fc.oneof(fc.constantFrom(...URIS), fc.string({ maxLength: 12 }));

/** Shaped like a message of a random (mostly client-sendable) type, with plausible or hostile elements. */
const hostileMessage: fc.Arbitrary<unknown[]> = fc
  .oneof(
    { weight: 6, arbitrary: fc.constantFrom(...CLIENT_CODES) },
    { weight: 2, arbitrary: fc.constantFrom(...CODES) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.integer({ min: -3, max: 300 }), fc.constantFrom('48', null, 48.5, [48])),
    },
  )
  .chain((type) => {
    const shaped: fc.Arbitrary<unknown[]>[] = [
      // request-shaped: [type, id, options, uri, args?, kwargs?]
      fc
        .tuple(
          id,
          options,
          uri,
          fc.option(payloadArgs, { nil: undefined }),
          fc.option(payloadKwargs, { nil: undefined }),
        )
        .map(([request, dict, name, args, kwargs]) => {
          const message: unknown[] = [type, request, dict, name];
          if (args !== undefined || kwargs !== undefined) message.push(args ?? []);
          if (kwargs !== undefined) message.push(kwargs);
          return message;
        }),
      // [type, id, id] (UNSUBSCRIBE / UNREGISTER) and [type, id, options] (CANCEL)
      fc.tuple(id, fc.oneof(id, options)).map(([request, second]) => [type, request, second]),
      // ERROR-shaped: [8, requestType, id, details, uri, args?]
      fc
        .tuple(fc.constantFrom(16, 32, 48, 68, 70, 5), id, options, uri, payloadArgs)
        .map(([requestType, request, details, error, args]) => [
          type,
          requestType,
          request,
          details,
          error,
          args,
        ]),
      // session-shaped: [type, uri or details, details or reason]
      fc
        .tuple(fc.oneof(uri, options), fc.oneof(options, uri))
        .map(([first, second]) => [type, first, second]),
      // anything
      fc.array(fc.oneof(id, options, uri, payloadArgs), { maxLength: 7 }).map((rest) => [type, ...rest]),
    ];
    return fc.oneof(...shaped);
  });

// Well-formed client messages: right shape, valid IDs, known option keys with the right types (plus, now and
// then, an own `__proto__` key), so that the router's answering paths are exercised, not only its refusals.
const goodId = fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(2 ** 53, 2 ** 53 - 1));
const goodUri = fc.constantFrom(
  'canary.echo',
  'props.topic',
  'props.topic.sub',
  'props.x.y',
  'com.example.nothing',
);
const names = fc.array(fc.constantFrom('anonymous', 'x', ''), { maxLength: 2 });
const sprinkle = (dict: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(dict, fc.boolean(), fc.boolean()).map(([value, proto, unknown]) => {
    const copy: Record<string, unknown> = { ...value };
    if (unknown) copy.x_custom = [1, 'two'];
    if (proto)
      Object.defineProperty(copy, '__proto__', {
        value: { acknowledge: true, match: 'prefix' },
        enumerable: true,
      });
    return copy;
  });
const publishOptions = sprinkle(
  fc.record(
    {
      acknowledge: fc.boolean(),
      exclude_me: fc.boolean(),
      disclose_me: fc.boolean(),
      retain: fc.boolean(),
      exclude: fc.array(goodId, { maxLength: 2 }),
      eligible: fc.array(goodId, { maxLength: 2 }),
      exclude_authid: names,
      eligible_authrole: names,
    },
    { requiredKeys: [] },
  ),
);
const subscribeOptions = sprinkle(
  fc.record(
    { match: fc.constantFrom('exact', 'prefix', 'wildcard'), get_retained: fc.boolean() },
    { requiredKeys: [] },
  ),
);
const callOptions = sprinkle(
  fc.record(
    { receive_progress: fc.boolean(), timeout: fc.nat({ max: 50 }), disclose_me: fc.boolean() },
    { requiredKeys: [] },
  ),
);
const cancelOptions = sprinkle(
  fc.record({ mode: fc.constantFrom('skip', 'kill', 'killnowait') }, { requiredKeys: [] }),
);
const payload: fc.Arbitrary<unknown[]> = fc.oneof(
  fc.constant([] as unknown[]),
  payloadArgs.map((args): unknown[] => [args]),
  fc.tuple(payloadArgs, payloadKwargs).map(([args, kwargs]): unknown[] => [args, kwargs]),
);
const weighted = (weight: number, arbitrary: fc.Arbitrary<unknown[]>) => ({ weight, arbitrary });
const wellFormedMessage: fc.Arbitrary<unknown[]> = fc.oneof(
  weighted(
    5,
    fc.tuple(goodId, publishOptions, goodUri, payload).map(([r, o, u, p]) => [16, r, o, u, ...p]),
  ),
  weighted(
    5,
    fc
      .tuple(goodId, subscribeOptions, fc.constantFrom('props.topic', 'props.', 'props..y', 'props.x.y'))
      .map(([r, o, u]) => [32, r, o, u]),
  ),
  weighted(
    5,
    fc.tuple(goodId, goodId).map(([r, s]) => [34, r, s]),
  ),
  weighted(
    5,
    fc.tuple(goodId, callOptions, goodUri, payload).map(([r, o, u, p]) => [48, r, o, u, ...p]),
  ),
  weighted(
    5,
    fc.tuple(goodId, cancelOptions).map(([r, o]) => [49, r, o]),
  ),
  weighted(
    5,
    fc.tuple(goodId, goodUri).map(([r, u]) => [64, r, {}, u]),
  ),
  weighted(
    5,
    fc.tuple(goodId, goodId).map(([r, s]) => [66, r, s]),
  ),
  // GOODBYE ends the session: rare, so that each session sees several messages.
  weighted(1, fc.constant([6, {}, 'wamp.close.close_realm'])),
);
const messageLike: fc.Arbitrary<unknown[]> = fc.oneof(
  { weight: 4, arbitrary: wellFormedMessage },
  { weight: 1, arbitrary: hostileMessage },
);

/** Whether `message` can be encoded by every serializer (the router may fan it out to any of them). */
function encodableEverywhere(message: unknown[]): void {
  for (const serializer of serializers) serializer.encode(message);
}

// ---------------------------------------------------------------------------------------------------

describe('serializer and decoder properties (hardening)', () => {
  it('any bytes decode, in every serializer, to a list of model values or throw SerializationError', () => {
    let decoded = 0;
    let refused = 0;
    fc.assert(
      fc.property(anyBytes, (frame) => {
        for (const serializer of serializers) {
          const result = decodeOrSerializationError(serializer, Buffer.from(frame));
          if (result instanceof SerializationError) {
            refused++;
            continue;
          }
          decoded++;
          expect(Array.isArray(result)).toBe(true);
          for (const message of result) {
            assertModel(message);
            // Whatever one serializer accepted, every serializer can send on (fan-out re-encodes it).
            if (Array.isArray(message)) encodableEverywhere(message);
          }
        }
      }),
      { numRuns: 1500 },
    );
    // The generators reach both outcomes for real.
    expect(decoded).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(2000);
  });

  it('every serializer round-trips model values, binary included', () => {
    fc.assert(
      fc.property(messageValue, (value) => {
        for (const serializer of serializers) {
          const [back] = serializer.decode(frameOf(serializer.encode(value)));
          expect(canonical(back)).toEqual(canonical(value));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('translation between any two serializers (decode from one, encode for the other, decode) preserves values', () => {
    fc.assert(
      fc.property(messageValue, (value) => {
        const expected = canonical(value);
        for (const from of serializers) {
          const [received] = from.decode(frameOf(from.encode(value))) as [unknown[]];
          for (const to of serializers) {
            const [delivered] = to.decode(frameOf(to.encode(received)));
            expect(canonical(delivered)).toEqual(expected);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a chain of translations (json -> msgpack -> cbor -> json.batched -> cbor.batched -> msgpack.batched -> json) preserves values', () => {
    const chain = [json, msgpack, cbor, serializers[3], serializers[5], serializers[4], json];
    fc.assert(
      fc.property(messageValue, (value) => {
        let current: unknown = value;
        for (const serializer of chain)
          [current] = serializer.decode(frameOf(serializer.encode(current as unknown[])));
        expect(canonical(current)).toEqual(canonical(value));
      }),
      { numRuns: 300 },
    );
  });

  it('binary values survive every translation as bytes (never as a string or an array of numbers)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 4 }), (blobs) => {
        const message = [36, 1, 2, {}, blobs, { blob: blobs[0] }];
        for (const from of serializers) {
          const [received] = from.decode(frameOf(from.encode(message))) as [unknown[]];
          for (const to of serializers) {
            const [delivered] = to.decode(frameOf(to.encode(received))) as [unknown[]];
            const args = delivered[4] as unknown[];
            args.forEach((item, index) => {
              expect(item).toBeInstanceOf(Uint8Array);
              expect(Buffer.from(item as Uint8Array).equals(Buffer.from(blobs[index]))).toBe(true);
            });
            expect((delivered[5] as { blob: unknown }).blob).toBeInstanceOf(Uint8Array);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the receive pipeline (serializer, then decodeMessage) yields re-encodable messages or the two expected errors', () => {
    const frames = fc.oneof(
      // Message-like arrays encoded by a serializer, sometimes mutated.
      fc
        .tuple(messageLike, fc.nat(), fc.option(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { nil: undefined }))
        .map(([message, which, mutation]) => {
          const serializer = pick(serializers, which);
          let frame: Buffer;
          try {
            frame = Buffer.from(frameOf(serializer.encode(message)));
          } catch {
            frame = Buffer.from(JSON.stringify(message) ?? 'null');
          }
          if (mutation) frame[mutation[0] % Math.max(1, frame.length)] = mutation[1];
          return { serializer, frame };
        }),
      fc.tuple(anyBytes, fc.nat()).map(([frame, which]) => ({ serializer: pick(serializers, which), frame })),
    );
    const outcomes = { messages: 0, protocolErrors: 0, serializationErrors: 0 };
    fc.assert(
      fc.property(frames, fc.boolean(), ({ serializer, frame }, strictUris) => {
        const decoded = decodeOrSerializationError(serializer, frame);
        if (decoded instanceof SerializationError) {
          outcomes.serializationErrors++;
          return;
        }
        for (const raw of decoded) {
          let message: WampMessage;
          try {
            message = decodeMessage(raw, { ...DEFAULT_DECODER_OPTIONS, strictUris, maxDepth: 32 });
          } catch (error) {
            if (!(error instanceof WampProtocolError)) {
              throw new Error(`decodeMessage threw ${String(error)} for ${JSON.stringify(raw)}`, {
                cause: error,
              });
            }
            outcomes.protocolErrors++;
            continue;
          }
          outcomes.messages++;
          expect(CODES).toContain(message.type);
          // A valid message goes back on the wire for any peer, and reads back as itself.
          const wire = encodeMessage(message);
          encodableEverywhere(wire);
          expect(decodeMessage(wire, { ...DEFAULT_DECODER_OPTIONS, strictUris, maxDepth: 32 }).type).toBe(
            message.type,
          );
        }
      }),
      { numRuns: 2000 },
    );
    expect(outcomes.messages).toBeGreaterThan(200);
    expect(outcomes.protocolErrors).toBeGreaterThan(200);
  });

  // Pinned behaviour rather than properties: the translation properties above exclude these values because
  // the formats cannot carry them across.
  it('non-finite numbers (msgpack/CBOR only) reach JSON peers as null, as JSON has no such values', () => {
    for (const from of [msgpack, cbor]) {
      const [received] = from.decode(from.encode([50, 1, {}, [NaN, Infinity, -Infinity]])) as [unknown[]];
      expect(json.encode(received)).toBe('[50,1,{},[null,null,null]]');
    }
  });

  it('a lone surrogate (JSON only) reaches msgpack/CBOR peers as U+FFFD, as their strings are UTF-8', () => {
    const [received] = json.decode(Buffer.from('[36,1,2,{},["a\\ud800b"]]')) as [unknown[]];
    for (const to of [msgpack, cbor]) {
      const [delivered] = to.decode(to.encode(received)) as [unknown[]];
      expect(delivered[4]).toEqual(['a\ufffdb']);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// End to end

/** A Nest logger that records errors (the router logs internal failures as errors) and drops the rest. */
class RecordingLogger implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  debug(): void {}
  verbose(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    this.errors.push([message, ...rest].map(String).join(' | ').slice(0, 2000));
  }
}

/** Answers a router may give a client (router-to-client message types). */
// What a router sends a client: ABORT, GOODBYE, ERROR, PUBLISHED, SUBSCRIBED, UNSUBSCRIBED, EVENT, RESULT,
// REGISTERED, UNREGISTERED, and to a session that registered something, INVOCATION and INTERRUPT.
const ANSWER_TYPES = new Set([3, 6, 8, 17, 33, 35, 36, 50, 65, 67, 68, 69]);

describe('random messages against a real router (hardening)', () => {
  it('never crash it: each gets a valid answer, ABORT protocol_violation, or nothing; the canary stays healthy', async () => {
    const logger = new RecordingLogger();
    @Module({
      imports: [WampModule.forRoot({ realms: ['realm1'], maxPayload: 64 * 1024, helloTimeout: 3000 })],
      controllers: [CanaryController],
    })
    class PropertiesAppModule {}
    const app = await NestFactory.create(PropertiesAppModule, { logger, abortOnError: false });
    app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
    const url = `ws://127.0.0.1:${port}/ws`;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    const canary = await startCanary(url);
    const protocols = [
      'wamp.2.json',
      'wamp.2.msgpack',
      'wamp.2.cbor',
      'wamp.2.json.batched',
      'wamp.2.cbor.batched',
    ];
    const stats = { runs: 0, sessions: 0, answers: 0, aborts: 0, silent: 0, closedSilently: 0 };
    const invalid: string[] = [];
    let current: { client: RawWampClient; sent: Set<number>; seen: number } | undefined;
    const open = async (): Promise<NonNullable<typeof current>> => {
      const { client } = await RawWampClient.join(
        url,
        'realm1',
        protocols[stats.sessions % protocols.length],
      );
      stats.sessions++;
      return { client, sent: new Set(), seen: 0 };
    };
    let probe = 1_000_000;
    const probes = new Set<number>();
    /** Checks every frame the session received since the last look. */
    const inspect = (session: NonNullable<typeof current>): void => {
      const frames = session.client.pending;
      for (; session.seen < frames.length; session.seen++) {
        const message = frames[session.seen].message as unknown[] | undefined;
        const describe = JSON.stringify(message)?.slice(0, 300);
        if (!Array.isArray(message) || !ANSWER_TYPES.has(message[0] as number)) {
          invalid.push(`not an answer a router sends: ${describe}`);
          continue;
        }
        try {
          decodeMessage(message, { ...DEFAULT_DECODER_OPTIONS, strictUris: false, maxDepth: 64 });
        } catch (error) {
          invalid.push(`malformed answer ${describe}: ${String(error)}`);
        }
        if (message[0] === 8 && probes.has(message[2] as number)) {
          if (message[4] !== 'wamp.error.no_such_procedure') invalid.push(`probe answered ${describe}`);
        } else if (message[0] === 3) {
          stats.aborts++;
          if (message[2] !== 'wamp.error.protocol_violation')
            invalid.push(`ABORT other than protocol_violation: ${describe}`);
        } else {
          stats.answers++;
        }
        const request = message[0] === 8 ? message[2] : message[1];
        if (
          [8, 17, 33, 35, 50, 65, 67].includes(message[0] as number) &&
          !session.sent.has(request as number)
        ) {
          invalid.push(`answer to a request never sent: ${describe}`);
        }
      }
    };
    try {
      await fc.assert(
        fc.asyncProperty(messageLike, async (message) => {
          stats.runs++;
          current ??= await open();
          const session = current;
          const request = message[0] === 8 ? message[2] : message[1];
          if (typeof request === 'number') session.sent.add(request);
          try {
            session.client.send(message);
          } catch {
            return; // the test client's own encoder refused the value: nothing was sent
          }
          const before = session.client.pending.length;
          // A probe right behind it: its answer means the router has dealt with the message before it.
          const probeId = ++probe;
          session.sent.add(probeId);
          probes.add(probeId);
          // Under wamp.: no client registration (a random REGISTER may hold a matching pattern) ever receives it.
          session.client.send([48, probeId, {}, 'wamp.props.no_such_procedure']);
          const done = () =>
            session.client.pending.some((frame) => {
              const answer = frame.message as unknown[] | undefined;
              return Array.isArray(answer) && answer[0] === 8 && answer[2] === probeId;
            });
          let closed = false;
          void session.client.closed.then(() => (closed = true));
          const deadline = performance.now() + 2000;
          while (!done() && !closed && performance.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 1));
          inspect(session);
          if (closed || session.client.socket.readyState !== 1) {
            current = undefined;
            const last = session.client.pending.at(-1)?.message as unknown[] | undefined;
            // Closed with no ABORT or GOODBYE: the client's own ABORT, or a close at the WebSocket level.
            if (!Array.isArray(last) || (last[0] !== 3 && last[0] !== 6)) stats.closedSilently++;
            session.client.terminate();
          } else if (!done()) {
            // Neither answered nor closed in 2 s: the router lost the probe.
            invalid.push(`probe not answered after ${JSON.stringify(message).slice(0, 300)}`);
            current = undefined;
            session.client.terminate();
          } else if (session.client.pending.length - before === 1) {
            stats.silent++; // only the probe's answer: the message itself got none (yet)
          }
          expect(invalid).toEqual([]);
          expect(uncaught).toEqual([]);
        }),
        { numRuns: 600, interruptAfterTimeLimit: 40_000 },
      );
      // Late answers (Nest handlers answer asynchronously) get checked too.
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (current) inspect(current);
      const report = await canary.stop();
      process.stdout.write(
        `\nEnd-to-end property: ${stats.runs} random messages over ${stats.sessions} sessions: ${stats.answers} answers, ` +
          `${stats.aborts} ABORT protocol_violation, ${stats.silent} with no answer, ${stats.closedSilently} sessions ` +
          `closed without ABORT/GOODBYE; canary p99 ${report.p99} ms, ${report.calls} calls, ${report.failures} failures\n`,
      );
      expect(invalid).toEqual([]);
      expect(uncaught).toEqual([]);
      expect(logger.errors).toEqual([]);
      expect({ failures: report.failures, errors: report.errors, gaps: report.eventGaps }).toEqual({
        failures: 0,
        errors: [],
        gaps: 0,
      });
      // The router is still there and serving.
      const { client } = await RawWampClient.join(url);
      client.send([48, 1, {}, 'canary.echo', ['alive']]);
      expect(await client.next()).toEqual([50, 1, {}, ['alive']]);
      client.terminate();
    } finally {
      current?.client.terminate();
      await canary.stop();
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
      await app.close();
    }
  });
});

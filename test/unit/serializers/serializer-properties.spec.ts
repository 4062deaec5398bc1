import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { Packr } from 'msgpackr';

import { CborSerializer } from '../../../lib/core/serializers/cbor.serializer.js';
import { JsonBatchedSerializer } from '../../../lib/core/serializers/json-batched.serializer.js';
import { JsonSerializer } from '../../../lib/core/serializers/json.serializer.js';
import { LengthPrefixedBatchedSerializer } from '../../../lib/core/serializers/length-prefixed-batched.serializer.js';
import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import { SerializationError } from '../../../lib/core/serializers/serialization.error.js';
import type { WampSerializer } from '../../../lib/core/serializers/wamp-serializer.interface.js';
import { canonical } from './serializer-test-helpers.js';

const NUM_RUNS = 300;
const json = new JsonSerializer();
const msgpack = new MsgpackSerializer();
const cbor = new CborSerializer();
const all: WampSerializer[] = [
  json,
  msgpack,
  cbor,
  new JsonBatchedSerializer(),
  new LengthPrefixedBatchedSerializer(new MsgpackSerializer()),
  new LengthPrefixedBatchedSerializer(new CborSerializer()),
];
const frameOf = (encoded: Buffer | string): Buffer =>
  typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;

// Keys: any string but `__proto_`, whose clash with a renamed `__proto__` depends on key order.
const key = fc
  .oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('__proto__', 'constructor', 'toString'))
  .filter((text) => text !== '__proto_');
const integer = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  // Integral doubles up to the top of the uint64 range (the 64-bit paths). Not below -2^53: cbor-x decodes a
  // negative integer as `-1 - n` in doubles, so past 2^53 it can come back one ulp off (our encoding is
  // exact; the unit tests pin the bytes).
  fc.bigInt({ min: -(2n ** 53n), max: 2n ** 64n - 1n }).map(Number),
);
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  integer,
  // Every double beyond ±2^53 is integral and written as an integer; see `integer` for the lower bound.
  fc.double({ min: -(2 ** 53), noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'grapheme', minLength: 64, maxLength: 200 }),
  fc.uint8Array({ maxLength: 40 }),
);
const { value: modelValue } = fc.letrec<{
  value: unknown;
  list: unknown[];
  dictionary: Record<string, unknown>;
}>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('dictionary')),
  list: fc.array(tie('value'), { maxLength: 6 }),
  dictionary: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));
const message = fc.array(modelValue, { minLength: 1, maxLength: 6 });

describe('serializer properties', () => {
  it('msgpack and CBOR round-trip any model value (JSON values plus bytes), in both batching modes', () => {
    fc.assert(
      fc.property(message, (value) => {
        for (const serializer of all.filter((candidate) => candidate.binary)) {
          expect(canonical(serializer.decode(frameOf(serializer.encode(value)))[0])).toEqual(
            canonical(value),
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('JSON round-trips any JSON value, and bytes through the U+0000 convention', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 6 }), message, (plain, withBytes) => {
        for (const serializer of [json, all[3]]) {
          expect(canonical(serializer.decode(frameOf(serializer.encode(plain)))[0])).toEqual(
            canonical(plain),
          );
          expect(canonical(serializer.decode(frameOf(serializer.encode(withBytes)))[0])).toEqual(
            canonical(withBytes),
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('decodes the encodings msgpackr and cbor-x produce (as JS clients send them) to the same value', () => {
    const packr = new Packr({ useRecords: false });
    const encoder = new Encoder({ useRecords: false, mapsAsObjects: true });
    fc.assert(
      fc.property(message, (value) => {
        expect(canonical(msgpack.decode(packr.pack(value))[0])).toEqual(canonical(value));
        expect(canonical(cbor.decode(encoder.encode(value))[0])).toEqual(canonical(value));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('decodes any bytes to a list of messages or throws SerializationError, nothing else', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Mutations of valid frames get past the first byte far more often than random bytes.
      fc.tuple(message, fc.nat(), fc.nat({ max: 255 })).map(([value, position, byte]) => {
        const frame = Buffer.from(msgpack.encode(value));
        frame[position % frame.length] = byte;
        return frame;
      }),
      fc.tuple(message, fc.nat(), fc.nat({ max: 255 })).map(([value, position, byte]) => {
        const frame = Buffer.from(cbor.encode(value));
        frame[position % frame.length] = byte;
        return frame;
      }),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        for (const serializer of all) {
          try {
            expect(Array.isArray(serializer.decode(Buffer.from(input)))).toBe(true);
          } catch (error) {
            if (!(error instanceof SerializationError)) throw error;
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

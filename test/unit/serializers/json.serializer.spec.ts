import { JsonSerializer } from '../../../lib/core/serializers/json.serializer.js';
import { MAX_NESTING_DEPTH } from '../../../lib/core/serializers/serialization-limits.js';
import { nestArrays, serializationErrorOf } from './serializer-test-helpers.js';

const json = new JsonSerializer();
const frame = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('JsonSerializer', () => {
  it('describes wamp.2.json', () => {
    expect(json.protocol).toBe('wamp.2.json');
    expect(json.binary).toBe(false);
    expect(json.batched).toBe(false);
  });

  describe('encode', () => {
    it('writes compact JSON text', () => {
      expect(json.encode([1, 'realm1', {}])).toBe('[1,"realm1",{}]');
    });

    it('round-trips HELLO with nested details and CALL with args and kwargs', () => {
      const hello = [
        1,
        'realm1',
        { roles: { caller: { features: { progressive_call_results: true } } }, authid: 'a' },
      ];
      const call = [
        48,
        7814135,
        { timeout: 1000 },
        'com.myapp.add',
        [1, 2.5, 'x', null, true],
        { a: [{ b: {} }] },
      ];
      for (const message of [hello, call])
        expect(json.decode(frame(json.encode(message)))).toEqual([message]);
    });

    it('writes bytes as U+0000 followed by base64, in args and kwargs', () => {
      const message = [
        36,
        1,
        2,
        {},
        [Buffer.from([1, 2, 3]), new Uint8Array([255])],
        { blob: Buffer.from('hi') },
      ];
      expect(json.encode(message)).toBe('[36,1,2,{},["\\u0000AQID","\\u0000/w=="],{"blob":"\\u0000aGk="}]');
    });

    it('encodes only the viewed bytes of a Buffer slice', () => {
      const whole = Buffer.from([9, 9, 1, 2, 9]);
      expect(json.encode([whole.subarray(2, 4)])).toBe('["\\u0000AQI="]');
    });

    it('writes a Buffer returned by toJSON as binary, and otherwise honours toJSON', () => {
      const custom = { toJSON: () => Buffer.from([7]) };
      expect(json.encode([custom, new Date(0)])).toBe('["\\u0000Bw==","1970-01-01T00:00:00.000Z"]');
    });

    it('writes bigints as the nearest number (the documented conversion for JSON peers)', () => {
      expect(json.encode([1n, 2n ** 64n, { id: 1558266424841951553n }])).toBe(
        '[1,18446744073709552000,{"id":1558266424841951500}]',
      );
      expect(json.encode([Buffer.from([1]), 5n])).toBe('["\\u0000AQ==",5]');
    });

    it('rejects cycles and nesting past the limit with SerializationError', () => {
      const cyclic: unknown[] = [];
      cyclic.push(cyclic);
      serializationErrorOf(() => json.encode(cyclic));
      serializationErrorOf(() => json.encode(nestArrays(MAX_NESTING_DEPTH + 1) as unknown[]));
      // Far beyond what JSON.stringify itself could follow.
      serializationErrorOf(() => json.encode(nestArrays(1_000_000) as unknown[]));
      expect(() => json.encode(nestArrays(MAX_NESTING_DEPTH) as unknown[])).not.toThrow();
    });

    it('rejects a cycle behind binary (replacer path) with SerializationError', () => {
      const cyclic: Record<string, unknown> = { bytes: Buffer.from([1]) };
      cyclic.self = cyclic;
      serializationErrorOf(() => json.encode([cyclic]));
    });
  });

  describe('decode', () => {
    it('returns exactly what was parsed, wrapped in one array, even when it is not a list', () => {
      expect(json.decode(frame('[1,"realm1",{}]'))).toEqual([[1, 'realm1', {}]]);
      expect(json.decode(frame('{"a":1}'))).toEqual([{ a: 1 }]);
      expect(json.decode(frame('  42 '))).toEqual([42]);
    });

    it('turns U+0000 base64 strings into Buffers, nested in args and kwargs', () => {
      const [message] = json.decode(
        frame('[50,1,{},["\\u0000AQID",["\\u0000"]],{"k":{"deep":"\\u0000/w=="}}]'),
      ) as [unknown[]];
      expect(message).toEqual([
        50,
        1,
        {},
        [Buffer.from([1, 2, 3]), [Buffer.alloc(0)]],
        { k: { deep: Buffer.from([255]) } },
      ]);
      expect(Buffer.isBuffer((message[3] as unknown[])[0])).toBe(true);
    });

    it('leaves strings alone that only look like the escape, and keys that start with U+0000', () => {
      // "\\u0000" is a backslash followed by u0000, not U+0000.
      expect(json.decode(frame('["\\\\u0000AQID",{"\\u0000AQID":1}]'))).toEqual([
        ['\\u0000AQID', { '\u0000AQID': 1 }],
      ]);
    });

    it('rejects U+0000 followed by something that is not base64', () => {
      serializationErrorOf(() => json.decode(frame('["\\u0000not base64!"]')));
      serializationErrorOf(() => json.decode(frame('["\\u0000A"]')));
    });

    it('decodes 2^53 as the number 9007199254740992', () => {
      expect(json.decode(frame('[2,9007199254740992,{}]'))).toEqual([[2, 9007199254740992, {}]]);
    });

    it('rejects invalid UTF-8, a byte order mark, and text that is not JSON', () => {
      serializationErrorOf(() => json.decode(Buffer.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d])));
      serializationErrorOf(() => json.decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), frame('[1]')])));
      for (const text of ['', '[', '[1,]', '[1] x', '{"a"}', 'undefined', '[NaN]', '["\u0000"]']) {
        serializationErrorOf(() => json.decode(frame(text)));
      }
    });

    it('rejects nesting past the limit, and nothing shallower', () => {
      const depth = MAX_NESTING_DEPTH;
      expect(() => json.decode(frame('['.repeat(depth) + ']'.repeat(depth)))).not.toThrow();
      serializationErrorOf(() => json.decode(frame('['.repeat(depth + 1) + ']'.repeat(depth + 1))));
      serializationErrorOf(() => json.decode(frame('['.repeat(500_000) + ']'.repeat(500_000))));
    });

    it('renames a __proto__ key, however it is spelled, so it can never act as a prototype', () => {
      for (const key of ['__proto__', '\\u005f_proto__', '__pr\\u006fto__']) {
        const [decoded] = json.decode(frame(`[{"${key}":{"polluted":true}}]`)) as [[Record<string, unknown>]];
        const object = decoded[0];
        expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
        expect(Object.hasOwn(object, '__proto__')).toBe(false);
        expect(object.__proto_).toEqual({ polluted: true });
        expect(Object.assign({}, object)).not.toHaveProperty('polluted');
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('rejects a frame that is not a Buffer', () => {
      serializationErrorOf(() => json.decode('[1]' as unknown as Buffer));
    });
  });
});

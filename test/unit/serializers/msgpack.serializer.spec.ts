import { Packr } from 'msgpackr';

import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import { MAX_NESTING_DEPTH } from '../../../lib/core/serializers/serialization-limits.js';
import { canonical, hex, nestArrays, serializationErrorOf, toHex } from './serializer-test-helpers.js';

const msgpack = new MsgpackSerializer();
const encodeHex = (value: unknown): string => toHex(msgpack.encode([value])).slice(2); // drop the fixarray(1) header

describe('MsgpackSerializer', () => {
  it('describes wamp.2.msgpack', () => {
    expect(msgpack.protocol).toBe('wamp.2.msgpack');
    expect(msgpack.binary).toBe(true);
    expect(msgpack.batched).toBe(false);
  });

  it('encodes a known message to the exact bytes of the spec test suite', () => {
    // EVENT from testsuite/singlemessage/basic/event.json: 112233445566 is a uint64, not a float64.
    const event = [36, 9823526, 112233445566, {}, ['Hello, event!']];
    expect(toHex(msgpack.encode(event))).toBe(
      '9524ce0095e526cf0000001a21a278be8091ad48656c6c6f2c206576656e7421',
    );
  });

  it('round-trips HELLO with nested details, CALL with args and kwargs, and EVENT with binary', () => {
    const messages = [
      [
        1,
        'realm1',
        { roles: { subscriber: { features: { pattern_based_subscription: true } } }, authextra: { x: [1] } },
      ],
      [
        48,
        7814135,
        { receive_progress: true },
        'com.myapp.add',
        [1, -2, 2.5, 'é😀', null],
        { nested: { list: [false] } },
      ],
      [
        36,
        5647382910,
        998877665544,
        { enc_algo: 'cryptobox' },
        [Buffer.from([0, 1, 254, 255])],
        { raw: Buffer.alloc(300, 7) },
      ],
    ];
    for (const message of messages) {
      const [decoded] = msgpack.decode(msgpack.encode(message));
      expect(canonical(decoded)).toEqual(canonical(message));
    }
    const [event] = msgpack.decode(msgpack.encode(messages[2])) as [unknown[]];
    expect(Buffer.isBuffer((event[4] as unknown[])[0])).toBe(true);
  });

  it('writes integers in the smallest msgpack form, unsigned when non-negative, never as floats', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [0x7f, '7f'],
      [0x80, 'cc80'],
      [0xff, 'ccff'],
      [0x100, 'cd0100'],
      [0xffff, 'cdffff'],
      [0x10000, 'ce00010000'],
      [2 ** 32 - 1, 'ceffffffff'],
      [2 ** 32, 'cf0000000100000000'],
      [2 ** 53 - 1, 'cf001fffffffffffff'],
      [2 ** 53, 'cf0020000000000000'],
      [2 ** 63, 'cf8000000000000000'],
      [-1, 'ff'],
      [-32, 'e0'],
      [-33, 'd0df'],
      [-128, 'd080'],
      [-129, 'd1ff7f'],
      [-32768, 'd18000'],
      [-32769, 'd2ffff7fff'],
      [-(2 ** 31), 'd280000000'],
      [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
      [-(2 ** 53), 'd3ffe0000000000000'],
      [-(2 ** 63), 'd38000000000000000'],
      [2 ** 64, 'cb43f0000000000000'],
      [-(2 ** 64), 'cbc3f0000000000000'],
      [1.5, 'cb3ff8000000000000'],
      [-0, '00'],
    ];
    for (const [value, expected] of cases) {
      expect([value, encodeHex(value)]).toEqual([value, expected]);
      expect(canonical(msgpack.decode(msgpack.encode([value])))).toEqual([[canonical(value)]]);
    }
    expect(encodeHex(NaN)).toBe('cb7ff8000000000000');
  });

  it('writes bigints that fit in 64 bits as integers, and larger ones as the nearest double', () => {
    expect(encodeHex(5n)).toBe('05');
    expect(encodeHex(2n ** 64n - 1n)).toBe('cfffffffffffffffff');
    expect(encodeHex(-(2n ** 63n))).toBe('d38000000000000000');
    // MessagePack has no integer beyond 64 bits: the documented conversion, as for JSON peers.
    expect(encodeHex(2n ** 64n)).toBe('cb43f0000000000000');
    expect(encodeHex(-(2n ** 63n) - 1n)).toBe('cbc3e0000000000000');
    expect(msgpack.decode(msgpack.encode([2n ** 63n + 5n]))).toEqual([[2n ** 63n + 5n]]);
  });

  it('writes strings with the smallest header and correct UTF-8, lone surrogates as U+FFFD', () => {
    expect(encodeHex('')).toBe('a0');
    expect(encodeHex('x'.repeat(31))).toBe('bf' + '78'.repeat(31));
    expect(encodeHex('x'.repeat(32))).toBe('d920' + '78'.repeat(32));
    expect(encodeHex('x'.repeat(256)).slice(0, 6)).toBe('da0100');
    expect(encodeHex('x'.repeat(65536)).slice(0, 10)).toBe('db00010000');
    expect(encodeHex('é')).toBe('a2c3a9');
    expect(encodeHex('😀')).toBe('a4f09f9880');
    expect(encodeHex('a\ud800b')).toBe('a561efbfbd62');
    expect(encodeHex('\udc00\ud83d')).toBe('a6efbfbdefbfbd');
    for (const text of ['é'.repeat(40), '😀x'.repeat(30) + '\ud800', 'ü'.repeat(200)]) {
      expect(msgpack.decode(msgpack.encode([text]))).toEqual([[Buffer.from(text, 'utf8').toString('utf8')]]);
    }
  });

  it('writes bytes as bin (Buffer, Uint8Array and slices alike), never as an extension', () => {
    expect(encodeHex(Buffer.from([1, 2, 3]))).toBe('c403010203');
    expect(encodeHex(new Uint8Array([1, 2, 3]))).toBe('c403010203');
    expect(encodeHex(Buffer.from([9, 1, 2, 9]).subarray(1, 3))).toBe('c4020102');
    expect(encodeHex(Buffer.alloc(256)).slice(0, 6)).toBe('c50100');
    expect(encodeHex(Buffer.alloc(65536)).slice(0, 10)).toBe('c600010000');
  });

  it('writes containers with the smallest header', () => {
    expect(encodeHex([])).toBe('90');
    expect(encodeHex(new Array(16).fill(0)).slice(0, 6)).toBe('dc0010');
    expect(encodeHex({})).toBe('80');
    expect(
      encodeHex(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))).slice(0, 6),
    ).toBe('de0010');
  });

  it('follows JSON semantics for undefined, functions and toJSON', () => {
    expect(encodeHex({ a: undefined, b: 1, f: () => 0 })).toBe('81a16201');
    expect(encodeHex([undefined, () => 0])).toBe('92c0c0');
    expect(encodeHex(new Date(0))).toBe(toHex(msgpack.encode(['1970-01-01T00:00:00.000Z'])).slice(2));
    expect(encodeHex(new Map([[1, 2]]))).toBe('80');
  });

  it('rejects cycles and nesting past the limit with SerializationError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    serializationErrorOf(() => msgpack.encode([cyclic]));
    serializationErrorOf(() => msgpack.encode(nestArrays(MAX_NESTING_DEPTH + 1) as unknown[]));
    serializationErrorOf(() => msgpack.encode(nestArrays(1_000_000) as unknown[]));
    expect(() => msgpack.encode(nestArrays(MAX_NESTING_DEPTH) as unknown[])).not.toThrow();
  });

  it('keeps earlier results intact while later messages fill and outgrow the output slab', () => {
    const messages: unknown[][] = Array.from({ length: 3000 }, (_, i) => [
      36,
      i,
      2 ** 40 + i,
      {},
      ['x'.repeat(i % 97)],
      { b: Buffer.alloc(i % 50, i % 256) },
    ]);
    messages.splice(1500, 0, [36, 1, 2, {}, [Buffer.alloc(100_000, 3), 'y'.repeat(70_000)]]);
    const frames = messages.map((message) => msgpack.encode(message));
    // A failed encoding must not disturb the output either.
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    serializationErrorOf(() => msgpack.encode([1, 'x'.repeat(1000), cyclic]));
    frames.push(msgpack.encode([1, 'after the failure']));
    messages.push([1, 'after the failure']);
    frames.forEach((frame, i) => expect(canonical(msgpack.decode(frame)[0])).toEqual(canonical(messages[i])));
  });

  describe('decode', () => {
    it('decodes 64-bit integers as numbers up to 2^53 and exactly, as bigints, beyond', () => {
      // [2^53, -(2^53), 2^53 + 1]
      expect(msgpack.decode(hex('93cf0020000000000000d3ffe0000000000000cf0020000000000001'))).toEqual([
        [2 ** 53, -(2 ** 53), 2n ** 53n + 1n],
      ]);
    });

    it('decodes what msgpackr itself writes (as wampy sends it), floats for large integers included', () => {
      const message = [48, 1, {}, 'proc', [2 ** 40, 1.25, Buffer.from([1])], { a: null }];
      expect(canonical(msgpack.decode(new Packr({ useRecords: false }).pack(message))[0])).toEqual(
        canonical(message),
      );
      // msgpackr's records extension (its default, not MessagePack as other peers read it) is refused.
      expect(serializationErrorOf(() => msgpack.decode(new Packr().pack([{ a: 1 }, { a: 2 }]))).message).toBe(
        'MessagePack extension type 114 is not supported',
      );
    });

    it('renames a __proto__ key instead of setting the prototype', () => {
      // [{"__proto__": {"polluted": true}}]
      const [decoded] = msgpack.decode(hex('9181a95f5f70726f746f5f5f81a8706f6c6c75746564c3')) as [
        [Record<string, unknown>],
      ];
      const object = decoded[0];
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.hasOwn(object, '__proto__')).toBe(false);
      expect(object.__proto_).toEqual({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('normalizes undefined (fixext 0) like JSON: dropped from maps, null in arrays', () => {
      // [undefined, {"a": undefined, "b": 1}]
      expect(msgpack.decode(hex('92d4000082a161d40000a16201'))).toEqual([[null, { b: 1 }]]);
    });

    it('reads a bigint extension of up to 64 bits exactly and refuses longer ones', () => {
      // fixext 8, type 0x42 (msgpackr's BigInt), 2^62
      expect(msgpack.decode(hex('91d7424000000000000000'))).toEqual([[2n ** 62n]]);
      const frame = new Packr({ useRecords: false, useBigIntExtension: true }).pack([2n ** 70n]);
      expect(serializationErrorOf(() => msgpack.decode(frame)).message).toMatch(
        /^MessagePack BigInt of \d+ bytes is not supported/,
      );
    });

    it('rejects extension types outside the value model', () => {
      const rejected = [
        'd6ff00000001', // timestamp
        'c1', // never used
        '91c1',
        'd47300', // msgpackr Set
        'd4650093a14561a162c0', // msgpackr Error
        'd47800' + '92a178a0', // msgpackr RegExp
        'd501ff', // unknown extension
      ];
      for (const bytes of rejected) serializationErrorOf(() => msgpack.decode(hex(bytes)));
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      serializationErrorOf(() => msgpack.decode(new Packr({ structuredClone: true }).pack(cyclic)));
      serializationErrorOf(() => msgpack.decode(new Packr({ moreTypes: true }).pack([new Set([1])])));
    });

    it('rejects garbage, truncation and trailing bytes with SerializationError', () => {
      const valid = msgpack.encode([
        48,
        7814135,
        {},
        'com.myapp.myprocedure1',
        ['Hello, world!'],
        { k: Buffer.from([1]) },
      ]);
      for (let end = 0; end < valid.length; end++)
        serializationErrorOf(() => msgpack.decode(valid.subarray(0, end)));
      serializationErrorOf(() => msgpack.decode(Buffer.concat([valid, hex('c0')])));
      // Lengths far beyond the frame, and a map key that is a container.
      for (const bytes of ['', 'dd7fffffff', 'df7fffffff', 'db7fffffff61', 'c6ffffffff', '8190c0']) {
        serializationErrorOf(() => msgpack.decode(hex(bytes)));
      }
    });

    it('turns scalar map keys into strings, as JSON object keys are', () => {
      expect(msgpack.decode(hex('8301c0c3c0cb3ff8000000000000c0'))).toEqual([
        { 1: null, true: null, '1.5': null },
      ]);
      expect(msgpack.decode(hex('81c0c0'))).toEqual([{ null: null }]);
    });

    it('rejects nesting past the limit, including nesting too deep for msgpackr itself', () => {
      expect(() => msgpack.decode(hex('91'.repeat(MAX_NESTING_DEPTH) + 'c0'))).not.toThrow();
      serializationErrorOf(() => msgpack.decode(hex('91'.repeat(MAX_NESTING_DEPTH + 1) + 'c0')));
      serializationErrorOf(() => msgpack.decode(hex('91'.repeat(200_000) + 'c0')));
    });

    it('rejects a frame that is not a Buffer', () => {
      serializationErrorOf(() => msgpack.decode('x' as unknown as Buffer));
    });
  });
});

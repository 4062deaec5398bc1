import { WampMessageType } from '../../../lib/core/index.js';
import { CborSerializer } from '../../../lib/core/serializers/cbor.serializer.js';
import { JsonSerializer } from '../../../lib/core/serializers/json.serializer.js';
import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import { canonical, hex, toHex } from './serializer-test-helpers.js';
import { SERIALIZER_VECTORS } from './serializer-vectors.fixture.js';

// Our own messages with encodings produced by independent implementations (Python json, msgpack,
// cbor2; see the fixture). Every listed variant decodes to the message, and our encoding of the message
// equals at least one listed variant ("serialization is not bijective").
const json = new JsonSerializer();
const msgpack = new MsgpackSerializer();
const cbor = new CborSerializer();

describe.each(SERIALIZER_VECTORS)('$name', (vector) => {
  const expected = [canonical(vector.message)];

  it('decodes every JSON variant to the message', () => {
    for (const text of vector.json)
      expect(canonical(json.decode(Buffer.from(text, 'utf8')))).toEqual(expected);
  });

  it('decodes every msgpack variant to the message', () => {
    for (const bytes of vector.msgpack) expect(canonical(msgpack.decode(hex(bytes)))).toEqual(expected);
  });

  it('decodes every CBOR variant to the message', () => {
    for (const bytes of vector.cbor) expect(canonical(cbor.decode(hex(bytes)))).toEqual(expected);
  });

  it('encodes the message to one of the listed variants in every format', () => {
    expect(vector.json).toContain(json.encode(vector.message));
    expect(vector.msgpack).toContain(toHex(msgpack.encode(vector.message)));
    expect(vector.cbor).toContain(toHex(cbor.encode(vector.message)));
  });

  it('re-encodes what it decoded from its own encoding to the same bytes', () => {
    const ownJson = json.encode(vector.message);
    expect(json.encode(json.decode(Buffer.from(ownJson, 'utf8'))[0] as unknown[])).toBe(ownJson);
    const ownMsgpack = toHex(msgpack.encode(vector.message));
    expect(toHex(msgpack.encode(msgpack.decode(hex(ownMsgpack))[0] as unknown[]))).toBe(ownMsgpack);
    const ownCbor = toHex(cbor.encode(vector.message));
    expect(toHex(cbor.encode(cbor.decode(hex(ownCbor))[0] as unknown[]))).toBe(ownCbor);
  });
});

describe('serializer vectors', () => {
  it('cover all 24 message types', () => {
    const covered = new Set(SERIALIZER_VECTORS.map((vector) => vector.message[0]));
    const all = Object.values(WampMessageType).filter((value) => typeof value === 'number');
    expect(all).toHaveLength(24);
    expect([...covered].sort()).toEqual([...all].sort());
  });

  it('have unique names and at least one variant per format', () => {
    const names = SERIALIZER_VECTORS.map((vector) => vector.name);
    expect(new Set(names).size).toBe(names.length);
    for (const vector of SERIALIZER_VECTORS) {
      expect(vector.json.length).toBeGreaterThan(0);
      expect(vector.msgpack.length).toBeGreaterThan(0);
      expect(vector.cbor.length).toBeGreaterThan(0);
    }
  });

  it('include binary values, floats, 2^53 - 1, negative integers, null and non-ASCII strings', () => {
    const values: unknown[] = [];
    const walk = (value: unknown): void => {
      values.push(value);
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
        Object.values(value).forEach(walk);
      }
    };
    for (const vector of SERIALIZER_VECTORS) walk(vector.message);
    expect(values.some((value) => value instanceof Uint8Array && value.length > 0)).toBe(true);
    expect(values.some((value) => value instanceof Uint8Array && value.length === 0)).toBe(true);
    expect(values.some((value) => typeof value === 'number' && !Number.isInteger(value))).toBe(true);
    expect(values).toContain(2 ** 53 - 1);
    expect(values).toContain(2 ** 53);
    expect(values.some((value) => typeof value === 'number' && value < 0)).toBe(true);
    expect(values).toContain(null);
    expect(values).toContain(true);
    expect(values).toContain(false);
    expect(
      values.some(
        (value) => typeof value === 'string' && [...value].some((char) => char.codePointAt(0)! > 0x7f),
      ),
    ).toBe(true);
  });
});

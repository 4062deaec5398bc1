import { CborSerializer } from '../../../lib/core/serializers/cbor.serializer.js';
import {
  JSON_BATCH_SEPARATOR,
  JsonBatchedSerializer,
} from '../../../lib/core/serializers/json-batched.serializer.js';
import { LengthPrefixedBatchedSerializer } from '../../../lib/core/serializers/length-prefixed-batched.serializer.js';
import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import { canonical, hex, serializationErrorOf, toHex } from './serializer-test-helpers.js';

const messages: unknown[][] = [
  [1, 'realm1', { roles: { caller: {} } }],
  [48, 2, {}, 'com.example.add', [1, 2], { bytes: Buffer.from([1, 2, 3]) }],
  [36, 9007199254740992, 3, {}, ['\u001e inside a string is escaped', 'é']],
];

describe('JsonBatchedSerializer', () => {
  const batched = new JsonBatchedSerializer();

  it('describes wamp.2.json.batched', () => {
    expect([batched.protocol, batched.binary, batched.batched]).toEqual(['wamp.2.json.batched', false, true]);
  });

  it('encodes one message as JSON text followed by 0x1E', () => {
    expect(batched.encode([1, 'realm1', {}])).toBe('[1,"realm1",{}]\u001e');
    expect(JSON_BATCH_SEPARATOR.charCodeAt(0)).toBe(0x1e);
  });

  it('splits a frame of several records into all of its messages, in order', () => {
    const frame = Buffer.from(messages.map((message) => batched.encode(message)).join(''), 'utf8');
    expect(canonical(batched.decode(frame))).toEqual(canonical(messages));
    expect(batched.decode(Buffer.from('[1]\u001e'))).toEqual([[1]]);
  });

  it('rejects a missing final separator, empty records, and any invalid record', () => {
    for (const text of [
      '',
      '[1]',
      '[1]\u001e[2]',
      '\u001e',
      '[1]\u001e\u001e',
      '[1]\u001e[2\u001e',
      '[1]\u0018',
    ]) {
      serializationErrorOf(() => batched.decode(Buffer.from(text, 'utf8')));
    }
    serializationErrorOf(() => batched.decode(Buffer.from([0x5b, 0x31, 0x5d, 0xff, 0x1e])));
  });
});

describe.each([
  ['wamp.2.msgpack.batched', new MsgpackSerializer()],
  ['wamp.2.cbor.batched', new CborSerializer()],
])('%s', (protocol, inner) => {
  const batched = new LengthPrefixedBatchedSerializer(inner);
  const records = messages.map((message) => batched.encode(message));

  it('describes itself after the inner format', () => {
    expect([batched.protocol, batched.binary, batched.batched]).toEqual([protocol, true, true]);
  });

  it('encodes one message as a 4-byte big-endian length followed by the unbatched encoding', () => {
    const message = [1, 'realm1', {}];
    const plain = inner.encode(message);
    const record = batched.encode(message);
    expect(toHex(record)).toBe(plain.length.toString(16).padStart(8, '0') + toHex(plain));
  });

  it('splits a frame of several records into all of its messages, in order', () => {
    expect(canonical(batched.decode(Buffer.concat(records)))).toEqual(canonical(messages));
    expect(canonical(batched.decode(records[1]))).toEqual(canonical([messages[1]]));
  });

  it('rejects truncated and lying length prefixes, trailing bytes, empty records and empty frames', () => {
    const frame = Buffer.concat(records);
    const bad = [
      Buffer.alloc(0),
      frame.subarray(0, 3), // prefix cut short
      frame.subarray(0, frame.length - 1), // last record cut short
      Buffer.concat([frame, hex('00')]), // trailing byte: a truncated prefix
      Buffer.concat([frame, hex('00000000')]), // empty record
      Buffer.concat([hex('ffffffff'), records[0].subarray(4)]), // length beyond the frame
      Buffer.concat([hex('00000001'), records[0].subarray(4)]), // length shorter than the record
    ];
    for (const bytes of bad) serializationErrorOf(() => batched.decode(bytes));
    // A record whose content is not one valid value.
    serializationErrorOf(() => batched.decode(hex('00000002c0c0')));
    serializationErrorOf(() => batched.decode(hex('00000001c1')));
  });

  it('decodes a record that sits at an offset inside a larger buffer', () => {
    const backing = Buffer.concat([hex('aabbcc'), ...records]);
    expect(canonical(batched.decode(backing.subarray(3)))).toEqual(canonical(messages));
  });
});

import { Packr } from 'msgpackr';
import { CborSerializer } from '../../../lib/core/serializers/cbor.serializer.js';
import { JsonBatchedSerializer } from '../../../lib/core/serializers/json-batched.serializer.js';
import { JsonSerializer } from '../../../lib/core/serializers/json.serializer.js';
import { LengthPrefixedBatchedSerializer } from '../../../lib/core/serializers/length-prefixed-batched.serializer.js';
import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import { createSerializer } from '../../../lib/core/serializers/serializer-registry.js';
import type { WampSerializer } from '../../../lib/core/serializers/wamp-serializer.interface.js';
import { serializationErrorOf } from './serializer-test-helpers.js';

const PUBLISH = [16, 9, {}, 'a.b', ['x']];
const LIMITS = { maxBatchedMessages: 3 };

function batchedSerializers(): [string, WampSerializer][] {
  return [
    ['wamp.2.json.batched', new JsonBatchedSerializer(LIMITS)],
    ['wamp.2.msgpack.batched', new LengthPrefixedBatchedSerializer(new MsgpackSerializer(), LIMITS)],
    ['wamp.2.cbor.batched', new LengthPrefixedBatchedSerializer(new CborSerializer(), LIMITS)],
  ];
}

function frameOf(serializer: WampSerializer, count: number, message: unknown[] = PUBLISH): Buffer {
  const records = Array.from({ length: count }, () => serializer.encode(message));
  return typeof records[0] === 'string'
    ? Buffer.from((records as string[]).join(''), 'utf8')
    : Buffer.concat(records as Buffer[]);
}

describe('maxBatchedMessages', () => {
  it.each(batchedSerializers())('%s decodes up to the limit and refuses one more', (_name, serializer) => {
    expect(serializer.decode(frameOf(serializer, 3))).toHaveLength(3);
    expect(serializationErrorOf(() => serializer.decode(frameOf(serializer, 4))).message).toBe(
      "batched frame carries more than 3 messages (the router's maxBatchedMessages)",
    );
  });

  it.each(batchedSerializers())(
    '%s refuses an over-full frame before decoding any record (red-team attack 5)',
    (_name, serializer) => {
      // 80,000 records, the last one invalid: the count is what fails, so no record was decoded.
      const frame = Buffer.concat([frameOf(serializer, 80_000), frameOf(serializer, 1, [])]);
      // The count answers, not the invalid last record: no record was decoded (not timed).
      expect(serializationErrorOf(() => serializer.decode(frame)).message).toMatch(/more than 3 messages/);
    },
  );

  it('createSerializer passes the limit to the batched serializers (default 100)', () => {
    const json = createSerializer('wamp.2.json.batched');
    expect(json.decode(frameOf(json, 100))).toHaveLength(100);
    expect(serializationErrorOf(() => json.decode(frameOf(json, 101))).message).toMatch(/more than 100/);
    const msgpack = createSerializer('wamp.2.msgpack.batched', { maxBatchedMessages: 2 });
    expect(serializationErrorOf(() => msgpack.decode(frameOf(msgpack, 3))).message).toMatch(/more than 2/);
  });
});

describe('peekRequest', () => {
  const all: [string, WampSerializer][] = [
    ['wamp.2.json', new JsonSerializer()],
    ['wamp.2.msgpack', new MsgpackSerializer()],
    ['wamp.2.cbor', new CborSerializer()],
    ...batchedSerializers(),
  ];

  it.each(all)(
    '%s reads [type, request] of a single message without decoding the rest',
    (_name, serializer) => {
      for (const request of [1, 23, 24, 255, 256, 65535, 65536, 2 ** 32, 2 ** 53]) {
        const frame = frameOf(serializer, 1, [48, request, {}, 'a.b', ['x'.repeat(70_000)]]);
        expect(serializer.peekRequest?.(frame)).toEqual({ type: 48, request });
      }
    },
  );

  it.each(all)('%s gives nothing for what does not start like a request', (_name, serializer) => {
    for (const message of [[48, -1, {}, 'a'], [48, 1.5, {}, 'a'], ['x', 1], [48]]) {
      expect(serializer.peekRequest?.(frameOf(serializer, 1, message))).toBeUndefined();
    }
    expect(serializer.peekRequest?.(Buffer.alloc(0))).toBeUndefined();
    expect(serializer.peekRequest?.(Buffer.from([0xff, 0x00]))).toBeUndefined();
  });

  it.each(batchedSerializers())('%s gives nothing for a frame of several records', (_name, serializer) => {
    expect(serializer.peekRequest?.(frameOf(serializer, 2))).toBeUndefined();
    expect(serializer.peekRequest?.(frameOf(serializer, 1))).toEqual({ type: 16, request: 9 });
  });

  it('reads the heads other encoders write (msgpackr uint64, JSON whitespace)', () => {
    const packr = new Packr({ useRecords: false, int64AsType: 'bigint' } as never);
    expect(new MsgpackSerializer().peekRequest(packr.pack([48, 2n ** 40n, {}, 'a']))).toEqual({
      type: 48,
      request: 2 ** 40,
    });
    expect(new JsonSerializer().peekRequest(Buffer.from(' [ 48 ,\n 7 , {}, "a"]'))).toEqual({
      type: 48,
      request: 7,
    });
  });
});

import { CborSerializer } from '../../../lib/core/serializers/cbor.serializer.js';
import { JsonSerializer } from '../../../lib/core/serializers/json.serializer.js';
import { MsgpackSerializer } from '../../../lib/core/serializers/msgpack.serializer.js';
import type { WampSerializer } from '../../../lib/core/serializers/wamp-serializer.interface.js';
import { canonical, hex, toHex } from './serializer-test-helpers.js';

// The router decodes with the sender's serializer and re-encodes with each receiver's: the shared value
// model must survive every translation, binary values included.
const json = new JsonSerializer();
const msgpack = new MsgpackSerializer();
const cbor = new CborSerializer();
const frameOf = (encoded: Buffer | string): Buffer =>
  typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;

// EVENT with an end-to-end encrypted (binary) payload, from testsuite/singlemessage/basic/event.json.
const EVENT_JSON =
  '[36,5647382910,998877665544,{"enc_algo":"cryptobox","enc_serializer":"msgpack"},"\\u0000g6Vjb2xvcqRibHVlpHNpemWlbGFyZ2WlY291bnQe"]';
const EVENT_MSGPACK =
  '9524cf00000001509c397ecf000000e891bf990882a8656e635f616c676fa963727970746f626f78ae656e635f73657269616c697a6572a76d73677061636bc41e83a5636f6c6f72a4626c7565a473697a65a56c61726765a5636f756e741e';
const EVENT_CBOR =
  '8518241b00000001509c397e1b000000e891bf9908a268656e635f616c676f6963727970746f626f786e656e635f73657269616c697a6572676d73677061636b581e83a5636f6c6f72a4626c7565a473697a65a56c61726765a5636f756e741e';

describe('translation between serializers', () => {
  it('re-encodes msgpack binary (bin) as the JSON U+0000 base64 string', () => {
    const [event] = msgpack.decode(hex(EVENT_MSGPACK)) as [unknown[]];
    expect(json.encode(event)).toBe(EVENT_JSON);
  });

  it('re-encodes the JSON binary string as a CBOR byte string', () => {
    const [event] = json.decode(Buffer.from(EVENT_JSON, 'utf8')) as [unknown[]];
    expect(toHex(cbor.encode(event))).toBe(EVENT_CBOR);
  });

  it('re-encodes CBOR byte strings as msgpack bin', () => {
    const [event] = cbor.decode(hex(EVENT_CBOR)) as [unknown[]];
    expect(toHex(msgpack.encode(event))).toBe(EVENT_MSGPACK);
  });

  it('keeps a message with binary in args and kwargs equal through every pair of serializers', () => {
    const message = [
      50,
      77,
      {},
      [Buffer.from('abc'), { inner: [Buffer.alloc(0), 2 ** 53] }],
      { b: Buffer.from([0, 255]) },
    ];
    const serializers: WampSerializer[] = [json, msgpack, cbor];
    for (const from of serializers) {
      const [decoded] = from.decode(frameOf(from.encode(message))) as [unknown[]];
      for (const to of serializers) {
        expect(canonical(to.decode(frameOf(to.encode(decoded)))[0])).toEqual(canonical(message));
      }
    }
  });
});

/**
 * Serializer vectors of our own: messages written for this project, each with its expected encodings.
 * Every serializer must decode every listed variant to `message`, and its own encoding of `message`
 * must equal one of the listed variants (several encodings of one message are valid).
 *
 * The expected bytes were NOT produced by this project's encoders but by independent implementations:
 * Python 3.11's `json` module and Debian's python3-msgpack 1.0.3 and python3-cbor2 5.4.6. Each
 * message was written as a Python value (bytes as `bytes`) and encoded with:
 *
 *     import base64, json, msgpack, cbor2
 *
 *     def to_json(v):  # WAMP JSON binary convention: U+0000 followed by base64
 *         if isinstance(v, bytes): return '\x00' + base64.b64encode(v).decode()
 *         if isinstance(v, list): return [to_json(x) for x in v]
 *         if isinstance(v, dict): return {k: to_json(x) for k, x in v.items()}
 *         return v
 *
 *     json.dumps(to_json(msg), separators=(',', ':'), ensure_ascii=False)  # "compact"
 *     json.dumps(to_json(msg))                                             # "json.dumps default"
 *     msgpack.packb(msg, use_bin_type=True).hex()                          # "packb"
 *     cbor2.dumps(msg).hex()                                               # "dumps"
 *
 * Extra variants, where Python's output legitimately differs from ours, are marked:
 * - "use_single_float=True" / "canonical=True": `packb(msg, use_bin_type=True, use_single_float=True)`
 *   and `cbor2.dumps(msg, canonical=True)` write floats in 32 (and, for CBOR, 16) bits when that is
 *   exact. Our encoders always write float64, so these variants must only decode.
 * - "Python floats": the same message with Python `float`s (2.0 instead of 2). JavaScript has one
 *   number type, so our encoders write an integral number as an integer; the float encodings decode
 *   to the same numbers.
 */

/** Hex to bytes, for binary values inside messages. */
function bytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** One message and every valid encoding of it per serializer. */
export interface SerializerVector {
  /** Message type and what the vector exercises. */
  readonly name: string;
  /** The message in the shared value model (bytes as Buffer). */
  readonly message: readonly unknown[];
  /** JSON texts. */
  readonly json: readonly string[];
  /** MessagePack encodings, hex. */
  readonly msgpack: readonly string[];
  /** CBOR encodings, hex. */
  readonly cbor: readonly string[];
}

export const SERIALIZER_VECTORS: readonly SerializerVector[] = [
  {
    name: 'HELLO with roles, features, auth methods and a non-ASCII agent',
    message: [
      1,
      'org.nestjs_wamp.realm',
      {
        roles: {
          caller: { features: { progressive_call_results: true, call_canceling: true } },
          subscriber: {},
        },
        agent: 'nestjs-wamp-tests/0.1 (Zürich)',
        authmethods: ['ticket', 'anonymous'],
        authid: 'kiosk-07',
      },
    ],
    json: [
      // compact, ensure_ascii=False
      '[1,"org.nestjs_wamp.realm",{"roles":{"caller":{"features":{"progressive_call_results":true,"call_canceling":true}},"subscriber":{}},"agent":"nestjs-wamp-tests/0.1 (Zürich)","authmethods":["ticket","anonymous"],"authid":"kiosk-07"}]',
      // json.dumps default
      '[1, "org.nestjs_wamp.realm", {"roles": {"caller": {"features": {"progressive_call_results": true, "call_canceling": true}}, "subscriber": {}}, "agent": "nestjs-wamp-tests/0.1 (Z\\u00fcrich)", "authmethods": ["ticket", "anonymous"], "authid": "kiosk-07"}]',
    ],
    msgpack: [
      // packb
      '9301b56f72672e6e6573746a735f77616d702e7265616c6d84a5726f6c657382a663616c6c657281a8666561747572657382b870726f67726573736976655f63616c6c5f726573756c7473c3ae63616c6c5f63616e63656c696e67c3aa7375627363726962657280a56167656e74bf6e6573746a732d77616d702d74657374732f302e3120285ac3bc7269636829ab617574686d6574686f647392a67469636b6574a9616e6f6e796d6f7573a6617574686964a86b696f736b2d3037',
    ],
    cbor: [
      // dumps
      '8301756f72672e6e6573746a735f77616d702e7265616c6da465726f6c6573a26663616c6c6572a1686665617475726573a2781870726f67726573736976655f63616c6c5f726573756c7473f56e63616c6c5f63616e63656c696e67f56a73756273637269626572a0656167656e74781f6e6573746a732d77616d702d74657374732f302e3120285ac3bc72696368296b617574686d6574686f647382667469636b657469616e6f6e796d6f757366617574686964686b696f736b2d3037',
    ],
  },
  {
    name: 'WELCOME with session 2^53 - 1',
    message: [
      2,
      9007199254740991,
      {
        roles: { broker: { features: { publisher_exclusion: true } }, dealer: {} },
        authid: 'kiosk-07',
        authrole: 'device',
        authmethod: 'ticket',
      },
    ],
    json: [
      // compact, ensure_ascii=False
      '[2,9007199254740991,{"roles":{"broker":{"features":{"publisher_exclusion":true}},"dealer":{}},"authid":"kiosk-07","authrole":"device","authmethod":"ticket"}]',
      // json.dumps default
      '[2, 9007199254740991, {"roles": {"broker": {"features": {"publisher_exclusion": true}}, "dealer": {}}, "authid": "kiosk-07", "authrole": "device", "authmethod": "ticket"}]',
    ],
    msgpack: [
      // packb
      '9302cf001fffffffffffff84a5726f6c657382a662726f6b657281a8666561747572657381b37075626c69736865725f6578636c7573696f6ec3a66465616c657280a6617574686964a86b696f736b2d3037a861757468726f6c65a6646576696365aa617574686d6574686f64a67469636b6574',
    ],
    cbor: [
      // dumps
      '83021b001fffffffffffffa465726f6c6573a26662726f6b6572a1686665617475726573a1737075626c69736865725f6578636c7573696f6ef5666465616c6572a066617574686964686b696f736b2d30376861757468726f6c65666465766963656a617574686d6574686f64667469636b6574',
    ],
  },
  {
    name: 'ABORT with args, kwargs and a non-ASCII message',
    message: [
      3,
      { message: 'Realm wird gewartet ⚙' },
      'org.nestjs_wamp.error.maintenance',
      ['retry-after'],
      { seconds: 90 },
    ],
    json: [
      // compact, ensure_ascii=False
      '[3,{"message":"Realm wird gewartet ⚙"},"org.nestjs_wamp.error.maintenance",["retry-after"],{"seconds":90}]',
      // json.dumps default
      '[3, {"message": "Realm wird gewartet \\u2699"}, "org.nestjs_wamp.error.maintenance", ["retry-after"], {"seconds": 90}]',
    ],
    msgpack: [
      // packb
      '950381a76d657373616765b75265616c6d207769726420676577617274657420e29a99d9216f72672e6e6573746a735f77616d702e6572726f722e6d61696e74656e616e636591ab72657472792d616674657281a77365636f6e64735a',
    ],
    cbor: [
      // dumps
      '8503a1676d657373616765775265616c6d207769726420676577617274657420e29a9978216f72672e6e6573746a735f77616d702e6572726f722e6d61696e74656e616e6365816b72657472792d6166746572a1677365636f6e6473185a',
    ],
  },
  {
    name: 'CHALLENGE with a JSON string in Extra',
    message: [
      4,
      'wampcra',
      {
        challenge: '{"nonce":"Qm9vaw","authid":"kiosk-07"}',
        salt: 'pepper-31',
        iterations: 1500,
        keylen: 32,
      },
    ],
    json: [
      // compact, ensure_ascii=False
      '[4,"wampcra",{"challenge":"{\\"nonce\\":\\"Qm9vaw\\",\\"authid\\":\\"kiosk-07\\"}","salt":"pepper-31","iterations":1500,"keylen":32}]',
      // json.dumps default
      '[4, "wampcra", {"challenge": "{\\"nonce\\":\\"Qm9vaw\\",\\"authid\\":\\"kiosk-07\\"}", "salt": "pepper-31", "iterations": 1500, "keylen": 32}]',
    ],
    msgpack: [
      // packb
      '9304a777616d7063726184a96368616c6c656e6765d9267b226e6f6e6365223a22516d39766177222c22617574686964223a226b696f736b2d3037227da473616c74a97065707065722d3331aa697465726174696f6e73cd05dca66b65796c656e20',
    ],
    cbor: [
      // dumps
      '83046777616d70637261a4696368616c6c656e676578267b226e6f6e6365223a22516d39766177222c22617574686964223a226b696f736b2d3037227d6473616c74697065707065722d33316a697465726174696f6e731905dc666b65796c656e1820',
    ],
  },
  {
    name: 'AUTHENTICATE with Extra',
    message: [5, 's3cr3t-t1cket', { device: 'kiosk-07' }],
    json: [
      // compact, ensure_ascii=False
      '[5,"s3cr3t-t1cket",{"device":"kiosk-07"}]',
      // json.dumps default
      '[5, "s3cr3t-t1cket", {"device": "kiosk-07"}]',
    ],
    msgpack: [
      // packb
      '9305ad7333637233742d7431636b657481a6646576696365a86b696f736b2d3037',
    ],
    cbor: [
      // dumps
      '83056d7333637233742d7431636b6574a166646576696365686b696f736b2d3037',
    ],
  },
  {
    name: 'GOODBYE with a message',
    message: [6, { message: 'shutting down' }, 'wamp.close.system_shutdown'],
    json: [
      // compact, ensure_ascii=False
      '[6,{"message":"shutting down"},"wamp.close.system_shutdown"]',
      // json.dumps default
      '[6, {"message": "shutting down"}, "wamp.close.system_shutdown"]',
    ],
    msgpack: [
      // packb
      '930681a76d657373616765ad7368757474696e6720646f776eba77616d702e636c6f73652e73797374656d5f73687574646f776e',
    ],
    cbor: [
      // dumps
      '8306a1676d6573736167656d7368757474696e6720646f776e781a77616d702e636c6f73652e73797374656d5f73687574646f776e',
    ],
  },
  {
    name: 'ERROR for CALL with negative integers at every width',
    message: [
      8,
      48,
      2,
      {},
      'org.nestjs_wamp.error.invalid_amount',
      [-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -9007199254740991],
      { field: 'amount', min: -250 },
    ],
    json: [
      // compact, ensure_ascii=False
      '[8,48,2,{},"org.nestjs_wamp.error.invalid_amount",[-1,-32,-33,-128,-129,-32768,-32769,-2147483648,-2147483649,-9007199254740991],{"field":"amount","min":-250}]',
      // json.dumps default
      '[8, 48, 2, {}, "org.nestjs_wamp.error.invalid_amount", [-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -9007199254740991], {"field": "amount", "min": -250}]',
    ],
    msgpack: [
      // packb
      '9708300280d9246f72672e6e6573746a735f77616d702e6572726f722e696e76616c69645f616d6f756e749affe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffffd3ffe000000000000182a56669656c64a6616d6f756e74a36d696ed1ff06',
    ],
    cbor: [
      // dumps
      '8708183002a078246f72672e6e6573746a735f77616d702e6572726f722e696e76616c69645f616d6f756e748a20381f3820387f3880397fff3980003a7fffffff3a800000003b001ffffffffffffea2656669656c6466616d6f756e74636d696e38f9',
    ],
  },
  {
    name: 'PUBLISH with nested dicts, null and unicode',
    message: [
      16,
      1,
      { acknowledge: true, exclude_me: false, exclude: [7, 9007199254740992] },
      'org.nestjs_wamp.docs.changed',
      ['doc-17'],
      { doc: { id: 17, tags: ['draft', 'ünïcödé'], meta: { rev: { n: 3, by: null } } } },
    ],
    json: [
      // compact, ensure_ascii=False
      '[16,1,{"acknowledge":true,"exclude_me":false,"exclude":[7,9007199254740992]},"org.nestjs_wamp.docs.changed",["doc-17"],{"doc":{"id":17,"tags":["draft","ünïcödé"],"meta":{"rev":{"n":3,"by":null}}}}]',
      // json.dumps default
      '[16, 1, {"acknowledge": true, "exclude_me": false, "exclude": [7, 9007199254740992]}, "org.nestjs_wamp.docs.changed", ["doc-17"], {"doc": {"id": 17, "tags": ["draft", "\\u00fcn\\u00efc\\u00f6d\\u00e9"], "meta": {"rev": {"n": 3, "by": null}}}}]',
    ],
    msgpack: [
      // packb
      '96100183ab61636b6e6f776c65646765c3aa6578636c7564655f6d65c2a76578636c7564659207cf0020000000000000bc6f72672e6e6573746a735f77616d702e646f63732e6368616e67656491a6646f632d313781a3646f6383a2696411a47461677392a56472616674abc3bc6ec3af63c3b664c3a9a46d65746181a372657682a16e03a26279c0',
    ],
    cbor: [
      // dumps
      '861001a36b61636b6e6f776c65646765f56a6578636c7564655f6d65f4676578636c75646582071b0020000000000000781c6f72672e6e6573746a735f77616d702e646f63732e6368616e6765648166646f632d3137a163646f63a3626964116474616773826564726166746bc3bc6ec3af63c3b664c3a9646d657461a163726576a2616e03626279f6',
    ],
  },
  {
    name: 'PUBLISHED with publication 2^53 - 1',
    message: [17, 1, 9007199254740991],
    json: [
      // compact, ensure_ascii=False
      '[17,1,9007199254740991]',
      // json.dumps default
      '[17, 1, 9007199254740991]',
    ],
    msgpack: [
      // packb
      '931101cf001fffffffffffff',
    ],
    cbor: [
      // dumps
      '8311011b001fffffffffffff',
    ],
  },
  {
    name: 'SUBSCRIBE with prefix match',
    message: [32, 3, { match: 'prefix' }, 'org.nestjs_wamp.docs.'],
    json: [
      // compact, ensure_ascii=False
      '[32,3,{"match":"prefix"},"org.nestjs_wamp.docs."]',
      // json.dumps default
      '[32, 3, {"match": "prefix"}, "org.nestjs_wamp.docs."]',
    ],
    msgpack: [
      // packb
      '94200381a56d61746368a6707265666978b56f72672e6e6573746a735f77616d702e646f63732e',
    ],
    cbor: [
      // dumps
      '84182003a1656d6174636866707265666978756f72672e6e6573746a735f77616d702e646f63732e',
    ],
  },
  {
    name: 'SUBSCRIBED with subscription 2^32',
    message: [33, 3, 4294967296],
    json: [
      // compact, ensure_ascii=False
      '[33,3,4294967296]',
      // json.dumps default
      '[33, 3, 4294967296]',
    ],
    msgpack: [
      // packb
      '932103cf0000000100000000',
    ],
    cbor: [
      // dumps
      '831821031b0000000100000000',
    ],
  },
  {
    name: 'UNSUBSCRIBE with subscription 2^32',
    message: [34, 4, 4294967296],
    json: [
      // compact, ensure_ascii=False
      '[34,4,4294967296]',
      // json.dumps default
      '[34, 4, 4294967296]',
    ],
    msgpack: [
      // packb
      '932204cf0000000100000000',
    ],
    cbor: [
      // dumps
      '831822041b0000000100000000',
    ],
  },
  {
    name: 'UNSUBSCRIBED',
    message: [35, 4],
    json: [
      // compact, ensure_ascii=False
      '[35,4]',
      // json.dumps default
      '[35, 4]',
    ],
    msgpack: [
      // packb
      '922304',
    ],
    cbor: [
      // dumps
      '82182304',
    ],
  },
  {
    name: 'EVENT with binary args and kwargs',
    message: [
      36,
      4294967296,
      9007199254740992,
      { publisher: 9007199254740991, topic: 'org.nestjs_wamp.docs.changed' },
      [bytes('000102feff'), bytes('')],
      {
        thumbnail: bytes('0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186abd0f51a3f6489ae'),
      },
    ],
    json: [
      // compact, ensure_ascii=False
      '[36,4294967296,9007199254740992,{"publisher":9007199254740991,"topic":"org.nestjs_wamp.docs.changed"},["\\u0000AAEC/v8=","\\u0000"],{"thumbnail":"\\u0000CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrg=="}]',
      // json.dumps default
      '[36, 4294967296, 9007199254740992, {"publisher": 9007199254740991, "topic": "org.nestjs_wamp.docs.changed"}, ["\\u0000AAEC/v8=", "\\u0000"], {"thumbnail": "\\u0000CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrg=="}]',
    ],
    msgpack: [
      // packb
      '9624cf0000000100000000cf002000000000000082a97075626c6973686572cf001fffffffffffffa5746f706963bc6f72672e6e6573746a735f77616d702e646f63732e6368616e67656492c405000102feffc40081a97468756d626e61696cc4280b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186abd0f51a3f6489ae',
    ],
    cbor: [
      // dumps
      '8618241b00000001000000001b0020000000000000a2697075626c69736865721b001fffffffffffff65746f706963781c6f72672e6e6573746a735f77616d702e646f63732e6368616e6765648245000102feff40a1697468756d626e61696c58280b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186abd0f51a3f6489ae',
    ],
  },
  {
    name: 'CALL with floats, booleans and null',
    message: [
      48,
      5,
      { timeout: 2500, receive_progress: true },
      'org.nestjs_wamp.docs.get',
      [0.1, -2.5, 3.141592653589793, 1e300, 1e21, true, false, null],
    ],
    json: [
      // compact, ensure_ascii=False
      '[48,5,{"timeout":2500,"receive_progress":true},"org.nestjs_wamp.docs.get",[0.1,-2.5,3.141592653589793,1e+300,1e+21,true,false,null]]',
      // json.dumps default
      '[48, 5, {"timeout": 2500, "receive_progress": true}, "org.nestjs_wamp.docs.get", [0.1, -2.5, 3.141592653589793, 1e+300, 1e+21, true, false, null]]',
    ],
    msgpack: [
      // packb
      '95300582a774696d656f7574cd09c4b0726563656976655f70726f6772657373c3b86f72672e6e6573746a735f77616d702e646f63732e67657498cb3fb999999999999acbc004000000000000cb400921fb54442d18cb7e37e43c8800759ccb444b1ae4d6e2ef50c3c2c0',
    ],
    cbor: [
      // dumps
      '85183005a26774696d656f75741909c470726563656976655f70726f6772657373f578186f72672e6e6573746a735f77616d702e646f63732e67657488fb3fb999999999999afbc004000000000000fb400921fb54442d18fb7e37e43c8800759cfb444b1ae4d6e2ef50f5f4f6',
    ],
  },
  {
    name: 'CANCEL with mode killnowait',
    message: [49, 5, { mode: 'killnowait' }],
    json: [
      // compact, ensure_ascii=False
      '[49,5,{"mode":"killnowait"}]',
      // json.dumps default
      '[49, 5, {"mode": "killnowait"}]',
    ],
    msgpack: [
      // packb
      '93310581a46d6f6465aa6b696c6c6e6f77616974',
    ],
    cbor: [
      // dumps
      '83183105a1646d6f64656a6b696c6c6e6f77616974',
    ],
  },
  {
    name: 'RESULT with empty args and kwargs',
    message: [50, 5, {}, [], { total: 3, ok: true }],
    json: [
      // compact, ensure_ascii=False
      '[50,5,{},[],{"total":3,"ok":true}]',
      // json.dumps default
      '[50, 5, {}, [], {"total": 3, "ok": true}]',
    ],
    msgpack: [
      // packb
      '953205809082a5746f74616c03a26f6bc3',
    ],
    cbor: [
      // dumps
      '85183205a080a265746f74616c03626f6bf5',
    ],
  },
  {
    name: 'REGISTER with wildcard match',
    message: [64, 6, { match: 'wildcard', invoke: 'roundrobin' }, 'org.nestjs_wamp..get'],
    json: [
      // compact, ensure_ascii=False
      '[64,6,{"match":"wildcard","invoke":"roundrobin"},"org.nestjs_wamp..get"]',
      // json.dumps default
      '[64, 6, {"match": "wildcard", "invoke": "roundrobin"}, "org.nestjs_wamp..get"]',
    ],
    msgpack: [
      // packb
      '94400682a56d61746368a877696c6463617264a6696e766f6b65aa726f756e64726f62696eb46f72672e6e6573746a735f77616d702e2e676574',
    ],
    cbor: [
      // dumps
      '84184006a2656d617463686877696c646361726466696e766f6b656a726f756e64726f62696e746f72672e6e6573746a735f77616d702e2e676574',
    ],
  },
  {
    name: 'REGISTERED with registration 255',
    message: [65, 6, 255],
    json: [
      // compact, ensure_ascii=False
      '[65,6,255]',
      // json.dumps default
      '[65, 6, 255]',
    ],
    msgpack: [
      // packb
      '934106ccff',
    ],
    cbor: [
      // dumps
      '8318410618ff',
    ],
  },
  {
    name: 'UNREGISTER with registration 256',
    message: [66, 7, 256],
    json: [
      // compact, ensure_ascii=False
      '[66,7,256]',
      // json.dumps default
      '[66, 7, 256]',
    ],
    msgpack: [
      // packb
      '934207cd0100',
    ],
    cbor: [
      // dumps
      '83184207190100',
    ],
  },
  {
    name: 'UNREGISTERED',
    message: [67, 7],
    json: [
      // compact, ensure_ascii=False
      '[67,7]',
      // json.dumps default
      '[67, 7]',
    ],
    msgpack: [
      // packb
      '924307',
    ],
    cbor: [
      // dumps
      '82184307',
    ],
  },
  {
    name: 'INVOCATION with CJK and emoji strings and binary kwargs',
    message: [
      68,
      23,
      24,
      { caller: 65535, caller_authid: '日本語ユーザー', procedure: 'org.nestjs_wamp.docs.get' },
      ['🚀 launch', 'tab\there', 'line\nbreak', 'quote"backslash\\', 'nul\u0001ctl\u001f'],
      { blob: bytes('deadbeef') },
    ],
    json: [
      // compact, ensure_ascii=False
      '[68,23,24,{"caller":65535,"caller_authid":"日本語ユーザー","procedure":"org.nestjs_wamp.docs.get"},["🚀 launch","tab\\there","line\\nbreak","quote\\"backslash\\\\","nul\\u0001ctl\\u001f"],{"blob":"\\u00003q2+7w=="}]',
      // json.dumps default
      '[68, 23, 24, {"caller": 65535, "caller_authid": "\\u65e5\\u672c\\u8a9e\\u30e6\\u30fc\\u30b6\\u30fc", "procedure": "org.nestjs_wamp.docs.get"}, ["\\ud83d\\ude80 launch", "tab\\there", "line\\nbreak", "quote\\"backslash\\\\", "nul\\u0001ctl\\u001f"], {"blob": "\\u00003q2+7w=="}]',
    ],
    msgpack: [
      // packb
      '9644171883a663616c6c6572cdffffad63616c6c65725f617574686964b5e697a5e69cace8aa9ee383a6e383bce382b6e383bca970726f636564757265b86f72672e6e6573746a735f77616d702e646f63732e67657495abf09f9a80206c61756e6368a87461620968657265aa6c696e650a627265616bb071756f7465226261636b736c6173685ca86e756c0163746c1f81a4626c6f62c404deadbeef',
    ],
    cbor: [
      // dumps
      '861844171818a36663616c6c657219ffff6d63616c6c65725f61757468696475e697a5e69cace8aa9ee383a6e383bce382b6e383bc6970726f63656475726578186f72672e6e6573746a735f77616d702e646f63732e676574856bf09f9a80206c61756e63686874616209686572656a6c696e650a627265616b7071756f7465226261636b736c6173685c686e756c0163746c1fa164626c6f6244deadbeef',
    ],
  },
  {
    name: 'INTERRUPT with mode kill',
    message: [69, 23, { mode: 'kill' }],
    json: [
      // compact, ensure_ascii=False
      '[69,23,{"mode":"kill"}]',
      // json.dumps default
      '[69, 23, {"mode": "kill"}]',
    ],
    msgpack: [
      // packb
      '93451781a46d6f6465a46b696c6c',
    ],
    cbor: [
      // dumps
      '83184517a1646d6f6465646b696c6c',
    ],
  },
  {
    name: 'YIELD with unsigned integers at every width',
    message: [
      70,
      23,
      { progress: true },
      [0, 23, 24, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296],
    ],
    json: [
      // compact, ensure_ascii=False
      '[70,23,{"progress":true},[0,23,24,127,128,255,256,65535,65536,4294967295,4294967296]]',
      // json.dumps default
      '[70, 23, {"progress": true}, [0, 23, 24, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296]]',
    ],
    msgpack: [
      // packb
      '94461781a870726f6772657373c39b0017187fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000',
    ],
    cbor: [
      // dumps
      '84184617a16870726f6772657373f58b00171818187f188018ff19010019ffff1a000100001affffffff1b0000000100000000',
    ],
  },
  {
    name: 'CALL with strings at header size boundaries',
    message: [
      48,
      8,
      {},
      'org.nestjs_wamp.echo',
      [
        'nestjs_wamp_string_023x',
        'nestjs_wamp_string_023xy',
        'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn',
        'mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm',
        'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc',
        'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc!',
      ],
    ],
    json: [
      // compact, ensure_ascii=False
      '[48,8,{},"org.nestjs_wamp.echo",["nestjs_wamp_string_023x","nestjs_wamp_string_023xy","nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn","mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm","abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc","abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc!"]]',
      // json.dumps default
      '[48, 8, {}, "org.nestjs_wamp.echo", ["nestjs_wamp_string_023x", "nestjs_wamp_string_023xy", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc!"]]',
    ],
    msgpack: [
      // packb
      '95300880b46f72672e6e6573746a735f77616d702e6563686f96b76e6573746a735f77616d705f737472696e675f30323378b86e6573746a735f77616d705f737472696e675f3032337879bf6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6ed9206d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6dd9ff6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a30313233343536373839616263da01006162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a3031323334353637383961626321',
    ],
    cbor: [
      // dumps
      '85183008a0746f72672e6e6573746a735f77616d702e6563686f86776e6573746a735f77616d705f737472696e675f3032337878186e6573746a735f77616d705f737472696e675f3032337879781f6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e78206d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d78ff6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162637901006162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a3031323334353637383961626321',
    ],
  },
  {
    name: 'RESULT with a 24-element list and a 16-key dict',
    message: [
      50,
      8,
      {},
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
      {
        k00: 0,
        k01: 1,
        k02: 2,
        k03: 3,
        k04: 4,
        k05: 5,
        k06: 6,
        k07: 7,
        k08: 8,
        k09: 9,
        k10: 10,
        k11: 11,
        k12: 12,
        k13: 13,
        k14: 14,
        k15: 15,
      },
    ],
    json: [
      // compact, ensure_ascii=False
      '[50,8,{},[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23],{"k00":0,"k01":1,"k02":2,"k03":3,"k04":4,"k05":5,"k06":6,"k07":7,"k08":8,"k09":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15}]',
      // json.dumps default
      '[50, 8, {}, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23], {"k00": 0, "k01": 1, "k02": 2, "k03": 3, "k04": 4, "k05": 5, "k06": 6, "k07": 7, "k08": 8, "k09": 9, "k10": 10, "k11": 11, "k12": 12, "k13": 13, "k14": 14, "k15": 15}]',
    ],
    msgpack: [
      // packb
      '95320880dc0018000102030405060708090a0b0c0d0e0f1011121314151617de0010a36b303000a36b303101a36b303202a36b303303a36b303404a36b303505a36b303606a36b303707a36b303808a36b303909a36b31300aa36b31310ba36b31320ca36b31330da36b31340ea36b31350f',
    ],
    cbor: [
      // dumps
      '85183208a09818000102030405060708090a0b0c0d0e0f1011121314151617b0636b303000636b303101636b303202636b303303636b303404636b303505636b303606636b303707636b303808636b303909636b31300a636b31310b636b31320c636b31330d636b31340e636b31350f',
    ],
  },
  {
    name: 'RESULT with floats exact in float32 and float16',
    message: [50, 9, {}, [1.5, -2.5, 0.25, 100000.5]],
    json: [
      // compact, ensure_ascii=False
      '[50,9,{},[1.5,-2.5,0.25,100000.5]]',
      // json.dumps default
      '[50, 9, {}, [1.5, -2.5, 0.25, 100000.5]]',
    ],
    msgpack: [
      // packb
      '9432098094cb3ff8000000000000cbc004000000000000cb3fd0000000000000cb40f86a0800000000',
      // packb, use_single_float=True
      '9432098094ca3fc00000cac0200000ca3e800000ca47c35040',
    ],
    cbor: [
      // dumps
      '84183209a084fb3ff8000000000000fbc004000000000000fb3fd0000000000000fb40f86a0800000000',
      // dumps, canonical=True
      '84183209a084f93e00f9c100f93400fa47c35040',
    ],
  },
  {
    name: 'YIELD with integral numbers',
    message: [70, 24, {}, [2, -7, 4294967296]],
    json: [
      // compact, ensure_ascii=False
      '[70,24,{},[2,-7,4294967296]]',
      // json.dumps default
      '[70, 24, {}, [2, -7, 4294967296]]',
      // compact, Python floats
      '[70,24,{},[2.0,-7.0,4294967296.0]]',
      // json.dumps default, Python floats
      '[70, 24, {}, [2.0, -7.0, 4294967296.0]]',
    ],
    msgpack: [
      // packb
      '944618809302f9cf0000000100000000',
      // packb, Python floats
      '9446188093cb4000000000000000cbc01c000000000000cb41f0000000000000',
    ],
    cbor: [
      // dumps
      '8418461818a08302261b0000000100000000',
      // dumps, Python floats
      '8418461818a083fb4000000000000000fbc01c000000000000fb41f0000000000000',
    ],
  },
];

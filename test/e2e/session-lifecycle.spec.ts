import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type Platform, type RunningApp } from '../support/test-app.js';

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const SUBPROTOCOLS = [
  'wamp.2.json',
  'wamp.2.msgpack',
  'wamp.2.cbor',
  'wamp.2.json.batched',
  'wamp.2.msgpack.batched',
  'wamp.2.cbor.batched',
];

function expectProtocolViolation(message: unknown): void {
  expect(message).toEqual([3, { message: expect.any(String) }, 'wamp.error.protocol_violation']);
  expect(((message as unknown[])[1] as { message: string }).message.length).toBeGreaterThan(5);
}

describe.each<Platform>(['express', 'fastify'])('session lifecycle on %s', (platform) => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: { realms: ['realm1', 'realm2'], maxPayload: 4096, helloTimeout: 400 },
      platform,
    });
  });
  afterAll(async () => {
    await running.app.close();
  });

  it.each(SUBPROTOCOLS)('HELLO -> WELCOME on %s, frame type as the spec says', async (protocol) => {
    const client = await RawWampClient.connect(running.url, protocol);
    expect(client.protocol).toBe(protocol);
    client.send([1, 'realm1', { roles: ROLES, agent: 'raw-test' }]);
    const frame = await client.nextFrame();
    expect(frame.isBinary).toBe(!protocol.startsWith('wamp.2.json'));
    const welcome = frame.message as unknown[];
    expect(welcome).toHaveLength(3);
    expect(welcome[0]).toBe(2);
    expect(Number.isInteger(welcome[1])).toBe(true);
    expect(welcome[1]).toBeGreaterThanOrEqual(1);
    expect(welcome[1]).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(welcome[2]).toEqual({
      realm: 'realm1',
      authid: `anonymous-${String(welcome[1])}`,
      authrole: 'anonymous',
      authmethod: 'anonymous',
      authprovider: 'static',
      roles: {
        broker: {
          features: {
            publisher_exclusion: true,
            publisher_identification: true,
            subscriber_blackwhite_listing: true,
            pattern_based_subscription: true,
            event_retention: true,
            session_meta_api: true,
            subscription_meta_api: true,
            reflection: true,
          },
        },
        dealer: {
          features: {
            progressive_call_results: true,
            call_canceling: true,
            call_timeout: true,
            caller_identification: true,
            pattern_based_registration: true,
            shared_registration: true,
            progressive_call_invocations: true,
            session_meta_api: true,
            registration_meta_api: true,
            testament_meta_api: true,
            reflection: true,
          },
        },
      },
      agent: expect.stringMatching(/^nestjs-wamp\/\d+\.\d+\.\d+/),
    });
    client.send([6, {}, 'wamp.close.close_realm']);
    expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await client.waitClosed()).code).toBe(1000);
  });

  it('JSON frames are exactly the JSON text of the message', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([6, {}, 'wamp.close.close_realm']);
    const frame = await client.nextFrame();
    expect(frame.raw.toString()).toBe('[6,{},"wamp.close.goodbye_and_out"]');
    await client.waitClosed();
  });

  it('gives each session its own random ID', async () => {
    const first = await RawWampClient.join(running.url);
    const second = await RawWampClient.join(running.url);
    expect(first.welcome[1]).not.toBe(second.welcome[1]);
    first.client.terminate();
    second.client.terminate();
  });

  it('serves several realms', async () => {
    const { client, welcome } = await RawWampClient.join(running.url, 'realm2');
    expect((welcome[2] as { realm: string }).realm).toBe('realm2');
    client.terminate();
  });

  it('unknown realm -> ABORT wamp.error.no_such_realm, then the transport closes', async () => {
    const client = await RawWampClient.connect(running.url);
    client.send([1, 'no.such.realm', { roles: ROLES }]);
    expect(await client.next()).toEqual([
      3,
      { message: 'Realm "no.such.realm" does not exist on this router.' },
      'wamp.error.no_such_realm',
    ]);
    expect((await client.waitClosed()).code).toBe(1000);
  });

  it('first message not HELLO -> ABORT protocol_violation, close 1002, later input ignored', async () => {
    const client = await RawWampClient.connect(running.url);
    client.send([48, 1, {}, 'com.example.add']);
    client.send([1, 'realm1', { roles: ROLES }]);
    expect(await client.next()).toEqual([
      3,
      { message: 'Expected HELLO as the first message, got CALL (48).' },
      'wamp.error.protocol_violation',
    ]);
    expect((await client.waitClosed()).code).toBe(1002);
    expect(client.pending).toHaveLength(0);
  });

  it('second HELLO -> ABORT protocol_violation', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([1, 'realm1', { roles: ROLES }]);
    expect(await client.next()).toEqual([
      3,
      { message: 'HELLO received on a session that is already established.' },
      'wamp.error.protocol_violation',
    ]);
    expect((await client.waitClosed()).code).toBe(1002);
  });

  it.each<[string, unknown[]]>([
    ['GOODBYE before WELCOME', [6, {}, 'wamp.close.close_realm']],
    ['ERROR before WELCOME', [8, 68, 1, {}, 'com.example.error']],
    ['AUTHENTICATE before HELLO', [5, 'secret', {}]],
  ])('%s -> ABORT protocol_violation', async (_name, message) => {
    const client = await RawWampClient.connect(running.url);
    client.send(message);
    expectProtocolViolation(await client.next());
    expect((await client.waitClosed()).code).toBe(1002);
  });

  const malformed: [string, unknown][] = [
    ['a number instead of a list', 42],
    ['a string instead of a list', 'hello'],
    ['a dict instead of a list', { type: 48 }],
    ['an empty list', []],
    ['unknown message type 7 (old HEARTBEAT)', [7, 1, 1]],
    ['unknown message type 99', [99, 1]],
    ['message type as a string', ['48', 1, {}, 'a.b']],
    ['message type as a float', [48.5, 1, {}, 'a.b']],
    ['CALL with too few elements', [48, 1, {}]],
    ['CALL with too many elements', [48, 1, {}, 'a.b', [], {}, 'extra']],
    ['CALL with request ID 0', [48, 0, {}, 'a.b']],
    ['CALL with negative request ID', [48, -1, {}, 'a.b']],
    ['CALL with request ID 2^53 + 2', [48, 2 ** 53 + 2, {}, 'a.b']],
    ['CALL with fractional request ID', [48, 1.5, {}, 'a.b']],
    ['CALL with request ID as string', [48, '1', {}, 'a.b']],
    ['CALL with options as a list', [48, 1, [], 'a.b']],
    ['CALL with options null', [48, 1, null, 'a.b']],
    ['CALL with procedure as a number', [48, 1, {}, 42]],
    ['CALL with args as a dict', [48, 1, {}, 'a.b', {}]],
    ['CALL with kwargs as a list', [48, 1, {}, 'a.b', [], []]],
    ['CALL with receive_progress as a string', [48, 1, { receive_progress: 'yes' }, 'a.b']],
    ['CALL with timeout as a string', [48, 1, { timeout: '10' }, 'a.b']],
    ['PUBLISH with acknowledge as a number', [16, 1, { acknowledge: 1 }, 'a.b']],
    ['PUBLISH with exclude as a string', [16, 1, { exclude: 'me' }, 'a.b']],
    ['SUBSCRIBE with unknown match policy', [32, 1, { match: 'regex' }, 'a.b']],
    ['SUBSCRIBE with too many elements', [32, 1, {}, 'a.b', []]],
    ['UNSUBSCRIBE with subscription ID as a string', [34, 1, 'sub']],
    ['CANCEL with unknown mode', [49, 1, { mode: 'nuke' }]],
    ['YIELD for an invocation that does not exist', [70, 1, {}]],
    ['ERROR answering a CALL (only INVOCATION is allowed)', [8, 48, 1, {}, 'com.example.error']],
    ['WELCOME sent by a client', [2, 1, {}]],
    ['RESULT sent by a client', [50, 1, {}]],
    ['EVENT sent by a client', [36, 1, 1, {}]],
    ['INVOCATION sent by a client', [68, 1, 1, {}]],
    ['AUTHENTICATE after WELCOME', [5, 'secret', {}]],
    ['nesting bomb in args', [48, 1, {}, 'a.b', [JSON.parse('['.repeat(200) + ']'.repeat(200))]]],
  ];

  it(`answers ${malformed.length} kinds of malformed message with ABORT protocol_violation`, async () => {
    expect(malformed.length).toBeGreaterThanOrEqual(20);
    for (const [name, message] of malformed) {
      const { client } = await RawWampClient.join(running.url);
      client.send(message);
      const answer = await client.next();
      try {
        expectProtocolViolation(answer);
      } catch (error) {
        throw new Error(`${name}: got ${JSON.stringify(answer)}`, { cause: error });
      }
      expect((await client.waitClosed()).code).toBe(1002);
    }
  });

  it('undecodable JSON text -> ABORT protocol_violation naming the serializer', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.sendRaw('[48, 1, {}, "a.b"');
    const abort = (await client.next()) as [number, { message: string }, string];
    expect(abort[0]).toBe(3);
    expect(abort[2]).toBe('wamp.error.protocol_violation');
    expect(abort[1].message).toMatch(/^Frame is not valid wamp\.2\.json/);
    await client.waitClosed();
  });

  it('binary frame on a JSON session -> ABORT protocol_violation', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.sendRaw(Buffer.from('[48,1,{},"a.b"]'), true);
    expect(await client.next()).toEqual([
      3,
      { message: 'wamp.2.json messages travel in text frames; got a binary frame.' },
      'wamp.error.protocol_violation',
    ]);
    await client.waitClosed();
  });

  it('a protocol violation in one session does not disturb another', async () => {
    const healthy = await RawWampClient.join(running.url);
    const broken = await RawWampClient.join(running.url);
    broken.client.send([99]);
    expectProtocolViolation(await broken.client.next());
    healthy.client.send([48, 1, {}, 'com.example.nothing']);
    expect(await healthy.client.next()).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.no_such_procedure',
      ['No procedure is registered under "com.example.nothing".'],
    ]);
    healthy.client.terminate();
  });

  it('invalid URI in a request -> ERROR wamp.error.invalid_uri, session lives on', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([48, 7, {}, 'com.Example.Bad']);
    const error = (await client.next()) as unknown[];
    expect(error).toEqual([
      8,
      48,
      7,
      {},
      'wamp.error.invalid_uri',
      [expect.stringContaining('com.Example.Bad')],
    ]);
    client.send([32, 8, {}, 'bad..topic']);
    expect(await client.next()).toEqual([8, 32, 8, {}, 'wamp.error.invalid_uri', [expect.any(String)]]);
    client.send([48, 9, {}, 'com.example.fine']);
    expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
    client.terminate();
  });

  it('accepts request ID 2^53 (the spec maximum)', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([48, 2 ** 53, {}, 'com.example.nothing']);
    expect(await client.next()).toEqual([
      8,
      48,
      2 ** 53,
      {},
      'wamp.error.no_such_procedure',
      ['No procedure is registered under "com.example.nothing".'],
    ]);
    client.terminate();
  });

  it('oversized request -> ERROR wamp.error.payload_size_exceeded, session lives on', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([48, 1, {}, 'com.example.big', ['x'.repeat(5000)]]);
    expect(await client.next()).toEqual([
      8,
      48,
      1,
      {},
      'wamp.error.payload_size_exceeded',
      [expect.stringMatching(/^Message of \d+ bytes exceeds the limit of 4096 bytes\.$/)],
    ]);
    client.send([48, 2, {}, 'com.example.small']);
    expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
    client.terminate();
  });

  it('a WebSocket message beyond twice the limit is cut at the socket with 1009', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([48, 1, {}, 'com.example.big', ['x'.repeat(9000)]]);
    expect((await client.waitClosed()).code).toBe(1009);
  });

  it('GOODBYE from the client is echoed with wamp.close.goodbye_and_out, then the transport closes', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([6, { message: 'bye' }, 'wamp.close.close_realm']);
    expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await client.waitClosed()).code).toBe(1000);
  });

  it('no HELLO within helloTimeout -> ABORT wamp.error.timeout and close', async () => {
    const client = await RawWampClient.connect(running.url);
    const started = Date.now();
    expect(await client.next(2000)).toEqual([
      3,
      { message: 'No HELLO received within 400 ms.' },
      'wamp.error.timeout',
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    await client.waitClosed();
  });

  it('batched JSON: several messages in one frame are all processed, in order', async () => {
    const { client } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.json.batched');
    client.sendRaw(
      JSON.stringify([48, 1, {}, 'com.example.x']) +
        '\x1e' +
        JSON.stringify([48, 2, {}, 'com.example.y']) +
        '\x1e',
    );
    expect(((await client.next()) as unknown[]).slice(2)).toEqual([
      1,
      {},
      'wamp.error.no_such_procedure',
      [expect.any(String)],
    ]);
    expect(((await client.next()) as unknown[]).slice(2)).toEqual([
      2,
      {},
      'wamp.error.no_such_procedure',
      [expect.any(String)],
    ]);
    client.terminate();
  });

  it('a message pipelined before WELCOME (CALL right behind HELLO) is a protocol violation', async () => {
    const client = await RawWampClient.connect(running.url, 'wamp.2.json.batched');
    client.sendRaw(
      JSON.stringify([1, 'realm1', { roles: ROLES }]) +
        '\x1e' +
        JSON.stringify([48, 1, {}, 'com.example.x']) +
        '\x1e',
    );
    expectProtocolViolation(await client.next());
    await client.waitClosed();
  });

  it.each<[string, string[]]>([
    ['a non-WAMP subprotocol', ['xmpp']],
    ['an unknown WAMP serializer', ['wamp.2.xml']],
    ['no subprotocol at all', []],
  ])('refuses a handshake offering %s with HTTP 400', async (_name, protocols) => {
    await expect(RawWampClient.connect(running.url, protocols)).rejects.toMatchObject({
      statusCode: 400,
      body: expect.stringContaining('No supported WAMP subprotocol offered'),
    });
  });

  it('picks the first subprotocol the client offers that it supports', async () => {
    const client = await RawWampClient.connect(running.url, ['wamp.2.xml', 'wamp.2.cbor', 'wamp.2.json']);
    expect(client.protocol).toBe('wamp.2.cbor');
    client.terminate();
  });

  it('upgrades on other paths are not taken (404 when nobody else serves them)', async () => {
    await expect(RawWampClient.connect(`${running.baseUrl}/elsewhere`)).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

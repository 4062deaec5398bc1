import { resolveWampOptions } from '../../../lib/wamp-options.resolver.js';
import { recordingLogger } from '../../support/router-options.js';

/**
 * Every misconfiguration fails at startup with the option's path, the value and its type: values that
 * TypeScript would refuse still arrive from plain JavaScript, `forRootAsync` factories and environment
 * variables, and one of them (an `allowedOrigins` string) used to crash the process at the first handshake.
 */

function errorOf(options: unknown): string {
  try {
    resolveWampOptions(options as never, recordingLogger());
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(options)}`);
}

class TicketVerifier {
  async verifyTicket(): Promise<null> {
    return null;
  }
}
class NotAnAuthenticator {}

describe('module options are checked at startup', () => {
  it.each<[string, unknown, string]>([
    // The cases users ran into.
    [
      'allowedOrigins as a string',
      { allowedOrigins: 'http://good.example' },
      'WampModule: invalid option allowedOrigins: expected an array (each item an origin string or a RegExp), got "http://good.example" (string)',
    ],
    [
      'realms as a string',
      { realms: 'realm1' },
      'WampModule: invalid option realms: expected an array of at least 1 (each item a realm URI or a realm config { name, auth?, authorization?, authenticator?, eventHistory? }), got "realm1" (string)',
    ],
    [
      'strictUris as a string',
      { strictUris: 'false' },
      'WampModule: invalid option strictUris: expected a boolean, got "false" (string)',
    ],
    [
      'port as a string',
      { port: '9000' },
      'WampModule: invalid option port: expected an integer in [0, 65535], got "9000" (string)',
    ],
    [
      'a typo at the top',
      { strictUri: false },
      'WampModule: invalid option strictUri: unknown option (did you mean "strictUris"?)',
    ],
    [
      'a typo in a realm',
      { realms: [{ name: 'realm1', auth: { tiket: TicketVerifier } }] },
      'WampModule: invalid option realms[0].auth.tiket: unknown option (did you mean "ticket"?)',
    ],
    [
      'an unset environment variable as the realm',
      { realms: [undefined] },
      'WampModule: invalid option realms[0]: expected a realm URI or a realm config { name, auth?, authorization?, authenticator?, eventHistory? }, got undefined',
    ],
    // Every kind of value.
    [
      'no options object',
      undefined,
      'WampModule: invalid options: expected an options object, got undefined',
    ],
    [
      'an unknown key with nothing close',
      { zzzzzz: 1 },
      'WampModule: invalid option zzzzzz: unknown option; the options here are realms, path, port',
    ],
    [
      'an empty realm list',
      { realms: [] },
      'WampModule: invalid option realms: expected an array of at least 1',
    ],
    [
      'a realm config without a name',
      { realms: [{ auth: {} }] },
      'WampModule: invalid option realms[0].name: required, got undefined',
    ],
    [
      'a realm name that is not a URI',
      { realms: ['Realm With Spaces'] },
      'WampModule: invalid option realms[0]: "Realm With Spaces" is not a valid strict WAMP URI',
    ],
    [
      'a duplicate realm',
      { realms: ['a', { name: 'a' }] },
      'WampModule: invalid option realms[1].name: realm "a" is listed twice',
    ],
    [
      'auth and authenticator together',
      { realms: [{ name: 'a', auth: { anonymous: true }, authenticator: async () => ({}) }] },
      'WampModule: invalid option realms[0]: sets both "auth" and "authenticator"',
    ],
    [
      'an authenticator class without its method',
      { realms: [{ name: 'a', auth: { ticket: NotAnAuthenticator } }] },
      'WampModule: invalid option realms[0].auth.ticket: expected a provider class or instance with verifyTicket(), got class NotAnAuthenticator without verifyTicket()',
    ],
    [
      'a transport authenticator instance without authmethod',
      { realms: [{ name: 'a', auth: { transport: { authenticateTransport: async () => null } } }] },
      'WampModule: invalid option realms[0].auth.transport: expected a provider class or instance with authenticateTransport() and authmethod, got an object (Object) without authmethod',
    ],
    [
      'anonymous as a string',
      { realms: [{ name: 'a', auth: { anonymous: 'yes' } }] },
      'realms[0].auth.anonymous: expected a boolean or an object, got "yes" (string)',
    ],
    [
      'a bad authorization rule',
      { realms: [{ name: 'a', authorization: { rules: [{ role: 'x', uri: 'a', allow: ['eat'] }] } }] },
      'realms[0].authorization.rules[0].allow[0]: expected one of "call", "register", "subscribe", "publish", got "eat" (string)',
    ],
    [
      'a rule without allow',
      { realms: [{ name: 'a', authorization: { rules: [{ role: 'x', uri: 'a' }] } }] },
      'realms[0].authorization.rules[0].allow: required, got undefined',
    ],
    [
      'scramOptions with a bad KDF',
      { realms: [{ name: 'a', auth: { scramOptions: { mockParameters: { kdf: 'md5', iterations: 1 } } } }] },
      'realms[0].auth.scramOptions.mockParameters.kdf: expected one of "pbkdf2", "argon2id13", got "md5" (string)',
    ],
    [
      'an event history rule without a topic',
      { realms: [{ name: 'a', eventHistory: [{ limit: 10 }] }] },
      'realms[0].eventHistory[0].topic: required, got undefined',
    ],
    [
      'an event history rule with a bad limit',
      { realms: [{ name: 'a', eventHistory: [{ topic: 'a.b', limit: 0 }] }] },
      'realms[0].eventHistory[0].limit: expected a positive integer, got 0 (number)',
    ],
    [
      'an event history topic that is not a URI',
      { realms: [{ name: 'a', eventHistory: [{ topic: 'Not A Uri' }] }] },
      'realms[0].eventHistory[0].topic: "Not A Uri" is not a valid strict URI for match "exact"',
    ],
    [
      'an event history topic of the router',
      { realms: [{ name: 'a', eventHistory: [{ topic: 'wamp.session.on_join' }] }] },
      'realms[0].eventHistory[0].topic: "wamp.session.on_join" is one of the router\'s own topics (wamp.)',
    ],
    [
      'the same event history topic twice',
      {
        realms: [
          {
            name: 'a',
            eventHistory: [
              { topic: 'a.', match: 'prefix' },
              { topic: 'a.', match: 'prefix' },
            ],
          },
        ],
      },
      'realms[0].eventHistory[1].topic: "a." (prefix) is listed twice',
    ],
    [
      'a backplane that is not one',
      { backplane: { nodeId: 'x', broadcast: () => undefined } },
      'WampModule: invalid option backplane: expected an object with nodeId, broadcast(), subscribe(), retentionStore(), close(), got an object (Object) without subscribe(), retentionStore(), close()',
    ],
    [
      'maxTestamentBytes of zero',
      { maxTestamentBytes: 0 },
      'WampModule: invalid option maxTestamentBytes: expected a positive integer, got 0 (number)',
    ],
    [
      'path without a slash',
      { path: 'ws' },
      'WampModule: invalid option path: expected a URL path starting with "/" and without "?", got "ws" (string)',
    ],
    [
      'an unknown serializer',
      { serializers: ['wamp.2.xml'] },
      'WampModule: invalid option serializers[0]: expected one of "wamp.2.json"',
    ],
    [
      'a fractional limit',
      { maxPayload: 1.5 },
      'WampModule: invalid option maxPayload: expected a positive integer, got 1.5 (number)',
    ],
    [
      'a negative timeout',
      { helloTimeout: -1 },
      'WampModule: invalid option helloTimeout: expected an integer >= 0, got -1 (number)',
    ],
    [
      'a port out of range',
      { port: 70000 },
      'WampModule: invalid option port: expected an integer in [0, 65535], got 70000 (number)',
    ],
    [
      'an unknown policy',
      { slowConsumerPolicy: 'block' },
      'WampModule: invalid option slowConsumerPolicy: expected one of "drop", "disconnect", got "block" (string)',
    ],
    [
      'a low-water mark above the high-water mark',
      { outboundLowWaterMark: 2048, outboundHighWaterMark: 1024 },
      'WampModule: invalid option outboundLowWaterMark: the low-water mark (2048 bytes) must be below the high-water mark (1024 bytes)',
    ],
    [
      'a high-water mark above the cap',
      { outboundHighWaterMark: 2 * 1024 * 1024, outboundBufferLimit: 1024 * 1024 },
      'WampModule: invalid option outboundHighWaterMark: the high-water mark (2097152 bytes) must not exceed outboundBufferLimit (1048576 bytes), the hard cap per connection',
    ],
    [
      'a budget below the cap of one connection',
      { outboundMemoryBudget: 1024 * 1024 },
      'WampModule: invalid option outboundMemoryBudget: the budget for all connections (1048576 bytes) must be at least outboundBufferLimit (8388608 bytes), the cap of one',
    ],
    [
      'a slow-consumer timeout of zero',
      { slowConsumerTimeout: 0 },
      'WampModule: invalid option slowConsumerTimeout: expected a positive integer, got 0 (number)',
    ],
    [
      'RawSocket with nowhere to listen',
      { rawSocket: {} },
      'WampModule: invalid option rawSocket: says nowhere to listen: set port, path or shareHttpPort: true',
    ],
    [
      'RawSocket TLS without its port',
      { rawSocket: { path: '/tmp/wamp.sock', tls: { key: 'k', cert: 'c' } } },
      'WampModule: invalid option rawSocket.tls: applies to rawSocket.port, which is not set',
    ],
    [
      'RawSocket with only batched serializers enabled',
      { rawSocket: { port: 0 }, serializers: ['wamp.2.json.batched'] },
      'WampModule: invalid option rawSocket: RawSocket carries wamp.2.json, wamp.2.msgpack or wamp.2.cbor, and "serializers" enables none of them',
    ],
    [
      'a RawSocket port out of range',
      { rawSocket: { port: 70000 } },
      'WampModule: invalid option rawSocket.port: expected an integer in [0, 65535], got 70000 (number)',
    ],
    [
      'an origin that is a number',
      { allowedOrigins: [80] },
      'WampModule: invalid option allowedOrigins[0]: expected an origin string or a RegExp, got 80 (number)',
    ],
  ])('%s', (_name, options, message) => {
    expect(errorOf(options)).toContain(message);
  });

  it('derives the water marks from a smaller cap when they are not set, and keeps explicit ones', () => {
    expect(resolveWampOptions({ outboundBufferLimit: 64 * 1024 }, recordingLogger()).router.outbound).toEqual(
      {
        bufferLimit: 64 * 1024,
        highWaterMark: 32 * 1024,
        lowWaterMark: 8 * 1024,
        memoryBudget: 256 * 1024 * 1024,
        slowConsumerTimeout: 5000,
        slowConsumerPolicy: 'drop',
      },
    );
    expect(resolveWampOptions({}, recordingLogger()).router.outbound).toEqual({
      bufferLimit: 8 * 1024 * 1024,
      highWaterMark: 1024 * 1024,
      lowWaterMark: 256 * 1024,
      memoryBudget: 256 * 1024 * 1024,
      slowConsumerTimeout: 5000,
      slowConsumerPolicy: 'drop',
    });
    expect(
      resolveWampOptions(
        { outboundLowWaterMark: 1000, outboundHighWaterMark: 5000, slowConsumerPolicy: 'disconnect' },
        recordingLogger(),
      ).router.outbound,
    ).toMatchObject({ lowWaterMark: 1000, highWaterMark: 5000, slowConsumerPolicy: 'disconnect' });
  });

  it('lists every problem at once, each with its path', () => {
    expect(errorOf({ port: '9000', strictUri: true, realms: [{ name: 'a', auth: { tiket: 1 } }] })).toBe(
      [
        'WampModule: invalid options:',
        '  - port: expected an integer in [0, 65535], got "9000" (string)',
        '  - strictUri: unknown option (did you mean "strictUris"?)',
        '  - realms[0].auth.tiket: unknown option (did you mean "ticket"?)',
      ].join('\n'),
    );
  });

  it('accepts every documented kind of value, and undefined as "not set"', () => {
    expect(() =>
      resolveWampOptions(
        {
          realms: [
            'realm1',
            { name: 'realm2', auth: { anonymous: { authrole: 'guest' }, ticket: new TicketVerifier() } },
            {
              name: 'realm3',
              eventHistory: [{ topic: 'a.b' }, { topic: 'a.', match: 'prefix', limit: 5, maxBytes: 4096 }],
            },
          ],
          path: '/wamp',
          port: 0,
          host: '127.0.0.1',
          serializers: ['wamp.2.json', 'wamp.2.cbor'],
          strictUris: false,
          allowedOrigins: ['https://app.example', /^http:\/\/localhost:\d+$/],
          maxPayload: 65536,
          maxTestamentBytes: 4096,
          helloTimeout: 0,
          agent: undefined,
        },
        recordingLogger(),
      ),
    ).not.toThrow();
  });
});

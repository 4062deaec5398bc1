import {
  BACKPLANE_PROTOCOL_VERSION,
  BackplaneMessageError,
  decodeBackplaneMessage,
  encodeBackplaneMessage,
  publicationBody,
  publicationFromBody,
} from '../../lib/core/backplane/backplane-codec.js';
import { MsgpackValueEncoder } from '../../lib/core/serializers/msgpack-value.encoder.js';
import { clusterSubscriptionId } from '../../lib/core/backplane/cluster-subscription-id.js';
import type { Publication } from '../../lib/core/index.js';

/** What instances send each other: exact values, a version, and a clear refusal of anything else. */
describe('backplane messages', () => {
  it('a publication crosses with its integers, binary, nesting, options and publisher intact', () => {
    const publication: Publication = {
      topic: 'com.example.chat',
      id: 2 ** 53 - 1,
      args: [1.5, 2n ** 60n, new Uint8Array([0, 1, 255]), { nested: [[null, true]] }],
      kwargs: { text: 'héllo' },
      options: { exclude_me: false, eligible_authrole: ['admin'], disclose_me: true },
      publisher: { session: 12345, authid: 'alice', authrole: 'admin' },
    };
    const { kind, body } = decodeBackplaneMessage(
      encodeBackplaneMessage('publication', publicationBody(publication)),
    );
    expect(kind).toBe('publication');
    const decoded = publicationFromBody(body);
    expect(decoded).toEqual({
      ...publication,
      args: [1.5, 2n ** 60n, expect.any(Uint8Array), { nested: [[null, true]] }],
    });
    expect(Uint8Array.from(decoded.args?.[2] as Uint8Array)).toEqual(new Uint8Array([0, 1, 255]));
  });

  it('a server publication without payload or publisher keeps them absent', () => {
    const publication: Publication = { topic: 't', id: 1, options: {} };
    const { body } = decodeBackplaneMessage(
      encodeBackplaneMessage('publication', publicationBody(publication)),
    );
    expect(publicationFromBody(body)).toEqual({
      topic: 't',
      id: 1,
      args: undefined,
      kwargs: undefined,
      options: {},
      publisher: undefined,
    });
  });

  it('refuses another version by name, and garbage or a malformed publication without throwing anything else', () => {
    const other = new MsgpackValueEncoder().encode([BACKPLANE_PROTOCOL_VERSION + 1, 'publication', []]);
    expect(() => decodeBackplaneMessage(other)).toThrow(
      `Backplane message of protocol version ${BACKPLANE_PROTOCOL_VERSION + 1}; this instance speaks ${BACKPLANE_PROTOCOL_VERSION}`,
    );
    expect(() => decodeBackplaneMessage(Buffer.from([0xc1]))).toThrow(BackplaneMessageError);
    expect(() => decodeBackplaneMessage(Buffer.from('not msgpack at all'))).toThrow(BackplaneMessageError);
    expect(() => publicationFromBody(['t', 'not an id', null, null, {}, null])).toThrow(
      'Malformed publication.',
    );
    expect(() => publicationFromBody({})).toThrow('Malformed publication.');
  });
});

describe('clusterSubscriptionId', () => {
  it('is the same for the same realm, topic and match, different otherwise, and a valid WAMP ID', () => {
    const id = clusterSubscriptionId('realm1', 'com.example.chat', 'exact');
    expect(clusterSubscriptionId('realm1', 'com.example.chat', 'exact')).toBe(id);
    const others = [
      clusterSubscriptionId('realm2', 'com.example.chat', 'exact'),
      clusterSubscriptionId('realm1', 'com.example.chat', 'prefix'),
      clusterSubscriptionId('realm1', 'com.example.chat2', 'exact'),
    ];
    for (const other of others) expect(other).not.toBe(id);
    const ids = new Set<number>();
    for (let index = 0; index < 10_000; index++) {
      const each = clusterSubscriptionId('realm1', `topic.${index}`, 'exact');
      expect(Number.isSafeInteger(each) && each >= 1).toBe(true);
      ids.add(each);
    }
    expect(ids.size).toBe(10_000);
  });
});

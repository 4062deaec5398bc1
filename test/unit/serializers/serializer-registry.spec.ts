import {
  createSerializer,
  isWampSubprotocol,
  SerializerRegistry,
  WAMP_SUBPROTOCOLS,
  type WampSubprotocol,
} from '../../../lib/core/serializers/serializer-registry.js';

describe('WAMP_SUBPROTOCOLS', () => {
  it('lists json, msgpack and cbor, plain and batched', () => {
    expect([...WAMP_SUBPROTOCOLS].sort()).toEqual(
      [
        'wamp.2.cbor',
        'wamp.2.cbor.batched',
        'wamp.2.json',
        'wamp.2.json.batched',
        'wamp.2.msgpack',
        'wamp.2.msgpack.batched',
      ].sort(),
    );
  });

  it('has a serializer for each name, describing itself consistently', () => {
    for (const protocol of WAMP_SUBPROTOCOLS) {
      const serializer = createSerializer(protocol);
      expect(serializer.protocol).toBe(protocol);
      expect(serializer.binary).toBe(!protocol.startsWith('wamp.2.json'));
      expect(serializer.batched).toBe(protocol.endsWith('.batched'));
      expect(serializer.decode(Buffer.from(toFrame(serializer.encode([1, 'realm1', {}]))))).toEqual([
        [1, 'realm1', {}],
      ]);
    }
  });

  it('rejects unknown names at runtime too', () => {
    expect(() => createSerializer('wamp.2.ubjson' as WampSubprotocol)).toThrow(TypeError);
    expect(isWampSubprotocol('wamp.2.json')).toBe(true);
    expect(isWampSubprotocol('WAMP.2.JSON')).toBe(false);
    expect(isWampSubprotocol('wamp.2.ubjson')).toBe(false);
  });
});

describe('SerializerRegistry.select', () => {
  it("picks the client's first offered protocol that is enabled (client preference)", () => {
    const all = new SerializerRegistry();
    expect(all.select(['wamp.2.cbor', 'wamp.2.json'])?.protocol).toBe('wamp.2.cbor');
    expect(all.select(new Set(['foo', 'wamp.2.msgpack.batched', 'wamp.2.json']))?.protocol).toBe(
      'wamp.2.msgpack.batched',
    );
    const some = new SerializerRegistry(['wamp.2.json', 'wamp.2.msgpack']);
    expect(some.select(['wamp.2.cbor', 'wamp.2.json'])?.protocol).toBe('wamp.2.json');
    expect(some.selectFromHeader('wamp.2.cbor,  wamp.2.msgpack ,wamp.2.json')?.protocol).toBe(
      'wamp.2.msgpack',
    );
  });

  it('returns undefined when nothing offered is supported and enabled, or when names differ in case', () => {
    const all = new SerializerRegistry();
    expect(all.select([])).toBeUndefined();
    expect(all.select(['wamp.2.ubjson', 'graphql-ws', 'WAMP.2.JSON'])).toBeUndefined();
    expect(new SerializerRegistry(['wamp.2.json']).select(['wamp.2.cbor'])).toBeUndefined();
    expect(all.selectFromHeader(undefined)).toBeUndefined();
    expect(all.selectFromHeader('')).toBeUndefined();
  });
});

describe('SerializerRegistry', () => {
  it('serves every subprotocol by default', () => {
    const registry = new SerializerRegistry();
    expect(registry.protocols).toEqual(WAMP_SUBPROTOCOLS);
    for (const protocol of WAMP_SUBPROTOCOLS) expect(registry.get(protocol)?.protocol).toBe(protocol);
  });

  it('serves only the enabled subprotocols, sharing one instance per subprotocol', () => {
    const registry = new SerializerRegistry(['wamp.2.msgpack', 'wamp.2.json', 'wamp.2.msgpack']);
    expect(registry.protocols).toEqual(['wamp.2.msgpack', 'wamp.2.json']);
    expect(registry.get('wamp.2.cbor')).toBeUndefined();
    expect(registry.get('nonsense')).toBeUndefined();
    expect(registry.get('wamp.2.json')).toBe(registry.get('wamp.2.json'));
    expect(registry.select(['wamp.2.cbor', 'wamp.2.json', 'wamp.2.msgpack'])?.protocol).toBe('wamp.2.json');
    expect(registry.select(['wamp.2.cbor'])).toBeUndefined();
  });

  it('fails at construction on an unknown name', () => {
    expect(() => new SerializerRegistry(['wamp.2.json', 'wamp.2.xml' as WampSubprotocol])).toThrow(TypeError);
  });
});

function toFrame(encoded: Buffer | string): Buffer {
  return typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;
}

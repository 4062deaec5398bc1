import { decodeMessage, encodeMessage, WampMessageType, WampProtocolError } from '../../../lib/core/index.js';
import { decodeError, STRICT } from './decode-assertions.js';
import { MESSAGE_VECTORS, REFUSED_MESSAGES } from './wamp-vectors.fixture.js';

describe('decodeMessage / encodeMessage round trip (own vectors)', () => {
  it('covers all 24 message types, each in at least two shapes', () => {
    const counts = new Map<unknown, number>();
    for (const { raw } of MESSAGE_VECTORS) counts.set(raw[0], (counts.get(raw[0]) ?? 0) + 1);
    const all = Object.values(WampMessageType).filter((value) => typeof value === 'number');
    expect(all).toHaveLength(24);
    expect([...counts.keys()].sort()).toEqual([...all].sort());
    const fewerThanTwoShapes = [...counts]
      .filter(([, count]) => count < 2)
      .map(([type]) => WampMessageType[type as number]);
    expect(fewerThanTwoShapes).toEqual([]);
  });

  it('has unique vector names', () => {
    const names = MESSAGE_VECTORS.map((vector) => vector.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(MESSAGE_VECTORS.map((vector) => [vector.name, vector] as const))(
    '%s decodes to the typed structure and re-encodes to the expected array',
    (_name, vector) => {
      const decoded = decodeMessage(vector.raw, STRICT);
      expect(decoded).toEqual(vector.typed);
      expect(encodeMessage(decoded)).toEqual(vector.reencoded ?? vector.raw);
    },
  );

  it.each(MESSAGE_VECTORS.map((vector) => [vector.name, vector] as const))(
    '%s survives a JSON text round trip',
    (_name, vector) => {
      const decoded = decodeMessage(JSON.parse(JSON.stringify(vector.raw)), STRICT);
      expect(decoded).toEqual(vector.typed);
      expect(WampMessageType[decoded.type]).toBe(WampMessageType[vector.raw[0] as number]);
    },
  );

  it('keeps dicts and payload by reference (no copies)', () => {
    const options = { receive_progress: true };
    const args = [1];
    const kwargs = { b: 2 };
    const decoded = decodeMessage([48, 1, options, 'org.nestjs_wamp.docs.get', args, kwargs], STRICT);
    expect(decoded).toMatchObject({ type: WampMessageType.CALL });
    if (decoded.type !== WampMessageType.CALL) throw new Error('unreachable');
    expect(decoded.options).toBe(options);
    expect(decoded.args).toBe(args);
    expect(decoded.kwargs).toBe(kwargs);
    const wire = encodeMessage(decoded);
    expect(wire[2]).toBe(options);
    expect(wire[4]).toBe(args);
    expect(wire[5]).toBe(kwargs);
  });
});

describe('messages refused on purpose (payload passthru, unknown message types)', () => {
  it('include PUBLISH and EVENT with enc_algo, a ppt_scheme and a provisional message type', () => {
    const errors = REFUSED_MESSAGES.map((message) => message.error);
    expect(errors).toContain(
      'PUBLISH.Options.enc_algo is not supported: this router does not offer payload_passthru_mode',
    );
    expect(errors).toContain(
      'EVENT.Details.enc_algo is not supported: this router does not offer payload_passthru_mode',
    );
    expect(errors).toContain(
      'CALL.Options.ppt_scheme is not supported: this router does not offer payload_passthru_mode',
    );
    expect(errors).toContain('Unknown message type 337');
  });

  it.each(REFUSED_MESSAGES.map((message) => [message.name, message] as const))('%s', (_name, message) => {
    expect(() => decodeMessage(message.raw, STRICT)).toThrow(new WampProtocolError(message.error));
    const error = decodeError(message.raw, STRICT);
    expect(error.message).toBe(message.error);
    expect(error.uri).toBe('wamp.error.protocol_violation');
  });
});

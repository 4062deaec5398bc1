import {
  RawSocketFrameDecoder,
  RawSocketFrameError,
  type RawSocketFrame,
} from '../../../lib/rawsocket/rawsocket-frame-decoder.js';
import {
  RawSocketHandshakeError,
  acceptReply,
  errorReply,
  frameHeader,
  lengthExponent,
  parseRawSocketHandshake,
} from '../../../lib/rawsocket/rawsocket-protocol.js';

describe('RawSocket handshake', () => {
  it.each([
    [[0x7f, 0xf1, 0, 0], { ok: true, serializerId: 1, clientMaxLength: 2 ** 24 }],
    [[0x7f, 0x02, 0, 0], { ok: true, serializerId: 2, clientMaxLength: 512 }],
    [[0x7f, 0x33, 0, 0], { ok: true, serializerId: 3, clientMaxLength: 4096 }],
    [[0x7f, 0xf1, 0, 1], { ok: false, error: RawSocketHandshakeError.RESERVED_BITS_USED }],
    [[0x7f, 0xf1, 1, 0], { ok: false, error: RawSocketHandshakeError.RESERVED_BITS_USED }],
    [[0x47, 0x45, 0x54, 0x20], { ok: false, error: 'not_rawsocket' }],
  ])('%j -> %j', (octets, expected) => {
    expect(parseRawSocketHandshake(Buffer.from(octets))).toEqual(expected);
  });

  it('announces the largest power of two not above the maximum, within 512 B to 16 MiB', () => {
    expect(lengthExponent(511)).toBe(0);
    expect(lengthExponent(512)).toBe(0);
    expect(lengthExponent(1023)).toBe(0);
    expect(lengthExponent(1024)).toBe(1);
    expect(lengthExponent(2 * 1024 * 1024)).toBe(12);
    expect(lengthExponent(2 ** 30)).toBe(15);
    expect([...acceptReply(2 * 1024 * 1024, 2)]).toEqual([0x7f, 0xc2, 0, 0]);
    expect([...errorReply(RawSocketHandshakeError.MAX_CONNECTIONS_REACHED)]).toEqual([0x7f, 0x40, 0, 0]);
    expect([...frameHeader(1, 0x010203)]).toEqual([1, 1, 2, 3]);
  });
});

describe('RawSocketFrameDecoder', () => {
  const frames = (decoder: RawSocketFrameDecoder, ...chunks: Buffer[]): RawSocketFrame[] => {
    const out: RawSocketFrame[] = [];
    for (const chunk of chunks)
      decoder.push(chunk, (frame) => out.push({ type: frame.type, payload: Buffer.from(frame.payload) }));
    return out;
  };
  const frame = (type: number, payload: string): Buffer =>
    Buffer.concat([frameHeader(type, payload.length), Buffer.from(payload)]);

  it('cuts frames however the chunks fall: several in one chunk, one across many, one byte at a time', () => {
    const stream = Buffer.concat([
      frame(0, '[1,"realm1",{}]'),
      frame(1, 'ping'),
      frame(2, ''),
      frame(0, 'x'.repeat(5000)),
    ]);
    const expected = [
      { type: 0, payload: Buffer.from('[1,"realm1",{}]') },
      { type: 1, payload: Buffer.from('ping') },
      { type: 2, payload: Buffer.alloc(0) },
      { type: 0, payload: Buffer.from('x'.repeat(5000)) },
    ];
    expect(frames(new RawSocketFrameDecoder(1 << 20), stream)).toEqual(expected);
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    expect(frames(new RawSocketFrameDecoder(1 << 20), ...bytes)).toEqual(expected);
    const cuts = [3, 7, 19, 20, 21, 2000, 4000];
    const pieces = [0, ...cuts].map((start, index) => stream.subarray(start, cuts[index] ?? stream.length));
    expect(frames(new RawSocketFrameDecoder(1 << 20), ...pieces)).toEqual(expected);
  });

  it('refuses a frame above the maximum, reserved bits and reserved types, before reading any payload', () => {
    expect(() => frames(new RawSocketFrameDecoder(1024), Buffer.from([0, 0, 4, 1]))).toThrow(
      RawSocketFrameError,
    );
    expect(() => frames(new RawSocketFrameDecoder(1024), Buffer.from([0x10, 0, 0, 1]))).toThrow(
      /reserved bits/,
    );
    expect(() => frames(new RawSocketFrameDecoder(1024), Buffer.from([3, 0, 0, 1]))).toThrow(
      /unknown frame type 3/,
    );
  });

  it('holds no more than what arrived: a 16 MiB frame announced, then 10 bytes, allocates kilobytes, not megabytes', () => {
    const decoder = new RawSocketFrameDecoder(0xffffff);
    const before = process.memoryUsage().arrayBuffers;
    const decoders = Array.from({ length: 200 }, () => new RawSocketFrameDecoder(0xffffff));
    for (const each of decoders)
      each.push(Buffer.from([0, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), () => undefined);
    const grown = process.memoryUsage().arrayBuffers - before;
    // 200 x 16 MiB would be 3.2 GB; each holds at most a 4 KiB start buffer.
    expect(grown).toBeLessThan(200 * 8 * 1024);
    expect(frames(decoder, Buffer.from([0, 0, 0, 2]), Buffer.from('a'), Buffer.from('b'))).toEqual([
      { type: 0, payload: Buffer.from('ab') },
    ]);
  });
});

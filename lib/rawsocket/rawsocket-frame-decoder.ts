import { RawSocketFrameType } from './rawsocket-protocol.js';

/** One frame read from the peer. */
export interface RawSocketFrame {
  readonly type: RawSocketFrameType;
  readonly payload: Buffer;
}

/** Why the peer's bytes are not RawSocket frames; the connection is then closed. */
export class RawSocketFrameError extends Error {}

/**
 * Cuts a byte stream into RawSocket frames, however the chunks fall. Memory follows what the peer actually
 * sent, never what it announced: a payload that arrives in one chunk is a view of it (no copy); one that arrives
 * in pieces goes into a buffer that doubles as bytes come (at most twice what was received, each byte copied
 * at most twice on average), so a header announcing 16 MiB followed by silence costs a few bytes, and a frame
 * trickled one byte at a time costs no more than its bytes.
 *
 * @example
 * const decoder = new RawSocketFrameDecoder(1024 * 1024);
 * socket.on('data', (chunk) => decoder.push(chunk, (frame) => handle(frame)));
 */
export class RawSocketFrameDecoder {
  private readonly header = Buffer.alloc(4);
  private headerLength = 0;
  private type: RawSocketFrameType = RawSocketFrameType.MESSAGE;
  /** Octets of the current payload still expected, or -1 while reading a header. */
  private remaining = -1;
  private expected = 0;
  /** The payload received so far, when it came in pieces (its length is the capacity, `filled` the use). */
  private partial?: Buffer;
  private filled = 0;

  constructor(
    /** The largest payload this side announced it accepts. */
    private readonly maxLength: number,
  ) {}

  /** Feeds `chunk`; calls `onFrame` for every frame it completes. Throws {@link RawSocketFrameError}. */
  push(chunk: Buffer, onFrame: (frame: RawSocketFrame) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining < 0) {
        const take = Math.min(4 - this.headerLength, chunk.length - offset);
        chunk.copy(this.header, this.headerLength, offset, offset + take);
        this.headerLength += take;
        offset += take;
        if (this.headerLength < 4) return;
        this.startFrame();
        if (this.remaining === 0) this.finish(onFrame);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      if (take === this.expected) {
        // The whole payload in this chunk: a view, no copy.
        this.partial = chunk.subarray(offset, offset + take);
        this.filled = take;
      } else {
        this.append(chunk, offset, take);
      }
      this.remaining -= take;
      offset += take;
      if (this.remaining === 0) this.finish(onFrame);
    }
  }

  private startFrame(): void {
    const first = this.header[0];
    if ((first & 0xf8) !== 0) {
      throw new RawSocketFrameError(`reserved bits set in the frame header (0x${first.toString(16)})`);
    }
    const type = first & 0x07;
    if (type > RawSocketFrameType.PONG) throw new RawSocketFrameError(`unknown frame type ${type}`);
    const length = (this.header[1] << 16) | (this.header[2] << 8) | this.header[3];
    if (length > this.maxLength) {
      throw new RawSocketFrameError(`a frame of ${length} octets, above the ${this.maxLength} announced`);
    }
    this.type = type;
    this.expected = length;
    this.remaining = length;
  }

  private append(chunk: Buffer, offset: number, take: number): void {
    let partial = this.partial;
    if (!partial || partial.length < this.filled + take) {
      const capacity = Math.min(
        this.expected,
        Math.max(4096, 2 * (partial?.length ?? 0), this.filled + take),
      );
      const grown = Buffer.allocUnsafe(capacity);
      partial?.copy(grown, 0, 0, this.filled);
      partial = this.partial = grown;
    }
    chunk.copy(partial, this.filled, offset, offset + take);
    this.filled += take;
  }

  private finish(onFrame: (frame: RawSocketFrame) => void): void {
    const payload = this.partial ? this.partial.subarray(0, this.filled) : Buffer.alloc(0);
    this.partial = undefined;
    this.filled = 0;
    this.remaining = -1;
    this.headerLength = 0;
    onFrame({ type: this.type, payload });
  }
}

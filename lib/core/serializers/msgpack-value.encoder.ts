import { BinaryValueEncoder } from './binary-value.encoder.js';

const TWO_POW_64 = 2 ** 64;
const MIN_INT64 = -(2 ** 63);

/**
 * Writes values as plain MessagePack (no extension types), always choosing the smallest
 * representation: fixint/fixstr/fixarray/fixmap and then 8/16/32/64-bit forms. Non-negative integers
 * use the unsigned forms. That is what Python's msgpack (autobahn) writes, so the output matches the
 * WAMP spec's test vectors byte for byte. Floats are float64. Bytes are `bin`.
 *
 * See {@link BinaryValueEncoder} for the value semantics and why msgpackr's `Packr` is not used.
 */
export class MsgpackValueEncoder extends BinaryValueEncoder {
  protected readonly formatName = 'MessagePack';

  protected writeNull(): void {
    this.ensure(1);
    this.buffer[this.position++] = 0xc0;
  }

  protected writeBoolean(value: boolean): void {
    this.ensure(1);
    this.buffer[this.position++] = value ? 0xc3 : 0xc2;
  }

  protected writeInteger(value: number): void {
    this.ensure(9);
    const buffer = this.buffer;
    if (value >= 0) {
      if (value < 0x80) {
        buffer[this.position++] = value;
      } else if (value < 0x100) {
        buffer[this.position++] = 0xcc;
        buffer[this.position++] = value;
      } else if (value < 0x10000) {
        buffer[this.position++] = 0xcd;
        this.view.setUint16(this.position, value);
        this.position += 2;
      } else if (value < 0x1_0000_0000) {
        buffer[this.position++] = 0xce;
        this.view.setUint32(this.position, value);
        this.position += 4;
      } else if (value < TWO_POW_64) {
        buffer[this.position++] = 0xcf;
        this.writeUint64(value);
      } else {
        this.writeFloat(value);
      }
    } else if (value >= -0x20) {
      buffer[this.position++] = 0x100 + value;
    } else if (value >= -0x80) {
      buffer[this.position++] = 0xd0;
      buffer[this.position++] = 0x100 + value;
    } else if (value >= -0x8000) {
      buffer[this.position++] = 0xd1;
      this.view.setInt16(this.position, value);
      this.position += 2;
    } else if (value >= -0x8000_0000) {
      buffer[this.position++] = 0xd2;
      this.view.setInt32(this.position, value);
      this.position += 4;
    } else if (value >= MIN_INT64) {
      buffer[this.position++] = 0xd3;
      // Two's complement by words: floor() gives the signed high word, the remainder is the low word.
      const high = Math.floor(value / 0x1_0000_0000);
      this.view.setInt32(this.position, high);
      this.view.setUint32(this.position + 4, value - high * 0x1_0000_0000);
      this.position += 8;
    } else {
      this.writeFloat(value);
    }
  }

  protected writeFloat(value: number): void {
    this.ensure(9);
    this.buffer[this.position++] = 0xcb;
    this.view.setFloat64(this.position, value);
    this.position += 8;
  }

  protected writeBigInt(value: bigint): void {
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.writeInteger(Number(value));
      return;
    }
    this.ensure(9);
    if (value > 0n && value < 2n ** 64n) {
      this.buffer[this.position++] = 0xcf;
      this.view.setBigUint64(this.position, value);
    } else if (value < 0n && value >= -(2n ** 63n)) {
      this.buffer[this.position++] = 0xd3;
      this.view.setBigInt64(this.position, value);
    } else {
      // MessagePack has no integer beyond 64 bits: the nearest double, as a JSON peer would get.
      this.buffer[this.position++] = 0xcb;
      this.view.setFloat64(this.position, Number(value));
    }
    this.position += 8;
  }

  protected writeStringHeader(byteLength: number): void {
    this.ensure(5);
    if (byteLength < 0x20) {
      this.buffer[this.position++] = 0xa0 | byteLength;
    } else {
      this.writeSized(byteLength, 0xd9, 0xda, 0xdb);
    }
  }

  protected writeBytesHeader(byteLength: number): void {
    this.ensure(5);
    this.writeSized(byteLength, 0xc4, 0xc5, 0xc6);
  }

  protected writeArrayHeader(length: number): void {
    this.ensure(5);
    if (length < 0x10) {
      this.buffer[this.position++] = 0x90 | length;
    } else {
      this.writeSized16Or32(length, 0xdc, 0xdd);
    }
  }

  protected writeMapHeader(size: number): void {
    this.ensure(5);
    if (size < 0x10) {
      this.buffer[this.position++] = 0x80 | size;
    } else {
      this.writeSized16Or32(size, 0xde, 0xdf);
    }
  }

  /** 8-, 16- or 32-bit length after one of three type bytes (str and bin). */
  private writeSized(length: number, type8: number, type16: number, type32: number): void {
    if (length < 0x100) {
      this.buffer[this.position++] = type8;
      this.buffer[this.position++] = length;
    } else {
      this.writeSized16Or32(length, type16, type32);
    }
  }

  private writeSized16Or32(length: number, type16: number, type32: number): void {
    if (length < 0x10000) {
      this.buffer[this.position++] = type16;
      this.view.setUint16(this.position, length);
      this.position += 2;
    } else {
      this.buffer[this.position++] = type32;
      this.view.setUint32(this.position, length);
      this.position += 4;
    }
  }
}

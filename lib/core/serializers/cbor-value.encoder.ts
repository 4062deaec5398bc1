import { BinaryValueEncoder } from './binary-value.encoder.js';

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_64 = 2 ** 64;

/** CBOR major types (RFC 8949 §3.1), pre-shifted into the initial byte's top three bits. */
const UNSIGNED = 0 << 5;
const NEGATIVE = 1 << 5;
const BYTES = 2 << 5;
const TEXT = 3 << 5;
const ARRAY = 4 << 5;
const MAP = 5 << 5;

/**
 * Writes values as plain CBOR (RFC 8949): definite lengths, the shortest argument encoding
 * ("preferred serialization" for integers and lengths), no tags. Bytes are a major-type-2 byte string
 * (cbor-x would add tag 64 for a plain `Uint8Array`), floats are float64, and `null`/`true`/`false` are
 * simple values. That is what Python's cbor2 (autobahn) writes, so the output matches the WAMP spec's
 * test vectors byte for byte.
 *
 * See {@link BinaryValueEncoder} for the value semantics and why cbor-x's `Encoder` is not used.
 */
export class CborValueEncoder extends BinaryValueEncoder {
  protected readonly formatName = 'CBOR';

  protected writeNull(): void {
    this.ensure(1);
    this.buffer[this.position++] = 0xf6;
  }

  protected writeBoolean(value: boolean): void {
    this.ensure(1);
    this.buffer[this.position++] = value ? 0xf5 : 0xf4;
  }

  protected writeInteger(value: number): void {
    if (value >= 0) {
      if (value < TWO_POW_64) this.writeHead(UNSIGNED, value);
      else this.writeFloat(value);
    } else if (value >= -TWO_POW_64) {
      // The argument is -1 - value, but past 2^53 that subtraction would round, so write |value| and
      // take the 1 off word by word.
      this.writeNegative(-value);
    } else {
      this.writeFloat(value);
    }
  }

  protected writeFloat(value: number): void {
    this.ensure(9);
    this.buffer[this.position++] = 0xfb;
    this.view.setFloat64(this.position, value);
    this.position += 8;
  }

  protected writeBigInt(value: bigint): void {
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.writeInteger(Number(value));
      return;
    }
    const negative = value < 0n;
    const argument = negative ? -1n - value : value;
    if (argument >= 2n ** 64n) {
      // Beyond 64 bits: a bignum (tag 2, or 3 for -1 - n), its magnitude as big-endian bytes.
      let hex = argument.toString(16);
      if (hex.length % 2 === 1) hex = `0${hex}`;
      this.ensure(2);
      this.buffer[this.position++] = 0xc0 | (negative ? 3 : 2);
      this.writeBytes(Buffer.from(hex, 'hex'));
      return;
    }
    this.ensure(9);
    this.buffer[this.position++] = (negative ? NEGATIVE : UNSIGNED) | 27;
    this.view.setBigUint64(this.position, argument);
    this.position += 8;
  }

  protected writeStringHeader(byteLength: number): void {
    this.writeHead(TEXT, byteLength);
  }

  protected writeBytesHeader(byteLength: number): void {
    this.writeHead(BYTES, byteLength);
  }

  protected writeArrayHeader(length: number): void {
    this.writeHead(ARRAY, length);
  }

  protected writeMapHeader(size: number): void {
    this.writeHead(MAP, size);
  }

  /** Initial byte plus the shortest argument for `value` (0 <= value < 2^64, an integer). */
  private writeHead(majorType: number, value: number): void {
    this.ensure(9);
    const buffer = this.buffer;
    if (value < 24) {
      buffer[this.position++] = majorType | value;
    } else if (value < 0x100) {
      buffer[this.position++] = majorType | 24;
      buffer[this.position++] = value;
    } else if (value < 0x10000) {
      buffer[this.position++] = majorType | 25;
      this.view.setUint16(this.position, value);
      this.position += 2;
    } else if (value < TWO_POW_32) {
      buffer[this.position++] = majorType | 26;
      this.view.setUint32(this.position, value);
      this.position += 4;
    } else {
      buffer[this.position++] = majorType | 27;
      this.writeUint64(value);
    }
  }

  /** Negative integer -magnitude (1 <= magnitude <= 2^64): argument is magnitude - 1. */
  private writeNegative(magnitude: number): void {
    if (magnitude <= Number.MAX_SAFE_INTEGER) {
      this.writeHead(NEGATIVE, magnitude - 1);
      return;
    }
    this.ensure(9);
    let high = Math.floor(magnitude / TWO_POW_32);
    let low = magnitude - high * TWO_POW_32;
    if (low === 0) {
      high -= 1;
      low = TWO_POW_32 - 1;
    } else {
      low -= 1;
    }
    this.buffer[this.position++] = NEGATIVE | 27;
    this.view.setUint32(this.position, high);
    this.view.setUint32(this.position + 4, low);
    this.position += 8;
  }
}

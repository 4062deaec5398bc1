import { SerializationError } from './serialization.error.js';
import { MAX_NESTING_DEPTH } from './serialization-limits.js';
import { toSerializationError } from './to-serialization-error.js';

/** Size of a fresh output slab; several small messages share one before another is allocated. */
const SLAB_SIZE = 16 * 1024;
/** Start a new slab rather than begin a message in less free space than this, to avoid grow-and-copy. */
const MIN_FREE_SPACE = 256;
/** Strings shorter than this are measured and written in JS; a native call costs more than the loop. */
const SHORT_STRING_LENGTH = 64;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Traversal and output buffer shared by the msgpack and CBOR encoders. Subclasses only write the
 * format's headers and scalars.
 *
 * Why not msgpackr's `Packr` / cbor-x's `Encoder`: both write every integer outside the 32-bit range
 * as a float64. WAMP IDs go up to 2^53 and the router draws them at random, so almost every
 * router-generated message would carry float IDs. Python's msgpack and cbor2 decode those as `float`,
 * and autobahn-python rejects a float ID. The libraries also write fixed-size map headers (and, for
 * `undefined`, a msgpack extension), so their output cannot match the WAMP spec's test vectors. The
 * value model here (JSON values plus bytes) is small enough that a purpose-built writer is short and
 * faster than a pre-pass to patch values for the libraries.
 *
 * Value semantics follow `JSON.stringify` so that every serializer encodes the same message the same
 * way:
 * - `Uint8Array` (and `Buffer`, whose `toJSON` is bypassed) is written as a byte string.
 * - Otherwise, an object with a `toJSON` method is replaced by its result.
 * - Dictionaries carry their own enumerable string keys. Entries whose value is `undefined`, a function
 *   or a symbol are left out; in a list such values become `null`.
 * Numbers differ on purpose: an integer is written as an integer whatever its size (up to 64 bits),
 * and `NaN`/`Infinity` stay floats where JSON would write `null`. A `bigint` that fits in 64 bits is
 * written as an integer.
 *
 * Output is written into a slab that later messages keep filling. Each returned `Buffer` is a view
 * into it, so there is no copy per message; like Node's own Buffer pool, a small result keeps its slab
 * (16 KiB) alive. Encoding is synchronous, so one encoder per serializer instance is safe.
 */
export abstract class BinaryValueEncoder {
  protected buffer: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  protected view: DataView = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  protected position = 0;
  private start = 0;

  /**
   * Encodes one value.
   *
   * @param value the message (or any value of the model)
   * @param lengthPrefixed also write a 4-byte big-endian length before the value, as the
   *   `.batched` subprotocols need. It is written in place, so the value is not copied again.
   * @throws SerializationError when the value cannot be represented
   */
  encode(value: unknown, lengthPrefixed = false): Buffer {
    if (this.buffer.length - this.position < MIN_FREE_SPACE) this.replaceSlab(SLAB_SIZE, 0);
    this.start = this.position;
    try {
      if (lengthPrefixed) this.position += 4;
      this.writeValue(value, 1);
    } catch (error) {
      this.position = this.start;
      throw toSerializationError(error, `cannot encode message as ${this.formatName}`);
    }
    if (lengthPrefixed) this.view.setUint32(this.start, this.position - this.start - 4);
    const output = this.buffer.subarray(this.start, this.position);
    this.start = this.position;
    return output;
  }

  /** Name of the wire format, for error messages. */
  protected abstract readonly formatName: string;
  protected abstract writeNull(): void;
  protected abstract writeBoolean(value: boolean): void;
  /** `value` is an integer (Number.isInteger). Magnitudes beyond 64 bits must fall back to a float. */
  protected abstract writeInteger(value: number): void;
  protected abstract writeFloat(value: number): void;
  /** Throws when the value does not fit the format's 64-bit integers. */
  protected abstract writeBigInt(value: bigint): void;
  protected abstract writeStringHeader(byteLength: number): void;
  protected abstract writeBytesHeader(byteLength: number): void;
  protected abstract writeArrayHeader(length: number): void;
  protected abstract writeMapHeader(size: number): void;

  /** Makes room for `bytes` more bytes after `position`. */
  protected ensure(bytes: number): void {
    if (this.position + bytes > this.buffer.length) {
      const used = this.position - this.start;
      this.replaceSlab(Math.max(SLAB_SIZE, 2 * (used + bytes)), used);
    }
  }

  /** Splits a non-negative integer below 2^64 into the two 32-bit words of its big-endian form. */
  protected writeUint64(value: number): void {
    // Exact for every integral double: dividing by a power of two only changes the exponent.
    const high = Math.floor(value / TWO_POW_32);
    this.view.setUint32(this.position, high);
    this.view.setUint32(this.position + 4, value - high * TWO_POW_32);
    this.position += 8;
  }

  private replaceSlab(size: number, keep: number): void {
    const next = Buffer.allocUnsafe(size);
    // Move the message started so far; earlier results keep the old slab alive on their own.
    if (keep > 0) this.buffer.copy(next, 0, this.start, this.start + keep);
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    this.start = 0;
    this.position = keep;
  }

  private writeValue(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.writeString(value);
        return;
      case 'number':
        if (Number.isInteger(value)) this.writeInteger(value);
        else this.writeFloat(value);
        return;
      case 'boolean':
        this.writeBoolean(value);
        return;
      case 'bigint':
        this.writeBigInt(value);
        return;
      case 'object':
        break;
      default:
        // undefined, function, symbol: what JSON.stringify writes for them inside a list.
        this.writeNull();
        return;
    }
    if (value === null) {
      this.writeNull();
      return;
    }
    if (depth > MAX_NESTING_DEPTH) {
      // Also how a cycle ends up: it is infinitely deep.
      throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
      this.writeArray(value, depth);
    } else if (value instanceof Uint8Array) {
      this.writeBytes(value);
    } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      // depth + 1: a toJSON that returns its own object must still terminate.
      this.writeValue((value as { toJSON(key: string): unknown }).toJSON(''), depth + 1);
    } else {
      this.writeObject(value as Record<string, unknown>, depth);
    }
  }

  private writeArray(array: readonly unknown[], depth: number): void {
    const length = array.length;
    this.writeArrayHeader(length);
    for (let i = 0; i < length; i++) this.writeValue(array[i], depth + 1);
  }

  private writeObject(object: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(object);
    // The header carries the entry count, and skipped entries must not count, so count first.
    let size = 0;
    for (let i = 0; i < keys.length; i++) if (isEncodable(object[keys[i]])) size++;
    this.writeMapHeader(size);
    let written = 0;
    for (let i = 0; i < keys.length; i++) {
      const item = object[keys[i]];
      if (!isEncodable(item)) continue;
      this.writeString(keys[i]);
      this.writeValue(item, depth + 1);
      written++;
    }
    if (written !== size) {
      // Only a getter that changes its answer between two reads can get here; the output would be corrupt.
      throw new SerializationError('dictionary changed while it was being encoded');
    }
  }

  protected writeBytes(bytes: Uint8Array): void {
    const length = bytes.byteLength;
    this.writeBytesHeader(length);
    this.ensure(length);
    this.buffer.set(bytes, this.position);
    this.position += length;
  }

  private writeString(text: string): void {
    const length = text.length;
    if (length >= SHORT_STRING_LENGTH) {
      const byteLength = Buffer.byteLength(text, 'utf8');
      this.writeStringHeader(byteLength);
      this.ensure(byteLength);
      this.position += this.buffer.write(text, this.position, byteLength, 'utf8');
      return;
    }
    const byteLength = utf8Length(text);
    this.writeStringHeader(byteLength);
    this.ensure(byteLength);
    const buffer = this.buffer;
    let position = this.position;
    if (byteLength === length) {
      for (let i = 0; i < length; i++) buffer[position++] = text.charCodeAt(i);
    } else {
      position = writeUtf8(text, buffer, position);
    }
    this.position = position;
  }
}

function isEncodable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** UTF-8 length of a string, counting a lone surrogate as the 3 bytes of U+FFFD (as Buffer does). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (isHighSurrogate(code) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Writes UTF-8, replacing a lone surrogate with U+FFFD, as Buffer#write does; returns the end position. */
function writeUtf8(text: string, buffer: Buffer, position: number): number {
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      buffer[position++] = code;
    } else if (code < 0x800) {
      buffer[position++] = 0xc0 | (code >> 6);
      buffer[position++] = 0x80 | (code & 0x3f);
    } else if (isHighSurrogate(code) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      code = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      buffer[position++] = 0xf0 | (code >> 18);
      buffer[position++] = 0x80 | ((code >> 12) & 0x3f);
      buffer[position++] = 0x80 | ((code >> 6) & 0x3f);
      buffer[position++] = 0x80 | (code & 0x3f);
    } else {
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      buffer[position++] = 0xe0 | (code >> 12);
      buffer[position++] = 0x80 | ((code >> 6) & 0x3f);
      buffer[position++] = 0x80 | (code & 0x3f);
    }
  }
  return position;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

import { SerializationError } from './serialization.error.js';
import { MAX_NESTING_DEPTH } from './serialization-limits.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/** CBOR tags a WAMP peer may send: bignums of up to 128 bits (2, 3) and byte arrays written as typed arrays (64). */
const TAG_POSITIVE_BIGNUM = 2;
const TAG_NEGATIVE_BIGNUM = 3;
const TAG_UINT8_ARRAY = 64;
/** "Self-described CBOR" (RFC 8949 §3.4.6): a magic number some encoders put first, meaning nothing. */
const TAG_SELF_DESCRIBED = 55799;
/**
 * Largest bignum accepted, in bytes: 128 bits, so such integers pass unchanged between CBOR peers. cbor-x builds a
 * bignum in time quadratic in its length, which a bound this small keeps to a few steps per byte.
 */
const MAX_BIGNUM_BYTES = 16;

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const INDEFINITE = 31;
const BREAK = 0xff;

/**
 * Items still expected by each open container: a count, or -1 for an indefinite-length one (ends at a break).
 * Module state reused by every call (the walk is synchronous), so checking a frame allocates nothing.
 */
const remaining: number[] = [];

/**
 * Checks the structure of one CBOR frame before cbor-x decodes it, in one pass over its heads (string
 * contents are skipped), with no recursion and no allocation.
 *
 * Why: cbor-x runs a handler for every tag it knows, and those handlers cannot be switched off per decoder
 * (they are module-global). Some cost far more than their size: tag 2 builds a BigInt byte by byte,
 * quadratic in its length, so a 300 KB bignum in HELLO.Details held the event loop for minutes. Others
 * build Dates, Sets, Maps, RegExps, Errors or shared references that the router refuses anyway. So every tag
 * but 2 and 3 over at most 16 bytes and 64 (a byte array, as cbor-x's own encoder writes `Uint8Array`) is
 * refused here, before any handler runs (tag 55799, a marker with no meaning, is let through). The walk also bounds nesting at {@link MAX_NESTING_DEPTH}
 * (cbor-x recurses) and requires exactly one data item filling the frame.
 *
 * What passes can only decode to plain objects, arrays, strings, numbers, booleans, null and byte arrays,
 * plus `undefined`, bigints and stray simple values where the frame holds their heads: the return value says
 * whether it does, so that the normalizing walk over the decoded value runs only when it has work to do.
 *
 * @returns whether the decoded value may hold `undefined`, a bigint or a simple value (needs normalizing)
 * @throws SerializationError naming what is wrong
 */
export function checkCborStructure(bytes: Uint8Array): boolean {
  const end = bytes.length;
  let position = 0;
  let depth = 0;
  // Whether cbor-x may produce a value outside the shared model (undefined, a bigint, a simple value).
  let unusual = false;
  // Items left at the top level: exactly one.
  let items = 1;
  remaining.length = 0;
  try {
    while (true) {
      if (items === 0) {
        // The current container is complete: pop to its parent.
        if (depth === 0) break;
        items = remaining[--depth];
        continue;
      }
      if (position >= end) throw malformed('ends in the middle of a value');
      const initial = bytes[position++];
      if (initial === BREAK) {
        if (items !== -1) throw malformed(`has a stray break byte at ${position - 1}`);
        if (depth === 0) throw malformed('has a break outside any container');
        items = remaining[--depth];
        continue;
      }
      if (items > 0) items--;
      const major = initial >> 5;
      const info = initial & 0x1f;
      if (major === 7) {
        // Simple values and floats: their size follows from the additional information. Only false, true,
        // null and floats are model values as decoded; undefined and other simple values need normalizing.
        if (info < 20 || info === 23 || info === 24) unusual = true;
        if (info === 24) position += 1;
        else if (info === 25) position += 2;
        else if (info === 26) position += 4;
        else if (info === 27) position += 8;
        else if (info > 27) throw malformed(`has the reserved byte 0x${initial.toString(16)}`);
        continue;
      }
      let argument: number;
      if (info < 24) {
        argument = info;
      } else if (info === INDEFINITE) {
        if (major !== MAJOR_ARRAY && major !== MAJOR_MAP) {
          throw new SerializationError(
            'invalid CBOR: indefinite-length strings, tags and integers are not supported',
          );
        }
        argument = -1;
      } else {
        const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
        if (size === 0) throw malformed(`has the reserved byte 0x${initial.toString(16)}`);
        if (position + size > end) throw malformed('ends in the middle of a length');
        argument = 0;
        // Up to 2^64: exact below 2^53, and anything larger is past the end of any frame anyway.
        for (let index = 0; index < size; index++) argument = argument * 256 + bytes[position++];
        // A 64-bit integer may decode as a bigint.
        if (size === 8 && major < MAJOR_BYTES) unusual = true;
      }
      switch (major) {
        case MAJOR_UNSIGNED:
        case MAJOR_NEGATIVE:
          break;
        case MAJOR_BYTES:
        case MAJOR_TEXT:
          if (argument > end - position) throw malformed('has a string running past its end');
          position += argument;
          break;
        case MAJOR_ARRAY:
        case MAJOR_MAP: {
          const count = argument === -1 ? -1 : major === MAJOR_MAP ? 2 * argument : argument;
          // Every item takes at least a byte: a count beyond what is left is a lie, refused before use.
          if (count > end - position) throw malformed('has a container longer than what follows');
          // This container's level counts the frame's outermost value as 1, as the normalizer does.
          if (depth + 1 > MAX_NESTING_DEPTH) {
            throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
          }
          if (count === 0) break;
          remaining[depth++] = items;
          items = count;
          break;
        }
        case MAJOR_TAG:
          if (argument === TAG_SELF_DESCRIBED) {
            // A marker wrapping the next item (cbor-x returns that item): tag and item count as one.
            if (items !== -1) items++;
            break;
          }
          position = checkTag(bytes, position, argument);
          // Bignums decode as bigints; byte arrays (tag 64) are model values already.
          if (argument !== TAG_UINT8_ARRAY) unusual = true;
          break;
      }
    }
    if (position > end) throw malformed('ends in the middle of a value');
    if (position !== end) throw malformed(`has ${end - position} bytes after its value`);
    return unusual;
  } finally {
    remaining.length = 0;
  }
}

/** Checks a tag and the item it wraps (a byte string for every accepted tag); returns the position after it. */
function checkTag(bytes: Uint8Array, position: number, tag: number): number {
  if (tag !== TAG_POSITIVE_BIGNUM && tag !== TAG_NEGATIVE_BIGNUM && tag !== TAG_UINT8_ARRAY) {
    throw new SerializationError(
      `CBOR tag ${tag} is not supported (only bignums of up to 128 bits and byte arrays)`,
    );
  }
  const head = position < bytes.length ? bytes[position] : -1;
  if (head >> 5 !== MAJOR_BYTES || (head & 0x1f) === INDEFINITE) {
    throw new SerializationError(`CBOR tag ${tag} must wrap a definite-length byte string`);
  }
  const info = head & 0x1f;
  let length: number;
  let next = position + 1;
  if (info < 24) {
    length = info;
  } else {
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0 || next + size > bytes.length) throw malformed('has a bad byte string length');
    length = 0;
    for (let index = 0; index < size; index++) length = length * 256 + bytes[next++];
  }
  if (length > bytes.length - next) throw malformed('has a string running past its end');
  if (tag !== TAG_UINT8_ARRAY && length > MAX_BIGNUM_BYTES) {
    throw new SerializationError(
      `CBOR bignum of ${length} bytes is not supported (at most ${MAX_BIGNUM_BYTES} bytes, 128 bits)`,
    );
  }
  return next + length;
}

function malformed(problem: string): SerializationError {
  return new SerializationError(`invalid CBOR: the value ${problem}`);
}

/**
 * The type and request ID at the start of a CBOR message `[type, request, ...]` (both unsigned integers), or
 * `undefined`. Reads at most 15 bytes.
 */
export function peekCborRequest(bytes: Uint8Array): RequestHead | undefined {
  const head = bytes[0];
  // An array: definite (0x80-0x9b) or indefinite (0x9f).
  if (head === undefined || head >> 5 !== MAJOR_ARRAY || ((head & 0x1f) > 27 && head !== 0x9f))
    return undefined;
  const lengthBytes = (head & 0x1f) < 24 || head === 0x9f ? 0 : 1 << ((head & 0x1f) - 24);
  const type = readCborUnsigned(bytes, 1 + lengthBytes);
  if (type === undefined) return undefined;
  const request = readCborUnsigned(bytes, type.next);
  return request === undefined ? undefined : { type: type.value, request: request.value };
}

function readCborUnsigned(bytes: Uint8Array, position: number): { value: number; next: number } | undefined {
  const initial = bytes[position];
  if (initial === undefined || initial >> 5 !== MAJOR_UNSIGNED) return undefined;
  const info = initial & 0x1f;
  if (info < 24) return { value: info, next: position + 1 };
  if (info > 27) return undefined;
  const size = 1 << (info - 24);
  if (position + 1 + size > bytes.length) return undefined;
  let value = 0;
  for (let index = 1; index <= size; index++) value = value * 256 + bytes[position + index];
  return { value, next: position + 1 + size };
}

import { SerializationError } from './serialization.error.js';
import { MAX_NESTING_DEPTH } from './serialization-limits.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/** Extension types a WAMP peer may send: 0 (JS `undefined`, as msgpackr and notepack write it). */
const EXT_UNDEFINED = 0;
/** msgpackr's BigInt extension: accepted up to 64 bits, like CBOR bignums. */
const EXT_BIGINT = 0x42;
const MAX_BIGINT_BYTES = 8;

/** Items still expected by each open container (module state reused by every call: no allocation). */
const remaining: number[] = [];

/** Bytes of the length field that follows each length-prefixed head (bin, str, ext, array, map). */
function lengthSize(initial: number): number {
  switch (initial) {
    case 0xc4: // bin 8
    case 0xc7: // ext 8
    case 0xd9: // str 8
      return 1;
    case 0xc5:
    case 0xc8:
    case 0xda:
    case 0xdc: // array 16
    case 0xde: // map 16
      return 2;
    default: // 0xc6, 0xc9, 0xdb, 0xdd, 0xdf: 32-bit lengths
      return 4;
  }
}

/**
 * Checks the structure of one MessagePack frame before msgpackr decodes it, in one pass over its heads (string
 * and binary contents are skipped), with no recursion and no allocation.
 *
 * Why: msgpackr runs a handler for every extension type it knows, module-wide, with no per-decoder switch, and
 * some cost more than their size (a 900 KB BigInt extension took 54 ms, against well under 1 ms for a binary
 * value of the same size) or build values the router refuses anyway (timestamps, sets, errors, regexps, typed
 * arrays, structured-clone references). So only extension 0 (`undefined`) and BigInts of at most 64 bits pass,
 * 0xC1 (never used) is refused, nesting is bounded at {@link MAX_NESTING_DEPTH}, and the frame must be exactly
 * one value.
 *
 * What passes can only decode to plain objects, arrays, strings, numbers, booleans, null and byte arrays,
 * plus `undefined` and bigints where the frame holds an extension or a 64-bit integer: the return value says
 * whether it does, so that the normalizing walk over the decoded value runs only when it has work to do.
 *
 * @returns whether the decoded value may hold `undefined` or a bigint (needs normalizing)
 * @throws SerializationError naming what is wrong
 */
export function checkMsgpackStructure(bytes: Uint8Array): boolean {
  const end = bytes.length;
  let position = 0;
  let depth = 0;
  // Whether msgpackr may produce a value outside the shared model (undefined, a bigint).
  let unusual = false;
  let items = 1;
  remaining.length = 0;
  try {
    while (true) {
      if (items === 0) {
        if (depth === 0) break;
        items = remaining[--depth];
        continue;
      }
      if (position >= end) throw malformed('ends in the middle of a value');
      const initial = bytes[position++];
      items--;
      // Fixed-size values: positive and negative fixints, nil, booleans.
      if (initial <= 0x7f || initial >= 0xe0 || initial === 0xc0 || initial === 0xc2 || initial === 0xc3) {
        continue;
      }
      let count = -1; // elements of a container, when the head opens one
      if (initial <= 0x8f) {
        count = 2 * (initial & 0x0f);
      } else if (initial <= 0x9f) {
        count = initial & 0x0f;
      } else if (initial <= 0xbf) {
        position += initial & 0x1f;
      } else {
        switch (initial) {
          case 0xc1:
            throw malformed('uses the reserved byte 0xc1');
          case 0xca:
            position += 4;
            break;
          case 0xcb:
            position += 8;
            break;
          case 0xcc:
          case 0xd0:
            position += 1;
            break;
          case 0xcd:
          case 0xd1:
            position += 2;
            break;
          case 0xce:
          case 0xd2:
            position += 4;
            break;
          case 0xcf:
          case 0xd3:
            // Beyond 2^53, msgpackr decodes 64-bit integers as bigints.
            unusual = true;
            position += 8;
            break;
          case 0xd4:
          case 0xd5:
          case 0xd6:
          case 0xd7:
          case 0xd8:
            // fixext 1, 2, 4, 8, 16: a type byte, then 2^(initial - 0xd4) bytes.
            position = checkExtension(bytes, position, 1 << (initial - 0xd4));
            unusual = true;
            break;
          default: {
            const size = lengthSize(initial);
            if (position + size > end) throw malformed('ends in the middle of a length');
            let length = 0;
            for (let index = 0; index < size; index++) length = length * 256 + bytes[position++];
            if (initial === 0xc7 || initial === 0xc8 || initial === 0xc9) {
              position = checkExtension(bytes, position, length);
              unusual = true;
            } else if (initial === 0xdc || initial === 0xdd) {
              count = length;
            } else if (initial === 0xde || initial === 0xdf) {
              count = 2 * length;
            } else {
              // bin and str
              if (length > end - position) throw malformed('has a string running past its end');
              position += length;
            }
          }
        }
      }
      if (count === -1) continue;
      // Every element takes at least a byte: a count beyond what is left is a lie, refused before use.
      if (count > end - position) throw malformed('has a container longer than what follows');
      // This container's level counts the frame's outermost value as 1, as the normalizer does.
      if (depth + 1 > MAX_NESTING_DEPTH) {
        throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
      }
      if (count === 0) continue;
      remaining[depth++] = items;
      items = count;
    }
    if (position > end) throw malformed('ends in the middle of a value');
    if (position !== end) throw malformed(`has ${end - position} bytes after its value`);
    return unusual;
  } finally {
    remaining.length = 0;
  }
}

/** Checks an extension's type and size (position at its type byte); returns the position after its data. */
function checkExtension(bytes: Uint8Array, position: number, length: number): number {
  if (position >= bytes.length) throw malformed('ends in the middle of an extension');
  const type = bytes[position];
  if (type === EXT_BIGINT) {
    if (length > MAX_BIGINT_BYTES) {
      throw new SerializationError(
        `MessagePack BigInt of ${length} bytes is not supported (at most ${MAX_BIGINT_BYTES} bytes, 64 bits)`,
      );
    }
  } else if (type !== EXT_UNDEFINED) {
    const signed = type > 127 ? type - 256 : type;
    throw new SerializationError(`MessagePack extension type ${signed} is not supported`);
  }
  if (length > bytes.length - position - 1) throw malformed('has an extension running past its end');
  return position + 1 + length;
}

function malformed(problem: string): SerializationError {
  return new SerializationError(`invalid MessagePack: the value ${problem}`);
}

/**
 * The type and request ID at the start of a MessagePack message `[type, request, ...]` (both non-negative
 * integers, in any integer encoding), or `undefined`. Reads at most 23 bytes.
 */
export function peekMsgpackRequest(bytes: Uint8Array): RequestHead | undefined {
  const head = bytes[0];
  let position: number;
  if (head >= 0x90 && head <= 0x9f) position = 1;
  else if (head === 0xdc) position = 3;
  else if (head === 0xdd) position = 5;
  else return undefined;
  const type = readMsgpackUnsigned(bytes, position);
  if (type === undefined) return undefined;
  const request = readMsgpackUnsigned(bytes, type.next);
  return request === undefined ? undefined : { type: type.value, request: request.value };
}

function readMsgpackUnsigned(
  bytes: Uint8Array,
  position: number,
): { value: number; next: number } | undefined {
  const initial = bytes[position];
  if (initial === undefined) return undefined;
  if (initial <= 0x7f) return { value: initial, next: position + 1 };
  // uint 8-64, or int 8-64 holding a non-negative value (msgpackr writes some bigints as int64).
  const unsigned = initial >= 0xcc && initial <= 0xcf;
  if (!unsigned && (initial < 0xd0 || initial > 0xd3)) return undefined;
  const size = 1 << (initial - (unsigned ? 0xcc : 0xd0));
  if (position + 1 + size > bytes.length) return undefined;
  if (!unsigned && bytes[position + 1] >= 0x80) return undefined;
  let value = 0;
  for (let index = 1; index <= size; index++) value = value * 256 + bytes[position + index];
  return { value, next: position + 1 + size };
}

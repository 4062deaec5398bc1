import { SerializationError } from './serialization.error.js';
import { MAX_NESTING_DEPTH } from './serialization-limits.js';

/**
 * Nodes the current walk may still visit. Module state rather than a parameter because the walk is
 * synchronous and recursive: passing a counter object down every call costs more than it buys.
 */
let remainingNodes = 0;

/**
 * Brings a value decoded by msgpackr or cbor-x into the value model that the router and every
 * serializer share. That model is JSON's, plus binary values, so that whatever one peer sends can be
 * re-encoded for any other peer. The value is normalized in place and returned.
 *
 * Both libraries decode more than plain data: timestamps become `Date`, CBOR tags become `Set`, `Map`,
 * `RegExp`, `Error` or typed arrays, msgpack's 0xC1 becomes a marker object, and CBOR value sharing
 * (tags 28/29) can build cycles, or a DAG that expands exponentially when re-encoded. So:
 * - `undefined` (msgpack fixext 0 or CBOR simple 23) is dropped from dictionaries and becomes `null` in
 *   lists, which is what `JSON.stringify` does. JS peers send it for unset options.
 * - `bigint` (64-bit integers, CBOR bignums, msgpackr's BigInt extension) becomes a `number` up to 2^53 in
 *   magnitude (exact there, as msgpackr decides too), and stays a `bigint` beyond: a large integer passes unchanged from one msgpack or CBOR peer
 *   to another (JSON peers get the nearest number, see `encodeJsonText`). IDs are read from bigints exactly
 *   (2^53 is valid, 2^53 + 1 is not).
 * - `Uint8Array` (`Buffer` included) is kept; it is the model's binary value.
 * - Any other object that is not a plain object or array is rejected.
 * - Every array element and dictionary entry takes at least one byte on the wire, so a tree with more
 *   nodes than `encodedLength` bytes must share references. Such a value is rejected, and that also
 *   catches cycles. The check bounds the walk, and any later re-encoding, to linear work.
 * - Nesting deeper than {@link MAX_NESTING_DEPTH} is rejected.
 *
 * @param value what the library decoded
 * @param encodedLength size in bytes of the encoding it came from (the node budget)
 * @throws SerializationError when the value falls outside the model
 */
export function normalizeDecodedValue(value: unknown, encodedLength: number): unknown {
  remainingNodes = encodedLength - 1;
  return normalize(value, 1);
}

function normalize(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'bigint':
      return bigintToNumber(value);
    case 'object':
      break;
    default:
      // Decoders never produce functions or symbols; anything else is a decoder we do not know.
      throw unsupported(value);
  }
  if (value === null) return null;
  if (depth > MAX_NESTING_DEPTH) {
    throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (Array.isArray(value)) return normalizeArray(value, depth);
  if (value instanceof Uint8Array) {
    // Typed arrays other than bytes (CBOR tags 65-87) are subclasses of TypedArray, not Uint8Array.
    return value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    return normalizeObject(value as Record<string, unknown>, depth);
  }
  throw unsupported(value);
}

function normalizeArray(array: unknown[], depth: number): unknown[] {
  remainingNodes -= array.length;
  if (remainingNodes < 0) throw tooLarge();
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (typeof item === 'object' ? item !== null : isUnusualPrimitive(item)) {
      array[i] = normalize(item, depth + 1);
    }
  }
  return array;
}

function normalizeObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  // for...in rather than Object.keys: no array per dictionary, and the decoders only create own keys.
  for (const key in object) {
    // Charged before descending, like arrays, so the walk stops as soon as the budget runs out.
    if (--remainingNodes < 0) throw tooLarge();
    const item = object[key];
    if (typeof item === 'object' ? item === null : !isUnusualPrimitive(item)) continue;
    if (item === undefined) {
      delete object[key]; // deleting the key being visited is safe during for...in
    } else {
      object[key] = normalize(item, depth + 1);
    }
  }
  return object;
}

/** Integers up to 2^53 in magnitude are exact as numbers (msgpackr draws the same line). */
const MIN_EXACT = -(2n ** 53n);
const MAX_EXACT = 2n ** 53n;

/** A bigint as a number when that is exact, else the bigint itself (see {@link normalizeDecodedValue}). */
function bigintToNumber(value: bigint): number | bigint {
  return value >= MIN_EXACT && value <= MAX_EXACT ? Number(value) : value;
}

/** Anything but string, number and boolean: undefined, bigint (and whatever a decoder might add). */
function isUnusualPrimitive(value: unknown): boolean {
  const type = typeof value;
  return type !== 'string' && type !== 'number' && type !== 'boolean';
}

function tooLarge(): SerializationError {
  return new SerializationError(
    'decoded value is larger than its encoding (shared or cyclic references are not supported)',
  );
}

function unsupported(value: unknown): SerializationError {
  const name =
    typeof value === 'object' && value !== null
      ? ((Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name ??
        'object')
      : typeof value;
  return new SerializationError(`unsupported value type in message: ${String(name)}`);
}

/**
 * Largest WAMP ID accepted on input: 2^53 (spec, "Identifiers > IDs").
 *
 * 2^53 is not a JavaScript safe integer but is exactly representable as a double, and the spec allows
 * peers to send it, so the decoder accepts it. The router never generates it (see `MAX_GENERATED_ID`).
 */
export const MAX_ID = 2 ** 53;

const MAX_ID_BIGINT = 2n ** 53n;

/**
 * Tells whether a value is a WAMP ID: an integer number in [1, 2^53].
 *
 * Only `number`s qualify (the typed messages carry numbers); a `bigint` from a binary serializer is
 * handled by {@link toWampId}.
 *
 * @example
 * isValidId(2 ** 53); // true
 * isValidId(0); // false
 * isValidId('1'); // false
 */
export function isValidId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}

/**
 * Returns the value as a numeric WAMP ID, or 0 when it is not one.
 *
 * Besides numbers it accepts `bigint`s in [1, 2^53]: msgpack and CBOR carry 64-bit integers, which
 * some decoder settings hand out as `bigint` (msgpackr does by default for uint64, and every random
 * ID above 2^32 is a uint64 on the wire). 0 is never a valid ID, so it serves as the "invalid"
 * answer without allocating.
 *
 * @example
 * toWampId(5n); // 5
 * toWampId(2n ** 53n + 1n); // 0
 */
export function toWampId(value: unknown): number {
  if (typeof value === 'number') return isValidId(value) ? value : 0;
  if (typeof value === 'bigint' && value >= 1n && value <= MAX_ID_BIGINT) return Number(value);
  return 0;
}

import { SerializationError } from '../../../lib/core/serializers/serialization.error.js';

/** Hex string to Buffer. */
export function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

/** Buffer (or string) to hex, so failures print readably. */
export function toHex(frame: Buffer | string): string {
  return (typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame).toString('hex');
}

/**
 * Runs `action` and returns what it threw, failing the test if it threw nothing or anything but a
 * SerializationError.
 */
export function serializationErrorOf(action: () => unknown): SerializationError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof SerializationError)) {
    throw new Error(
      `expected a SerializationError, got ${thrown === undefined ? 'no error' : String(thrown)}`,
      {
        cause: thrown,
      },
    );
  }
  return thrown;
}

/**
 * Canonical form for comparing decoded values: bytes become `{ $bytes: hex }` (Buffer and Uint8Array
 * alike), -0 becomes 0 (no format keeps it), and a `__proto__` key becomes `__proto_` as every decoder
 * renames it.
 */
export function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
  if (Object.is(value, -0)) return 0;
  // One form per integer: msgpack and CBOR decode integers beyond 2^53 in magnitude as bigints (exactly).
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 53) return BigInt(value);
  if (typeof value === 'bigint' && value >= -(2n ** 53n) && value <= 2n ** 53n) return Number(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value).map((key) => [
        key === '__proto__' ? '__proto_' : key,
        canonical((value as Record<string, unknown>)[key]),
      ]),
    );
  }
  return value;
}

/** Builds `[[[...value...]]]` with `levels` arrays around `value`, without recursion. */
export function nestArrays(levels: number, value: unknown = 0): unknown {
  let result = value;
  for (let i = 0; i < levels; i++) result = [result];
  return result;
}

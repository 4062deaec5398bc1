import { SerializationError } from './serialization.error.js';

/**
 * Turns whatever a codec threw (library `Error`s, `RangeError` from a stack overflow, a `TypeError`
 * from `JSON.stringify`) into a `SerializationError`. The original error is kept as `cause`.
 *
 * Why: the gateway treats `SerializationError` as "this peer sent garbage / this value can't be encoded"
 * and anything else as a bug, so no library error may leak through unchanged.
 */
export function toSerializationError(error: unknown, context: string): SerializationError {
  if (error instanceof SerializationError) return error;
  return new SerializationError(`${context}: ${describe(error)}`, { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    // An object whose toString throws (or returns a non-string) must not escape as a second error.
    return 'unknown error';
  }
}

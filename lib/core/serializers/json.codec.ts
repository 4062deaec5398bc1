import { isUtf8 } from 'node:buffer';

import { SerializationError } from './serialization.error.js';
import { MAX_NESTING_DEPTH } from './serialization-limits.js';
import { toSerializationError } from './to-serialization-error.js';
import type { RequestHead } from './wamp-serializer.interface.js';

/**
 * First character of a JSON string that carries binary data under the WAMP convention: the string is
 * U+0000 followed by the standard base64 of the bytes.
 */
const JSON_BINARY_PREFIX = '\u0000';

/**
 * The only way U+0000 can appear in valid JSON text: a raw NUL byte is invalid inside a JSON string.
 * Searching for these six characters cheaply tells whether a frame can contain binary at all.
 */
const ESCAPED_NUL = '\\u0000';
/** Any escape: the key `__proto__` could be spelled with escaped characters, so this is the safe test. */
const UNICODE_ESCAPE = '\\u';
const PROTO_KEY = '__proto__';
/** What msgpackr and cbor-x rename a `__proto__` map key to; JSON does the same, so peers get one view. */
const RENAMED_PROTO_KEY = '__proto_';
/** Nesting deeper than MAX_NESTING_DEPTH needs at least one `[` or `{` and its closer per level. */
const DEPTH_CHECK_MIN_LENGTH = 2 * MAX_NESTING_DEPTH;
/** Standard alphabet with optional padding. Node's decoder would silently skip invalid characters. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Encodes a value as compact JSON text, turning every `Uint8Array` (`Buffer` included) into the WAMP
 * binary string and every `bigint` into the nearest number. JSON has integers of any size, but its peers do
 * not: JavaScript clients parse every number as a double, so a 64-bit integer from a msgpack or CBOR peer
 * arrives as the nearest double either way; this is the documented conversion (binary peers keep it exact).
 *
 * A replacer costs `JSON.stringify` a function call per value, and most messages carry neither binary nor
 * bigints, so the value is first walked to see whether one is needed. The walk also enforces
 * {@link MAX_NESTING_DEPTH}, which catches cycles before `JSON.stringify` would.
 *
 * @throws SerializationError for nesting that is too deep, cycles, or anything else `JSON.stringify`
 * rejects
 */
export function encodeJsonText(value: unknown): string {
  try {
    const needsReplacer = typeof value === 'object' && value !== null && needsReplacing(value, 1);
    return needsReplacer ? JSON.stringify(value, modelReplacer) : JSON.stringify(value);
  } catch (error) {
    throw toSerializationError(error, 'cannot encode message as JSON');
  }
}

/**
 * Parses one JSON text into the shared value model. Binary strings become `Buffer`s, a `__proto__` key
 * is renamed `__proto_` (as msgpackr and cbor-x do), and nesting deeper than
 * {@link MAX_NESTING_DEPTH} is rejected.
 *
 * `JSON.parse` with a reviver is slow, so the text is parsed plainly. The result is walked only when
 * the text could need it: when it holds an escape (binary, or an escaped `__proto__`), the literal
 * `__proto__`, or enough characters to nest past the limit.
 *
 * @throws SerializationError for invalid JSON, invalid base64 after U+0000, or nesting that is too deep
 */
export function decodeJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw toSerializationError(error, 'invalid JSON');
  }
  const hasEscapes = text.includes(UNICODE_ESCAPE);
  if (!hasEscapes && text.length <= DEPTH_CHECK_MIN_LENGTH && !text.includes(PROTO_KEY)) return value;
  const binary = hasEscapes && text.includes(ESCAPED_NUL);
  if (typeof value === 'object' && value !== null) restore(value, 1, binary);
  else if (binary && typeof value === 'string' && value.charCodeAt(0) === 0) return fromBinaryString(value);
  return value;
}

/**
 * Decodes a text frame's bytes, rejecting invalid UTF-8. `Buffer#toString` would silently replace
 * invalid sequences with U+FFFD. ws already validates text frames, but a serializer must not rely on
 * how it is called.
 *
 * @throws SerializationError when the bytes are not valid UTF-8
 */
export function decodeUtf8Frame(frame: Uint8Array): string {
  if (!(frame instanceof Uint8Array)) throw new SerializationError('frame is not a Buffer');
  if (!isUtf8(frame)) throw new SerializationError('text frame is not valid UTF-8');
  const buffer = Buffer.isBuffer(frame)
    ? frame
    : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return buffer.toString('utf8');
}

/**
 * True when a replacer is needed: a Uint8Array, a bigint, or a `toJSON` whose output we cannot see in advance.
 * Nested objects are visited through a call, leaves with a type check. `for...in` avoids allocating a key
 * array per dictionary; on the plain objects of a message it visits exactly the own keys JSON.stringify writes.
 */
function needsReplacing(value: object, depth: number): boolean {
  if (depth > MAX_NESTING_DEPTH) {
    throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (value instanceof Uint8Array) return true;
  let found = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // No early exit: the rest of the value still needs its depth checked.
      if (typeof item === 'object') {
        if (item !== null && needsReplacing(item, depth + 1)) found = true;
      } else if (typeof item === 'bigint') {
        found = true;
      }
    }
    return found;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object') {
      if (item !== null && needsReplacing(item, depth + 1)) found = true;
    } else if (typeof item === 'bigint') {
      found = true;
    }
  }
  return found;
}

function modelReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  // JSON.stringify has already called Buffer#toJSON ({type, data}) by the time the replacer runs, so
  // look at the holder's raw property. A user toJSON that returns bytes shows up in `value` instead.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return toBinaryString(raw);
  if (value instanceof Uint8Array) return toBinaryString(value);
  return value;
}

function toBinaryString(bytes: Uint8Array): string {
  // A view over the same memory; Buffer.from(uint8Array) would copy the bytes first.
  return (
    JSON_BINARY_PREFIX + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  );
}

/** Walks a parsed value in place (non-null objects only, so leaves cost no call). */
function restore(value: object, depth: number, binary: boolean): void {
  if (depth > MAX_NESTING_DEPTH) {
    throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object') {
        if (item !== null) restore(item, depth + 1, binary);
      } else if (binary && typeof item === 'string' && item.charCodeAt(0) === 0) {
        value[i] = fromBinaryString(item);
      }
    }
    return;
  }
  const object = value as Record<string, unknown>;
  if (Object.hasOwn(object, PROTO_KEY)) {
    // JSON.parse makes `__proto__` an own data property, which is harmless until someone copies the
    // dictionary with Object.assign or a `for...in` loop and so sets the target's prototype.
    object[RENAMED_PROTO_KEY] = object[PROTO_KEY];
    delete object[PROTO_KEY];
  }
  // JSON.parse objects have only own keys, so for...in is Object.keys without the array.
  for (const key in object) {
    const item = object[key];
    if (typeof item === 'object') {
      if (item !== null) restore(item, depth + 1, binary);
    } else if (binary && typeof item === 'string' && item.charCodeAt(0) === 0) {
      object[key] = fromBinaryString(item);
    }
  }
}

function fromBinaryString(text: string): Buffer {
  const base64 = text.slice(1);
  if (base64.length % 4 === 1 || !BASE64.test(base64)) {
    throw new SerializationError('string starting with U+0000 is not valid base64 binary');
  }
  return Buffer.from(base64, 'base64');
}

/** `[type, request` at the start of a JSON message, with JSON's whitespace allowed between the tokens. */
const JSON_REQUEST_HEAD = /^[\t\n\r ]*\[[\t\n\r ]*(\d{1,3})[\t\n\r ]*,[\t\n\r ]*(\d{1,16})[\t\n\r ]*[,\]]/;
/** Bytes looked at: enough for the head with generous whitespace, bounded whatever the frame's size. */
const JSON_PEEK_BYTES = 128;

/**
 * The type and request ID at the start of a JSON message `[type, request, ...]`, or `undefined`. Reads at
 * most 128 bytes.
 */
export function peekJsonRequest(bytes: Uint8Array): RequestHead | undefined {
  const end = Math.min(bytes.length, JSON_PEEK_BYTES);
  // latin1: one character per byte, and the head is ASCII if it is there at all.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('latin1');
  const head = JSON_REQUEST_HEAD.exec(text);
  return head ? { type: Number(head[1]), request: Number(head[2]) } : undefined;
}

import {
  decodeMessage,
  type MessageDecoderOptions,
  WampProtocolError,
  type WampMessage,
} from '../../../lib/core/index.js';
import { DEFAULT_DECODER_OPTIONS } from '../../../lib/core/protocol/message-decoder.js';

/** Strict URIs and the default depth: what most tests decode with. */
export const STRICT: MessageDecoderOptions = { ...DEFAULT_DECODER_OPTIONS, strictUris: true, maxDepth: 32 };

/** Loose URIs, default depth. */
export const LOOSE: MessageDecoderOptions = { ...DEFAULT_DECODER_OPTIONS, strictUris: false, maxDepth: 32 };

/** Decodes and returns the error thrown, failing the test when nothing (or something else) is thrown. */
export function decodeError(raw: unknown, options: MessageDecoderOptions = STRICT): WampProtocolError {
  let decoded: WampMessage;
  try {
    decoded = decodeMessage(raw, options);
  } catch (error) {
    if (!(error instanceof WampProtocolError)) {
      throw new Error(`Expected WampProtocolError, got ${String(error)}`, { cause: error });
    }
    return error;
  }
  throw new Error(`Expected ${JSON.stringify(raw)} to be rejected, got ${JSON.stringify(decoded)}`);
}

/** Expects a protocol violation whose message is exactly `message`. */
export function expectViolation(
  raw: unknown,
  message: string,
  options: MessageDecoderOptions = STRICT,
): void {
  const error = decodeError(raw, options);
  expect(error.message).toBe(message);
  expect(error.uri).toBe('wamp.error.protocol_violation');
  expect(error.requestType).toBeUndefined();
  expect(error.request).toBeUndefined();
}

/** Builds `depth` nested lists: nestedList(1) is `[]`, nestedList(2) is `[[]]`. */
export function nestedList(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
}

/** Builds `depth` nested dicts: nestedDict(1) is `{}`, nestedDict(2) is `{ a: {} }`. */
export function nestedDict(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < depth; level++) value = { a: value };
  return value;
}

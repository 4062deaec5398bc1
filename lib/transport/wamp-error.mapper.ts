import { HttpException, type LoggerService } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';
import { isValidUri } from '../core/protocol/wamp-uri.js';
import { WampErrorUri } from '../core/protocol/wamp-uris.js';
import { WampCallError } from '../core/router/wamp-call.error.js';
import type { WampErrorPayload } from './wamp.exception.js';

/** What the client sees when a handler fails with something it was not meant to see. */
const GENERIC_ERROR_MESSAGE = 'Internal error.';

/** The message Nest puts in the RpcException it throws when a guard returns false. */
const NEST_FORBIDDEN_MESSAGE = 'Forbidden resource';
/** The message Nest's default RPC filter substitutes for every exception it does not know. */
const NEST_UNKNOWN_MESSAGE = 'Internal server error';

/**
 * Maps what a Nest pipeline threw (or the default RPC filter turned it into) to a WAMP ERROR:
 * - `WampException` / `RpcException({ uri, args, kwargs })`: exactly those;
 * - `WampCallError` (a call the handler made through `WampCaller` failed): the same ERROR, forwarded;
 * - a guard's refusal: `wamp.error.not_authorized`;
 * - `HttpException`s: 400/404/409/422 and other 4xx -> `wamp.error.invalid_argument`, 401/403 ->
 *   `wamp.error.not_authorized`, 408/504 -> `wamp.error.timeout`, 413 -> `wamp.error.payload_size_exceeded`,
 *   501 -> `wamp.error.feature_not_supported`, with args `[message]` (ValidationPipe's messages joined by
 *   "; ") and kwargs `{ status, message, statusText }`;
 * - anything else (and 5xx): `wamp.error.runtime_error` with a generic message; the original is logged
 *   with its stack and never sent.
 */
export function toWampError(exception: unknown, logger: LoggerService): WampErrorPayload {
  if (exception instanceof RpcException) return fromRpcError(exception.getError(), logger, exception);
  if (exception instanceof WampCallError) {
    return { uri: exception.error, args: exception.args, kwargs: exception.kwargs };
  }
  if (exception instanceof HttpException) return fromHttpException(exception, logger);
  if (isErrorPayload(exception)) return exception;
  if (isPlainObject(exception) && typeof exception.message === 'string' && exception.status === 'error') {
    return fromRpcError(exception, logger, exception);
  }
  return internalError(exception, logger);
}

function fromRpcError(error: unknown, logger: LoggerService, original: unknown): WampErrorPayload {
  if (isErrorPayload(error)) return error;
  if (typeof error === 'string') {
    if (error === NEST_FORBIDDEN_MESSAGE) return { uri: WampErrorUri.NOT_AUTHORIZED, args: [error] };
    if (error === NEST_UNKNOWN_MESSAGE) return internalError(original, logger);
    return { uri: WampErrorUri.RUNTIME_ERROR, args: [error] };
  }
  if (isPlainObject(error)) {
    const message = error.message;
    if (message === NEST_FORBIDDEN_MESSAGE) return { uri: WampErrorUri.NOT_AUTHORIZED, args: [message] };
    if (message === NEST_UNKNOWN_MESSAGE && error.status === 'error') return internalError(original, logger);
    return {
      uri: WampErrorUri.RUNTIME_ERROR,
      args: typeof message === 'string' ? [message] : [],
      kwargs: error,
    };
  }
  return internalError(original, logger);
}

function fromHttpException(exception: HttpException, logger: LoggerService): WampErrorPayload {
  const status = exception.getStatus();
  if (status >= 500 && status !== 501 && status !== 504) return internalError(exception, logger);
  const response = exception.getResponse();
  // Not `error`: Autobahn|Python builds ApplicationError(error, *args, **kwargs) and breaks on that key.
  const kwargs: Record<string, unknown> = { status };
  let summary = exception.message;
  if (typeof response === 'string') {
    kwargs.message = response;
  } else if (isPlainObject(response)) {
    if (response.message !== undefined) kwargs.message = response.message;
    if (typeof response.error === 'string') kwargs.statusText = response.error;
    // ValidationPipe's exception message is a bare "Bad Request Exception": say what was wrong instead.
    if (Array.isArray(response.message)) summary = response.message.map(String).join('; ');
    else if (typeof response.message === 'string') summary = response.message;
  }
  return { uri: uriForStatus(status), args: [summary], kwargs };
}

function uriForStatus(status: number): string {
  switch (status) {
    case 401:
    case 403:
      return WampErrorUri.NOT_AUTHORIZED;
    case 408:
    case 504:
      return WampErrorUri.TIMEOUT;
    case 413:
      return WampErrorUri.PAYLOAD_SIZE_EXCEEDED;
    case 501:
      return WampErrorUri.FEATURE_NOT_SUPPORTED;
    default:
      return WampErrorUri.INVALID_ARGUMENT;
  }
}

function internalError(exception: unknown, logger: LoggerService): WampErrorPayload {
  if (exception instanceof Error) logger.error(`WAMP handler failed: ${exception.message}`, exception.stack);
  else logger.error(`WAMP handler failed: ${safeDescribe(exception)}`);
  return { uri: WampErrorUri.RUNTIME_ERROR, args: [GENERIC_ERROR_MESSAGE] };
}

function isErrorPayload(value: unknown): value is WampErrorPayload {
  if (!isPlainObject(value) || typeof value.uri !== 'string' || !isValidUri(value.uri, false)) return false;
  const args = value.args as WampArgs | undefined;
  const kwargs = value.kwargs as WampKwargs | undefined;
  return (args === undefined || Array.isArray(args)) && (kwargs === undefined || isPlainObject(kwargs));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function safeDescribe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

import type { ExecutionContext, PipeTransform, Type } from '@nestjs/common';
import { WampErrorUri } from '../core/protocol/wamp-uris.js';
import { WampException } from '../transport/wamp.exception.js';
import type { WampCallPayload } from './wamp-call-payload.interface.js';
import { isArgumentOptions, type WampArgumentOptions } from './wamp-argument.options.js';

/** A pipe as param decorators accept it. */
export type ArgumentPipe = PipeTransform | Type<PipeTransform>;

/** Splits `(options?, ...pipes)` as the argument decorators accept them. */
export function splitOptions(
  optionsOrPipe: WampArgumentOptions | ArgumentPipe | undefined,
  pipes: ArgumentPipe[],
): { options: WampArgumentOptions; pipes: ArgumentPipe[] } {
  if (optionsOrPipe === undefined) return { options: {}, pipes };
  if (isArgumentOptions(optionsOrPipe)) return { options: optionsOrPipe, pipes };
  return { options: {}, pipes: [optionsOrPipe, ...pipes] };
}

/** The call payload of a WAMP handler's execution context. */
export function payloadOf(context: ExecutionContext): WampCallPayload {
  return context.switchToRpc().getData<WampCallPayload>();
}

/**
 * Resolves a missing argument: its default, `undefined` when optional, else ERROR
 * `wamp.error.invalid_argument` with kwargs naming it (serverwamp's behaviour for a missing parameter).
 */
export function missingArgument(
  options: WampArgumentOptions,
  description: Record<string, unknown>,
  label: string,
): unknown {
  if ('default' in options) return options.default;
  if (options.optional) return undefined;
  throw new WampException(WampErrorUri.INVALID_ARGUMENT, [`Missing required argument ${label}.`], {
    reason: 'missing',
    ...description,
  });
}

/** Own-property read that ignores inherited keys (a kwarg named `constructor` is just data). */
export function ownValue(container: object, key: string): { found: boolean; value: unknown } {
  return Object.prototype.hasOwnProperty.call(container, key)
    ? { found: true, value: (container as Record<string, unknown>)[key] }
    : { found: false, value: undefined };
}

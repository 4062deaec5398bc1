import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import {
  missingArgument,
  ownValue,
  payloadOf,
  splitOptions,
  type ArgumentPipe,
} from './wamp-argument.binding.js';
import type { WampArgumentOptions } from './wamp-argument.options.js';

interface KwargBinding {
  readonly name: string;
  readonly options: WampArgumentOptions;
}

const kwargDecorator = createParamDecorator((binding: KwargBinding, context: ExecutionContext) => {
  const { found, value } = ownValue(payloadOf(context).kwargs, binding.name);
  return found ? value : missingArgument(binding.options, { name: binding.name }, `"${binding.name}"`);
});

/**
 * Binds the keyword argument `name` to a handler parameter, through the given pipes. A missing argument
 * gives ERROR `wamp.error.invalid_argument` unless marked optional or defaulted.
 *
 * @example
 * search(@WampKwarg('query') query: string, @WampKwarg('limit', { default: 10 }, ParseIntPipe) limit: number) { ... }
 */
export function WampKwarg(
  name: string,
  optionsOrPipe?: WampArgumentOptions | ArgumentPipe,
  ...pipes: ArgumentPipe[]
): ParameterDecorator {
  const split = splitOptions(optionsOrPipe, pipes);
  return kwargDecorator({ name, options: split.options } satisfies KwargBinding, ...split.pipes);
}

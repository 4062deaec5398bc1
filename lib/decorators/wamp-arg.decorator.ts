import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { missingArgument, payloadOf, splitOptions, type ArgumentPipe } from './wamp-argument.binding.js';
import type { WampArgumentOptions } from './wamp-argument.options.js';

interface ArgBinding {
  readonly position: number;
  readonly options: WampArgumentOptions;
}

const argDecorator = createParamDecorator((binding: ArgBinding, context: ExecutionContext) => {
  const { args } = payloadOf(context);
  if (binding.position < args.length) return args[binding.position];
  return missingArgument(binding.options, { position: binding.position }, `at position ${binding.position}`);
});

/**
 * Binds the positional argument at `position` (0-based) to a handler parameter, through the given pipes.
 * A missing argument gives ERROR `wamp.error.invalid_argument` unless marked optional or defaulted.
 *
 * @example
 * add(@WampArg(0, ParseIntPipe) a: number, @WampArg(1, { default: 1 }, ParseIntPipe) b: number) { ... }
 */
export function WampArg(
  position: number,
  optionsOrPipe?: WampArgumentOptions | ArgumentPipe,
  ...pipes: ArgumentPipe[]
): ParameterDecorator {
  const split = splitOptions(optionsOrPipe, pipes);
  return argDecorator({ position, options: split.options } satisfies ArgBinding, ...split.pipes);
}

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import 'reflect-metadata';
import {
  missingArgument,
  ownValue,
  payloadOf,
  splitOptions,
  type ArgumentPipe,
} from './wamp-argument.binding.js';
import type { WampArgumentOptions } from './wamp-argument.options.js';

/** Metadata key: parameter indexes of a method that use `@WampParam`, to give each its positional slot. */
const WAMP_PARAM_INDEXES = 'nestjs-wamp:param-indexes';

interface ParamBinding {
  readonly name: string;
  readonly index: number;
  readonly options: WampArgumentOptions;
}

const positions = new WeakMap<object, Map<number, number>>();

/** The positional slot of the parameter: its rank among the method's `@WampParam` parameters. */
function positionOf(binding: ParamBinding, context: ExecutionContext): number {
  const handler = context.getHandler();
  let byIndex = positions.get(handler);
  if (!byIndex) {
    const indexes =
      (Reflect.getMetadata(WAMP_PARAM_INDEXES, context.getClass().prototype, handler.name) as
        number[] | undefined) ?? [];
    byIndex = new Map([...indexes].sort((a, b) => a - b).map((index, position) => [index, position]));
    positions.set(handler, byIndex);
  }
  return byIndex.get(binding.index) ?? 0;
}

const paramDecorator = createParamDecorator((binding: ParamBinding, context: ExecutionContext) => {
  const { args, kwargs } = payloadOf(context);
  const keyword = ownValue(kwargs, binding.name);
  if (keyword.found) return keyword.value;
  const position = positionOf(binding, context);
  if (position < args.length) return args[position];
  return missingArgument(binding.options, { name: binding.name, position }, `"${binding.name}"`);
});

/**
 * Binds a parameter the way serverwamp did: from the keyword argument of the same name if the caller sent
 * one, else from the next positional argument (the first `@WampParam` parameter takes `args[0]`, the second
 * `args[1]`, ...). Works with pipes; a missing argument gives ERROR `wamp.error.invalid_argument` with
 * kwargs `{ reason: 'missing', name, position }` unless marked optional or defaulted.
 *
 * @example
 * @MessagePattern('counting.slowly_count_to_number')
 * count(
 *   @WampParam('count_to', ParseIntPipe) countTo: number,
 *   @WampParam('interval', ParseFloatPipe) interval: number,
 *   @WampParam('taunt', { default: 'ah ah ah!' }) taunt: string,
 * ) { ... }
 */
export function WampParam(
  name: string,
  optionsOrPipe?: WampArgumentOptions | ArgumentPipe,
  ...pipes: ArgumentPipe[]
): ParameterDecorator {
  const split = splitOptions(optionsOrPipe, pipes);
  return (target, propertyKey, index) => {
    if (propertyKey !== undefined) {
      const indexes =
        (Reflect.getMetadata(WAMP_PARAM_INDEXES, target, propertyKey) as number[] | undefined) ?? [];
      Reflect.defineMetadata(WAMP_PARAM_INDEXES, [...indexes, index], target, propertyKey);
    }
    paramDecorator({ name, index, options: split.options } satisfies ParamBinding, ...split.pipes)(
      target,
      propertyKey,
      index,
    );
  };
}

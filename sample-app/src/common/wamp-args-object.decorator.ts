import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { WampErrorUri, WampException, type ArgumentPipe, type WampCallPayload } from '../../../lib/index.js';

/**
 * Binds the call's arguments as one object, named by `names`, so a whole DTO can be validated at once
 * while callers may pass it either way: `createDocument(title, body)` (positional, as serverwamp bound
 * them) or `createDocument(title=..., body=...)` (kwargs). Each name takes its kwarg when sent, else
 * the positional argument at its index (`@WampParam`'s rule, for a whole object). Other kwargs are kept,
 * so `ValidationPipe({ forbidNonWhitelisted: true })` can name them; more positional arguments than
 * names is an `invalid_argument` ERROR, as it would be for a Python function.
 *
 * `ValidationPipe` skips custom decorators unless created with `validateCustomDecorators: true`.
 *
 * @example
 * create(@WampArgsObject(['title', 'body'], new ValidationPipe({ validateCustomDecorators: true })) dto: CreateDocumentDto)
 */
export function WampArgsObject(names: readonly string[], ...pipes: ArgumentPipe[]): ParameterDecorator {
  return argsObject(names, ...pipes);
}

const argsObject = createParamDecorator((names: readonly string[], context: ExecutionContext) => {
  const { args, kwargs } = context.switchToRpc().getData<WampCallPayload>();
  if (args.length > names.length) {
    throw new WampException(
      WampErrorUri.INVALID_ARGUMENT,
      [`Expected at most ${names.length} positional arguments (${names.join(', ')}), got ${args.length}.`],
      { reason: 'too_many_arguments', expected: [...names] },
    );
  }
  const entries = new Map<string, unknown>(Object.entries(kwargs));
  names.forEach((name, index) => {
    if (!entries.has(name) && index < args.length) entries.set(name, args[index]);
  });
  // fromEntries defines own properties: a kwarg named "__proto__" stays data, never a prototype.
  return Object.fromEntries(entries);
});

/** How a WAMP argument decorator treats a missing argument. */
export interface WampArgumentOptions {
  /** When true, a missing argument is `undefined` (or `default`) instead of an `invalid_argument` ERROR. */
  readonly optional?: boolean;
  /** Value used when the argument is missing (implies `optional`). */
  readonly default?: unknown;
}

/** Tells an options object apart from a pipe in a decorator's variadic arguments. */
export function isArgumentOptions(value: unknown): value is WampArgumentOptions {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { transform?: unknown }).transform !== 'function' &&
    ('optional' in value || 'default' in value)
  );
}

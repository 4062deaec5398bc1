/**
 * A small language for checking options objects that come from application code (plain JavaScript, a
 * `forRootAsync` factory, environment variables): every key known, every value of the right type and range,
 * and every problem reported with the option's path, the offending value and its type. TypeScript checks
 * none of this at run time, and a wrong value found at the first connection instead of at startup can
 * crash the process (an `allowedOrigins` string once did, on the first browser handshake).
 */

/** One problem found in an options object. */
export interface OptionProblem {
  /** Where, e.g. `realms[0].auth.ticket`. */
  readonly path: string;
  /** What is wrong, e.g. `expected an integer in [0, 65535], got "9000" (string)`. */
  readonly message: string;
}

/** Checks one value at `path`, adding what is wrong to `problems`. */
export type OptionRule = (value: unknown, path: string, problems: OptionProblem[]) => void;

/** A rule with the words that describe what it expects, for messages and for {@link either}. */
export interface DescribedRule {
  readonly expected: string;
  /** Whether the value is of this rule's kind at all (decides which alternative of {@link either} applies). */
  readonly accepts: (value: unknown) => boolean;
  readonly check: OptionRule;
}

/**
 * How a value is quoted in a message: its text (cut to 60 characters) and its type.
 *
 * @example
 * describeValue('9000'); // '"9000" (string)'
 * describeValue(class Foo {}); // 'class Foo'
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)} (string)`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${String(value)} (${typeof value})`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return `${String(value)} (symbol)`;
    case 'function': {
      const text = Function.prototype.toString.call(value);
      const kind = text.startsWith('class') ? 'class' : 'function';
      return value.name ? `${kind} ${value.name}` : `an anonymous ${kind}`;
    }
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `an array of ${value.length}`;
      if (value instanceof RegExp) return `${String(value)} (RegExp)`;
      return `an object (${Object.getPrototypeOf(value)?.constructor?.name ?? 'null prototype'})`;
  }
}

function problem(problems: OptionProblem[], path: string, expected: string, value: unknown): void {
  problems.push({ path, message: `expected ${expected}, got ${describeValue(value)}` });
}

function rule(expected: string, accepts: (value: unknown) => boolean, check?: OptionRule): DescribedRule {
  return {
    expected,
    accepts,
    check: (value, path, problems) => {
      if (!accepts(value)) problem(problems, path, expected, value);
      else check?.(value, path, problems);
    },
  };
}

/** `true` or `false`: a string such as `'false'` is refused (it would count as true). */
export const booleanRule = (): DescribedRule => rule('a boolean', (value) => typeof value === 'boolean');

/** A string, with an optional further check returning what is wrong with it. */
export function stringRule(
  expected = 'a string',
  refine?: (value: string) => string | undefined,
): DescribedRule {
  return rule(
    expected,
    (value) => typeof value === 'string',
    (value, path, problems) => {
      const wrong = refine?.(value as string);
      if (wrong !== undefined) problems.push({ path, message: wrong });
    },
  );
}

/** A safe integer in [min, max]. */
export function integerRule(min: number, max = Number.MAX_SAFE_INTEGER): DescribedRule {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? min === 1
        ? 'a positive integer'
        : `an integer >= ${min}`
      : `an integer in [${min}, ${max}]`;
  return rule(
    range,
    (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
  );
}

/** One of a fixed set of strings. */
export function enumRule(values: readonly string[]): DescribedRule {
  return rule(
    `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`,
    (value) => typeof value === 'string' && values.includes(value),
  );
}

/** An array whose every element passes `element` (and, optionally, holds at least `minLength` of them). */
export function arrayRule(element: DescribedRule, minLength = 0, expected?: string): DescribedRule {
  const description =
    expected ?? `an array${minLength > 0 ? ` of at least ${minLength}` : ''} (each item ${element.expected})`;
  return rule(
    description,
    (value) => Array.isArray(value),
    (value, path, problems) => {
      const array = value as unknown[];
      if (array.length < minLength)
        problems.push({ path, message: `expected ${description}, got an empty array` });
      array.forEach((item, index) => element.check(item, `${path}[${index}]`, problems));
    },
  );
}

/**
 * A plain object with these fields, each optional unless listed in `required`. An unknown key is a problem,
 * with the closest known key suggested: a typo (`strictUri`, `tiket`) must not be silently ignored.
 */
export function objectRule(
  fields: Readonly<Record<string, DescribedRule>>,
  options: { readonly expected?: string; readonly required?: readonly string[] } = {},
): DescribedRule {
  const known = Object.keys(fields);
  return rule(options.expected ?? 'an object', isPlainObject, (value, path, problems) => {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const field = fields[key];
      const at = path === '' ? key : `${path}.${key}`;
      if (!Object.hasOwn(fields, key)) {
        const suggestion = closest(key, known);
        problems.push({
          path: at,
          message: suggestion
            ? `unknown option (did you mean "${suggestion}"?)`
            : `unknown option; the options here are ${known.join(', ')}`,
        });
        continue;
      }
      // undefined means "not set", as when spreading an optional value.
      if (object[key] !== undefined) field.check(object[key], at, problems);
    }
    for (const key of options.required ?? []) {
      if (object[key] === undefined) {
        problems.push({ path: path === '' ? key : `${path}.${key}`, message: `required, got undefined` });
      }
    }
  });
}

/** One of several kinds of value: the first alternative that accepts the value checks it. */
export function either(...alternatives: DescribedRule[]): DescribedRule {
  const expected = alternatives.map((alternative) => alternative.expected).join(' or ');
  return rule(
    expected,
    (value) => alternatives.some((alternative) => alternative.accepts(value)),
    (value, path, problems) => {
      const chosen = alternatives.find((alternative) => alternative.accepts(value)) as DescribedRule;
      chosen.check(value, path, problems);
    },
  );
}

/** A function (e.g. a low-level authenticator). */
export const functionRule = (expected = 'a function'): DescribedRule =>
  rule(expected, (value) => typeof value === 'function');

/** A RegExp. */
export const regExpRule = (): DescribedRule => rule('a RegExp', (value) => value instanceof RegExp);

/**
 * A Nest provider given as its class (resolved from DI) or as an instance: either way it must have the
 * methods (and properties) listed.
 */
export function providerRule(members: readonly string[]): DescribedRule {
  const expected = `a provider class or instance with ${members.join(' and ')}`;
  return rule(
    expected,
    (value) => typeof value === 'function' || isObject(value),
    (value, path, problems) => {
      const isClass = typeof value === 'function';
      // Of a class only the prototype's methods can be checked; its properties are set by the constructor.
      const holder = (isClass ? (value as { prototype?: unknown }).prototype : value) as
        Record<string, unknown> | undefined;
      const missing = members.filter((member) => {
        const method = member.endsWith('()');
        if (isClass && !method) return false;
        const found = holder?.[member.replace('()', '')];
        return method ? typeof found !== 'function' : found === undefined;
      });
      if (missing.length > 0) {
        problems.push({
          path,
          message: `expected ${expected}, got ${describeValue(value)} without ${missing.join(', ')}`,
        });
      }
    },
  );
}

/** An object (not a class) with `members`: methods as `name()`, other properties as `name`. */
export function instanceRule(members: readonly string[]): DescribedRule {
  const expected = `an object with ${members.join(', ')}`;
  return rule(expected, isObject, (value, path, problems) => {
    const holder = value as Record<string, unknown>;
    const missing = members.filter((member) => {
      const found = holder[member.replace('()', '')];
      return member.endsWith('()') ? typeof found !== 'function' : found === undefined;
    });
    if (missing.length > 0) {
      problems.push({
        path,
        message: `expected ${expected}, got ${describeValue(value)} without ${missing.join(', ')}`,
      });
    }
  });
}

/** Anything, checked by `check` (for values no rule above describes, e.g. a Buffer or a string). */
export function customRule(
  expected: string,
  accepts: (value: unknown) => boolean,
  check?: OptionRule,
): DescribedRule {
  return rule(expected, accepts, check);
}

/** Runs `root` over `value`; returns every problem found, in order. */
export function checkOptions(value: unknown, root: DescribedRule): OptionProblem[] {
  const problems: OptionProblem[] = [];
  root.check(value, '', problems);
  return problems;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): boolean {
  if (!isObject(value) || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The known key closest to `key` (case differences and up to a third of its letters), if any is close. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance (keys are short: the quadratic table is fine). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

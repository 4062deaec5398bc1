import type { WampArgs, WampKwargs } from '../protocol/wamp-message.interface.js';
import { compileSchema, KEPT_ISSUES, type CompiledSchema, type SchemaOutcome } from './compiled-schema.js';
import type {
  WampContractIssue,
  WampProcedureContract,
  WampTopicContract,
} from './wamp-contract.interface.js';

/** A call's (or an event's) arguments once they kept the contract: what the handler receives. */
export interface CheckedArguments {
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
}

/** The outcome of a check: the arguments the handler receives, or the issues, paths starting `args`/`kwargs`. */
export type ArgumentsOutcome =
  | { readonly payload: CheckedArguments; readonly issues?: undefined }
  | { readonly issues: readonly WampContractIssue[] };

const NO_ARGS: WampArgs = Object.freeze([]) as unknown as WampArgs;

/** Default of {@link ArgumentsCheckerOptions.maxValues}. */
export const DEFAULT_MAX_CONTRACT_VALUES = 4096;

/** How an {@link ArgumentsChecker} bounds its work. */
export interface ArgumentsCheckerOptions {
  /**
   * The most values (scalars, lists and dicts, counted through the nesting) a call may hand a Standard Schema
   * validator. Such a validator may report a problem per value (zod makes an issue object of about 500 bytes for
   * each), so without a bound 100 calls of 20,000 bad values grew the heap by hundreds of MB. Beyond it the call
   * is refused before the validator runs. JSON Schema contracts are not bounded: ajv stops at the first problem.
   */
  readonly maxValues?: number;
}

/**
 * Checks the arguments of calls to one procedure (or of publications to one topic) against its contract,
 * compiled once at startup. Synchronous when the validators are (every JSON Schema, and most Standard Schema
 * libraries): the common call costs the validators' own work and one result object, no promise.
 *
 * @example
 * const checker = new ArgumentsChecker('docs.createDocument', { kwargs: CreateDocumentSchema });
 * const outcome = checker.check(call.args, call.kwargs); // { payload } or { issues }
 */
export class ArgumentsChecker {
  private readonly args: CompiledSchema | undefined;
  private readonly kwargs: CompiledSchema | undefined;
  private readonly positional: readonly string[] | undefined;
  /** The value bound when a Standard Schema validator runs; undefined when only JSON Schemas do. */
  private readonly maxValues: number | undefined;

  constructor(
    uri: string,
    contract: WampProcedureContract | WampTopicContract,
    options: ArgumentsCheckerOptions = {},
  ) {
    const positional = (contract as WampProcedureContract).positional;
    if (positional !== undefined) {
      if (contract.args !== undefined) {
        throw new Error(
          `Contract of "${uri}": give either positional (args bound to kwargs) or args, not both.`,
        );
      }
      if (!Array.isArray(positional) || positional.some((name) => typeof name !== 'string' || name === '')) {
        throw new Error(`Contract of "${uri}": positional must be a list of keyword argument names.`);
      }
      if (new Set(positional).size !== positional.length) {
        throw new Error(`Contract of "${uri}": positional names a keyword argument twice.`);
      }
    }
    this.positional = positional;
    this.args = contract.args === undefined ? undefined : compileSchema(contract.args, `args of "${uri}"`);
    this.kwargs =
      contract.kwargs === undefined ? undefined : compileSchema(contract.kwargs, `kwargs of "${uri}"`);
    const standard = [this.args, this.kwargs].some(
      (schema) => schema !== undefined && schema.vendor !== 'json-schema',
    );
    this.maxValues = standard ? (options.maxValues ?? DEFAULT_MAX_CONTRACT_VALUES) : undefined;
  }

  /** Who validates: the schemas' vendors (`zod`, `json-schema`, ...), or `null` when no schema is checked. */
  get validator(): string | null {
    const vendors = new Set(
      [this.args?.vendor, this.kwargs?.vendor].filter((vendor) => vendor !== undefined),
    );
    return vendors.size === 0 ? null : [...vendors].join(', ');
  }

  /** Whether anything is checked at all (a contract may only document a result or errors). */
  get checks(): boolean {
    return this.args !== undefined || this.kwargs !== undefined || this.positional !== undefined;
  }

  /** Checks one call's arguments; a Promise only when a validator is asynchronous. */
  check(args: WampArgs, kwargs: WampKwargs): ArgumentsOutcome | Promise<ArgumentsOutcome> {
    let boundArgs = args;
    let boundKwargs = kwargs;
    if (this.positional) {
      const bound = bindPositional(this.positional, args, kwargs);
      if (bound.issues) return bound;
      boundArgs = NO_ARGS;
      boundKwargs = bound.kwargs;
    }
    if (this.maxValues !== undefined && exceedsValues(boundArgs, boundKwargs, this.maxValues)) {
      return {
        issues: [
          {
            path: [],
            message: `the arguments hold more than ${this.maxValues} values, more than this procedure's contract checks`,
          },
        ],
      };
    }
    const argsOutcome = this.args ? this.args.check(boundArgs) : undefined;
    const kwargsOutcome = this.kwargs ? this.kwargs.check(boundKwargs) : undefined;
    if (argsOutcome instanceof Promise || kwargsOutcome instanceof Promise) {
      return Promise.all([argsOutcome, kwargsOutcome]).then(([argsResult, kwargsResult]) =>
        combine(boundArgs, boundKwargs, argsResult, kwargsResult),
      );
    }
    return combine(boundArgs, boundKwargs, argsOutcome, kwargsOutcome);
  }
}

/**
 * Whether `args` and `kwargs` together hold more than `limit` values (each list, dict and scalar counts one),
 * walked without recursion and stopping at the limit: the check costs at most about `limit` steps.
 */
function exceedsValues(args: WampArgs, kwargs: WampKwargs, limit: number): boolean {
  let count = 0;
  const pending: unknown[] = [args, kwargs];
  while (pending.length > 0) {
    const value = pending.pop();
    if (++count > limit) return true;
    // Everything pending will be counted: past the limit, the answer is known without reading more.
    if (Array.isArray(value)) {
      if (count + pending.length + value.length > limit) return true;
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
      for (const key in value) {
        if (count + pending.length >= limit) return true;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function combine(
  args: WampArgs,
  kwargs: WampKwargs,
  argsOutcome: SchemaOutcome | undefined,
  kwargsOutcome: SchemaOutcome | undefined,
): ArgumentsOutcome {
  if (argsOutcome?.issues || kwargsOutcome?.issues) {
    return {
      issues: [...prefixed('args', argsOutcome?.issues), ...prefixed('kwargs', kwargsOutcome?.issues)].slice(
        0,
        KEPT_ISSUES,
      ),
    };
  }
  return {
    payload: {
      args: argsOutcome ? (argsOutcome.value as WampArgs) : args,
      kwargs: kwargsOutcome ? (kwargsOutcome.value as WampKwargs) : kwargs,
    },
  };
}

function prefixed(
  where: 'args' | 'kwargs',
  issues: readonly WampContractIssue[] | undefined,
): WampContractIssue[] {
  return (issues ?? []).map((issue) => ({ path: [where, ...issue.path], message: issue.message }));
}

/**
 * Binds positional arguments to the names a contract gives them, as a Python function does: more positional
 * arguments than names, or a name given both ways, is an issue. The kwargs come back as a new object with own
 * properties only (a kwarg named `__proto__` stays data).
 */
function bindPositional(
  names: readonly string[],
  args: WampArgs,
  kwargs: WampKwargs,
): { kwargs: WampKwargs; issues?: undefined } | { issues: WampContractIssue[] } {
  if (args.length > names.length) {
    return {
      issues: [
        {
          path: ['args'],
          message: `expected at most ${names.length} positional argument${names.length === 1 ? '' : 's'} (${names.join(', ')}), got ${args.length}`,
        },
      ],
    };
  }
  if (args.length === 0) return { kwargs };
  const issues: WampContractIssue[] = [];
  const entries = new Map<string, unknown>(Object.entries(kwargs));
  for (let index = 0; index < args.length && issues.length < KEPT_ISSUES; index++) {
    const name = names[index] as string;
    if (entries.has(name)) {
      issues.push({
        path: ['kwargs', name],
        message: `given both positionally (args[${index}]) and as a keyword argument`,
      });
    } else {
      entries.set(name, args[index]);
    }
  }
  if (issues.length > 0) return { issues };
  return { kwargs: Object.fromEntries(entries) as WampKwargs };
}

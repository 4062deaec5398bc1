import type { StandardSchemaV1 } from '@standard-schema/spec';
import { createRequire } from 'node:module';
import { MAX_REPORTED_ISSUES } from './contract-violation.js';
import type { JsonSchema, WampContractIssue, WampSchema } from './wamp-contract.interface.js';

/**
 * How many of a validator's issues are kept: the reported ones and one more, to tell that there were more. A
 * validator may report one issue per element of a large input; copying them all would double its cost.
 */
export const KEPT_ISSUES = MAX_REPORTED_ISSUES + 1;

/** The outcome of checking one value: the value the validator gives back (parsed, typed), or its issues. */
export type SchemaOutcome =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: readonly WampContractIssue[] };

/** A schema made ready once, at startup: a check per value and the JSON Schema the catalog shows. */
export interface CompiledSchema {
  /** Checks `value`; a Promise only when the validator is asynchronous. Issue paths are relative to `value`. */
  check(value: unknown): SchemaOutcome | Promise<SchemaOutcome>;
  /** The schema as JSON Schema (draft-07 where the library can say), or undefined when it cannot be told. */
  readonly jsonSchema: JsonSchema | undefined;
  /** Who validates: the Standard Schema vendor (`zod`, `valibot`, ...) or `json-schema`. */
  readonly vendor: string;
}

/** Which JSON Schema of a Standard Schema the catalog shows: what callers send, or what the procedure returns. */
export type SchemaSide = 'input' | 'output';

/** Whether `schema` is a Standard Schema validator rather than a JSON Schema object. */
export function isStandardSchema(schema: WampSchema): schema is StandardSchemaV1 {
  const standard = (schema as { '~standard'?: { validate?: unknown } })['~standard'];
  return typeof standard === 'object' && standard !== null && typeof standard.validate === 'function';
}

/**
 * Makes `schema` ready: a Standard Schema is used as it is, a JSON Schema is compiled with ajv. `label` names the
 * schema in the startup error a bad schema gets (`kwargs of docs.createDocument`).
 */
export function compileSchema(schema: WampSchema, label: string, side: SchemaSide = 'input'): CompiledSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`${label}: a schema must be a Standard Schema validator or a JSON Schema object.`);
  }
  if (isStandardSchema(schema)) return standardSchema(schema, side);
  return jsonSchema(schema, label);
}

function standardSchema(schema: StandardSchemaV1, side: SchemaSide): CompiledSchema {
  const standard = schema['~standard'];
  const check = (value: unknown): SchemaOutcome | Promise<SchemaOutcome> => {
    const result = standard.validate(value);
    return result instanceof Promise ? result.then(standardOutcome) : standardOutcome(result);
  };
  return { check, jsonSchema: jsonSchemaOf(schema, side), vendor: standard.vendor };
}

function standardOutcome(result: StandardSchemaV1.Result<unknown>): SchemaOutcome {
  if (!result.issues) return result;
  return {
    issues: result.issues.slice(0, KEPT_ISSUES).map((issue) => ({
      path: (issue.path ?? []).map((segment) => pathKey(typeof segment === 'object' ? segment.key : segment)),
      message: issue.message,
    })),
  };
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'symbol' ? String(key) : key;
}

/** The JSON Schema a Standard Schema library can give of itself (the Standard JSON Schema interface), if any. */
function jsonSchemaOf(schema: StandardSchemaV1, side: SchemaSide): JsonSchema | undefined {
  const converter = (
    schema['~standard'] as {
      jsonSchema?: Partial<Record<SchemaSide, (options: { target: string }) => Record<string, unknown>>>;
    }
  ).jsonSchema;
  try {
    return converter?.[side]?.({ target: 'draft-07' });
  } catch {
    // Some schemas (transforms, custom checks) have no JSON Schema: the catalog says so rather than fail.
    return undefined;
  }
}

/** What ajv's compiled validators look like (ajv is an optional peer dependency, loaded when first needed). */
interface AjvValidator {
  (value: unknown): boolean;
  errors?: readonly AjvError[] | null;
}

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Readonly<Record<string, unknown>>;
}

interface AjvInstance {
  compile(schema: object): AjvValidator;
}

type AjvClass = new (options: Record<string, unknown>) => AjvInstance;

const ajvInstances = new Map<string, AjvInstance>();

/** One ajv per JSON Schema draft, made when a contract first needs it. */
function ajvFor(schema: JsonSchema, label: string): AjvInstance {
  const draft = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12') ? '2020' : '07';
  let ajv = ajvInstances.get(draft);
  if (ajv) return ajv;
  let exported: { default?: AjvClass } | AjvClass;
  try {
    const require = createRequire(import.meta.url);
    exported = require(draft === '2020' ? 'ajv/dist/2020' : 'ajv') as { default?: AjvClass } | AjvClass;
  } catch (error) {
    throw new Error(
      `${label} is a JSON Schema, which needs ajv: npm install ajv (or give a Standard Schema validator such as zod).`,
      { cause: error },
    );
  }
  const Ajv = typeof exported === 'function' ? exported : (exported.default as AjvClass);
  // allErrors off: ajv stops at the first problem, so a failing input costs no more than a passing one (with it
  // on, 20,000 bad elements made 20,000 error objects: 2.3 ms and ~90 MB of heap churn for 200 such calls, against
  // 0.9 ms and 5 MB). addUsedSchema off: schemas with the same $id do not clash.
  ajv = new Ajv({ allErrors: false, addUsedSchema: false });
  ajvInstances.set(draft, ajv);
  return ajv;
}

function jsonSchema(schema: JsonSchema, label: string): CompiledSchema {
  const ajv = ajvFor(schema, label);
  let validate: AjvValidator;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new Error(`${label}: the JSON Schema does not compile: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    check: (value) =>
      validate(value) ? { value } : { issues: (validate.errors ?? []).slice(0, KEPT_ISSUES).map(ajvIssue) },
    jsonSchema: schema,
    vendor: 'json-schema',
  };
}

function ajvIssue(error: AjvError): WampContractIssue {
  const path: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9][0-9]{0,8})$/.test(segment) ? Number(segment) : segment));
  // ajv names a missing or extra property in its params, not in the path: the caller wants to see where.
  const named = error.params.missingProperty ?? error.params.additionalProperty;
  if (typeof named === 'string') path.push(named);
  return { path, message: error.message ?? `fails "${error.keyword}"` };
}

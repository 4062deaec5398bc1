import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * A JSON Schema document (draft-07, or draft 2020-12 when its `$schema` says so), compiled once at startup with
 * ajv (an optional peer dependency, needed only when a contract uses one).
 *
 * @example
 * const Title: JsonSchema = { type: 'string', minLength: 1 };
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * What a contract accepts as a schema: any Standard Schema validator (zod, valibot, arktype, effect, ...), told
 * apart by its `~standard` property, or a plain JSON Schema object.
 */
export type WampSchema = StandardSchemaV1 | JsonSchema;

/**
 * The contract of a procedure: what its positional and keyword arguments must be (checked before the handler
 * runs; a violation is ERROR `wamp.error.invalid_argument` listing the validator's issues), what it returns and
 * which errors it documents (both shown by the catalog and the generated client, not checked).
 *
 * @example
 * const CreateDocument = {
 *   description: 'Creates a document and publishes it on docs.changes.',
 *   positional: ['title', 'body'],
 *   kwargs: z.object({ title: z.string().trim().min(1), body: z.string() }).strict(),
 *   result: DocumentSchema,
 *   errors: { 'wamp.error.invalid_argument': 'The title is empty or the body is not a string.' },
 * } satisfies WampProcedureContract;
 */
export interface WampProcedureContract {
  /** What the procedure does, for the catalog and the generated client's doc comments. */
  readonly description?: string;
  /** The schema of the positional arguments, as one array (a tuple schema). */
  readonly args?: WampSchema;
  /** The schema of the keyword arguments, as one object. */
  readonly kwargs?: WampSchema;
  /**
   * Keyword arguments a caller may also pass positionally, in this order (as a Python function binds them):
   * the router binds `args[i]` to `positional[i]` before `kwargs` is checked, and the handler receives them
   * all as kwargs. Excludes `args`.
   */
  readonly positional?: readonly string[];
  /** The schema of the result: the single positional argument of the final RESULT. Documented, not checked. */
  readonly result?: WampSchema;
  /** The schema of each progressive result's single positional argument. Documented, not checked. */
  readonly progress?: WampSchema;
  /** The error URIs the procedure answers with, each with when. Documented, not checked. */
  readonly errors?: Readonly<Record<string, string>>;
}

/**
 * The contract of a topic: what its events carry. Client publications that break it are refused (ERROR
 * `wamp.error.invalid_argument` when acknowledged) and reach no subscriber.
 *
 * @example
 * const DocsChanges = { kwargs: z.object({ action: z.enum(['created', 'deleted']) }) } satisfies WampTopicContract;
 */
export interface WampTopicContract {
  /** What the topic's events mean. */
  readonly description?: string;
  /** The schema of an event's positional arguments, as one array. */
  readonly args?: WampSchema;
  /** The schema of an event's keyword arguments, as one object. */
  readonly kwargs?: WampSchema;
}

/** One problem a validator found: where (`['kwargs', 'title']`, `['args', 0]`) and what. */
export interface WampContractIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

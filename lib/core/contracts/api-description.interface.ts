import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';
import type { JsonSchema } from './wamp-contract.interface.js';

/** An error URI a procedure documents, and when it is answered. */
export interface WampErrorDocumentation {
  readonly uri: string;
  readonly description: string;
}

/**
 * What `wamp.reflection.procedure.describe` answers (and `WampCatalog.procedure()` returns): the procedure's
 * contract as JSON Schema, and who serves it. Keys are snake_case, as everywhere on the wire. A schema is `null`
 * when the contract does not declare it, or when its validator cannot tell its JSON Schema.
 */
export interface WampProcedureDescription {
  readonly uri: string;
  /** How the procedure is registered: `exact`, or a `prefix`/`wildcard` pattern registered by a client. */
  readonly match: WampMatchPolicy;
  /** `router`: a handler of the application (a Nest `@MessagePattern`); `client`: registered over WAMP. */
  readonly callee: 'router' | 'client';
  /** The registration ID while the procedure is registered (the registration meta API knows it by this ID). */
  readonly registration: number | null;
  readonly description: string | null;
  readonly args_schema: JsonSchema | null;
  readonly kwargs_schema: JsonSchema | null;
  /** Keyword arguments that may be passed positionally, in this order; `null` when not declared. */
  readonly positional: readonly string[] | null;
  readonly result_schema: JsonSchema | null;
  readonly progress_schema: JsonSchema | null;
  readonly errors: readonly WampErrorDocumentation[];
  /** Who validates the arguments (`zod`, `json-schema`, ...); `null` when nothing is checked. */
  readonly validator: string | null;
}

/** What `wamp.reflection.topic.describe` answers: the topic's event contract as JSON Schema. */
export interface WampTopicDescription {
  readonly uri: string;
  readonly description: string | null;
  readonly args_schema: JsonSchema | null;
  readonly kwargs_schema: JsonSchema | null;
  /** Whether the application handles client publications to it (an `@EventPattern` handler). */
  readonly handled: boolean;
  readonly validator: string | null;
}

/** What `wamp.reflection.error.describe` answers: an error URI and the procedures that document it. */
export interface WampErrorDescription {
  readonly uri: string;
  /** Each documenting procedure's description of it, by procedure URI. */
  readonly procedures: Readonly<Record<string, string>>;
}

/**
 * The whole API of a realm at once: what `WampCatalog.snapshot()` returns, what an app may serve as
 * `/catalog.json`, and what the client generator reads.
 */
export interface WampApiSnapshot {
  readonly realm: string;
  readonly procedures: readonly WampProcedureDescription[];
  readonly topics: readonly WampTopicDescription[];
  readonly errors: readonly WampErrorDescription[];
}

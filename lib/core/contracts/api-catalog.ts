import { isReservedUri } from '../protocol/wamp-uri.js';
import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';
import type { RegistrationCatalog, RegistrationFacts } from '../router/registration-catalog.interface.js';
import type {
  WampErrorDescription,
  WampProcedureDescription,
  WampTopicDescription,
} from './api-description.interface.js';
import { compileSchema, isStandardSchema } from './compiled-schema.js';
import type {
  JsonSchema,
  WampProcedureContract,
  WampSchema,
  WampTopicContract,
} from './wamp-contract.interface.js';

/** A description without what changes while the router runs (the registration). */
type StaticProcedureDescription = Omit<WampProcedureDescription, 'registration' | 'match'>;

const MATCH_ORDER: readonly WampMatchPolicy[] = ['exact', 'prefix', 'wildcard'];

/**
 * The API of one realm as the reflection procedures and `WampCatalog` tell it: the application's procedures and
 * topics with their contracts (declared at startup), and the procedures clients registered (read live from the
 * dealer's registrations). Schemas are turned into JSON Schema once, when declared. The router's own `wamp.`
 * procedures are not listed.
 *
 * @example
 * realm.catalog.declareProcedure('docs.createDocument', CreateDocumentContract);
 * realm.catalog.describeProcedure('docs.createDocument')?.kwargs_schema;
 */
export class ApiCatalog {
  private readonly procedures = new Map<string, StaticProcedureDescription>();
  private readonly topics = new Map<string, WampTopicDescription>();

  constructor(private readonly registrations: () => RegistrationCatalog | undefined) {}

  /** Declares one of the application's procedures (with its contract, if any); returns its removal. */
  declareProcedure(
    uri: string,
    contract: WampProcedureContract | undefined,
    validator: string | null,
  ): () => void {
    const description: StaticProcedureDescription = {
      uri,
      callee: 'router',
      description: contract?.description ?? null,
      args_schema: schemaOf(contract?.args, uri, 'args', 'input'),
      kwargs_schema: schemaOf(contract?.kwargs, uri, 'kwargs', 'input'),
      positional: contract?.positional ? [...contract.positional] : null,
      result_schema: schemaOf(contract?.result, uri, 'result', 'output'),
      progress_schema: schemaOf(contract?.progress, uri, 'progress', 'output'),
      errors: errorsOf(contract?.errors, uri),
      validator,
    };
    this.procedures.set(uri, description);
    return () => {
      if (this.procedures.get(uri) === description) this.procedures.delete(uri);
    };
  }

  /** Declares a topic (with its contract, if any); `handled` when an `@EventPattern` handler serves it. */
  declareTopic(
    uri: string,
    contract: WampTopicContract | undefined,
    handled: boolean,
    validator: string | null,
  ): () => void {
    const existing = this.topics.get(uri);
    const description: WampTopicDescription = {
      uri,
      description: contract?.description ?? existing?.description ?? null,
      args_schema: contract?.args
        ? schemaOf(contract.args, uri, 'args', 'input')
        : (existing?.args_schema ?? null),
      kwargs_schema: contract?.kwargs
        ? schemaOf(contract.kwargs, uri, 'kwargs', 'input')
        : (existing?.kwargs_schema ?? null),
      handled: handled || (existing?.handled ?? false),
      validator: validator ?? existing?.validator ?? null,
    };
    this.topics.set(uri, description);
    return () => {
      if (this.topics.get(uri) === description) {
        if (existing) this.topics.set(uri, existing);
        else this.topics.delete(uri);
      }
    };
  }

  /** Every procedure URI: the application's and those registered by clients, sorted. */
  procedureUris(): string[] {
    const uris = new Set(this.procedures.keys());
    const registrations = this.registrations();
    if (registrations) {
      const lists = registrations.list((uri) => !isReservedUri(uri));
      for (const id of [...lists.exact, ...lists.prefix, ...lists.wildcard]) {
        const facts = registrations.get(id);
        if (facts) uris.add(facts.uri);
      }
    }
    return [...uris].sort();
  }

  /** The description of the procedure registered as `uri` (exact first, then a prefix or wildcard pattern). */
  describeProcedure(uri: string): WampProcedureDescription | undefined {
    if (isReservedUri(uri)) return undefined;
    const registration = this.registrationOf(uri);
    const declared = this.procedures.get(uri);
    if (declared) {
      return { ...declared, match: registration?.match ?? 'exact', registration: registration?.id ?? null };
    }
    if (!registration) return undefined;
    return {
      uri,
      match: registration.match,
      callee: 'client',
      registration: registration.id,
      description: null,
      args_schema: null,
      kwargs_schema: null,
      positional: null,
      result_schema: null,
      progress_schema: null,
      errors: [],
      validator: null,
    };
  }

  /** Every declared topic URI, sorted. */
  topicUris(): string[] {
    return [...this.topics.keys()].sort();
  }

  describeTopic(uri: string): WampTopicDescription | undefined {
    return this.topics.get(uri);
  }

  /** Every error URI the application's procedures document, sorted. */
  errorUris(): string[] {
    const uris = new Set<string>();
    for (const procedure of this.procedures.values())
      for (const error of procedure.errors) uris.add(error.uri);
    return [...uris].sort();
  }

  describeError(uri: string): WampErrorDescription | undefined {
    const procedures: Record<string, string> = {};
    let found = false;
    for (const procedure of [...this.procedures.values()].sort((a, b) => (a.uri < b.uri ? -1 : 1))) {
      const documented = procedure.errors.find((error) => error.uri === uri);
      if (documented) {
        procedures[procedure.uri] = documented.description;
        found = true;
      }
    }
    return found ? { uri, procedures } : undefined;
  }

  private registrationOf(uri: string): RegistrationFacts | undefined {
    const registrations = this.registrations();
    if (!registrations) return undefined;
    for (const match of MATCH_ORDER) {
      const facts = registrations.lookup(uri, match);
      if (facts) return facts;
    }
    return undefined;
  }
}

function schemaOf(
  schema: WampSchema | undefined,
  uri: string,
  part: string,
  side: 'input' | 'output',
): JsonSchema | null {
  if (schema === undefined) return null;
  if (!isStandardSchema(schema)) return schema;
  return compileSchema(schema, `${part} of "${uri}"`, side).jsonSchema ?? null;
}

function errorsOf(errors: Readonly<Record<string, string>> | undefined, uri: string) {
  if (errors === undefined) return [];
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) {
    throw new Error(`Contract of "${uri}": errors must map error URIs to descriptions.`);
  }
  return Object.entries(errors).map(([error, description]) => {
    if (typeof description !== 'string') {
      throw new Error(`Contract of "${uri}": the description of error "${error}" must be a string.`);
    }
    return { uri: error, description };
  });
}

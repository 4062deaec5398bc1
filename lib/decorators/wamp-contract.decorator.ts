import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';
import type {
  WampProcedureContract,
  WampSchema,
  WampTopicContract,
} from '../core/contracts/wamp-contract.interface.js';

/** Metadata key of a handler's contract (read by the transport when it registers the handler). */
export const WAMP_CONTRACT_METADATA = 'nestjs-wamp:contract';
/** Metadata key of the topic contracts a class declares with {@link WampTopic}. */
export const WAMP_TOPIC_CONTRACTS_METADATA = 'nestjs-wamp:topic-contracts';

/**
 * Declares the contract of a procedure (on a `@MessagePattern` / `@WampProcedure` handler) or of a topic (on an
 * `@EventPattern` handler). The router checks every call's (or client publication's) arguments against it before
 * Nest's pipeline runs: a call that breaks it is answered ERROR `wamp.error.invalid_argument` with the issues,
 * and the handler receives the validator's parsed values. The contract is also what reflection, the catalog and
 * the generated client show. Schemas are Standard Schema validators (zod, valibot, arktype, ...) or JSON Schema
 * objects (compiled once at startup with ajv).
 *
 * @example
 * const CreateDocument = { positional: ['title', 'body'], kwargs: z.object({ title: z.string(), body: z.string() }) };
 * @MessagePattern('docs.createDocument')
 * @WampContract(CreateDocument)
 * create(@Payload() { kwargs }: WampContractPayload<typeof CreateDocument>) { ... }
 */
export function WampContract(contract: WampProcedureContract | WampTopicContract): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(WAMP_CONTRACT_METADATA, contract, descriptor.value as object);
    return descriptor;
  };
}

/**
 * Declares the contract of a topic the application publishes or lets clients publish to, on any controller or
 * provider (a topic need not have a handler). Client publications that break it are refused: ERROR
 * `wamp.error.invalid_argument` when acknowledged, and no subscriber receives them. Repeatable.
 *
 * @example
 * @WampTopic('docs.changes', { description: 'A document was created or deleted.', kwargs: DocsChange })
 * @Injectable()
 * export class DocsService { ... }
 */
export function WampTopic(uri: string, contract: WampTopicContract = {}): ClassDecorator {
  return (target) => {
    const declared = (Reflect.getMetadata(WAMP_TOPIC_CONTRACTS_METADATA, target) ??
      []) as WampTopicDeclaration[];
    Reflect.defineMetadata(WAMP_TOPIC_CONTRACTS_METADATA, [...declared, { uri, contract }], target);
  };
}

/** A topic contract as {@link WampTopic} records it. */
export interface WampTopicDeclaration {
  readonly uri: string;
  readonly contract: WampTopicContract;
}

/** The type a schema gives its valid values: a Standard Schema's output type, else `fallback`. */
export type WampSchemaOutput<
  TSchema extends WampSchema | undefined,
  TFallback,
> = TSchema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<TSchema> : TFallback;

/**
 * What `@Payload()` gives a handler with a contract: its arguments as the contract's validators returned them.
 *
 * @example
 * create(@Payload() { kwargs }: WampContractPayload<typeof CreateDocument>) { return this.docs.create(kwargs); }
 */
export interface WampContractPayload<TContract extends WampProcedureContract | WampTopicContract> {
  readonly args: WampSchemaOutput<TContract['args'], WampArgs>;
  readonly kwargs: WampSchemaOutput<TContract['kwargs'], WampKwargs>;
}

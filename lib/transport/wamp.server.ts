import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
// Nest's own metadata keys, imported rather than copied: they are what @MessagePattern writes.
import {
  PATTERN_HANDLER_METADATA,
  PATTERN_METADATA,
  TRANSPORT_METADATA,
} from '@nestjs/microservices/constants.js';
import { from, isObservable, lastValueFrom, type Observable, type Subscription } from 'rxjs';
import { isValidUriForMatch, uriLimitProblem } from '../core/protocol/wamp-uri.js';
import type { WampArgs, WampKwargs, WampMatchPolicy } from '../core/protocol/wamp-message.interface.js';
import type {
  ClientPublication,
  PublicationHandler,
  PublicationVerdict,
} from '../core/router/broker/broker-hooks.interface.js';
import { contractViolation } from '../core/contracts/contract-violation.js';
import {
  ArgumentsChecker,
  type ArgumentsOutcome,
  type CheckedArguments,
} from '../core/contracts/procedure-contract-checker.js';
import type { WampProcedureContract, WampTopicContract } from '../core/contracts/wamp-contract.interface.js';
import {
  WAMP_CONTRACT_METADATA,
  WAMP_TOPIC_CONTRACTS_METADATA,
  type WampTopicDeclaration,
} from '../decorators/wamp-contract.decorator.js';
import type { WampRealm } from '../core/router/wamp-realm.js';
import type { WampCall } from '../core/router/dealer/wamp-call.interface.js';
import { WampRouter } from '../core/router/wamp-router.js';
import type { ResolvedWampOptions } from '../wamp-options.resolver.js';
import { WAMP_RESOLVED_OPTIONS } from '../wamp.constants.js';
import { AppConfigWatcher } from './app-config.watcher.js';
import { toWampError } from './wamp-error.mapper.js';
import { WampResult } from './wamp-result.js';
import { WAMP_EXTRAS_KEY, WAMP_TRANSPORT, type WampHandlerExtras } from './wamp-transport.constants.js';
import { WampContext } from './wamp.context.js';
import { WampEventContext } from './wamp-event.context.js';
import { WampSubscriptionContext } from './wamp-subscription.context.js';

/** Status values pushed through `status` (Nest 11+ transports report their state). */
type WampTransportStatus = 'listening' | 'closed';

interface HandlerScope {
  /** Patterns whose handlers are scoped to WAMP explicitly. */
  readonly wampScoped: ReadonlySet<string>;
  /** Whether the app declares handlers scoped to another transport (so other transports are connected). */
  readonly otherTransports: boolean;
  /** Contracts of handlers, keyed `message <uri>` or `event <uri>` (see {@link contractKey}). */
  readonly contracts: ReadonlyMap<string, WampProcedureContract | WampTopicContract>;
  /** Topic contracts declared on classes with `@WampTopic`. */
  readonly topics: readonly WampTopicDeclaration[];
}

/** Nest's handler type for `@EventPattern` (`PatternHandler.EVENT`). */
const EVENT_HANDLER_TYPE = 2;

function contractKey(isEventHandler: boolean, pattern: string): string {
  return `${isEventHandler ? 'event' : 'message'} ${pattern}`;
}

/**
 * The Nest microservice strategy of the WAMP router: every `@MessagePattern` handler it is given becomes a
 * procedure in the router's dealer, every `@EventPattern` handler receives client publications of its topic,
 * and every `@WampSubscription` hook guards and sets up subscriptions; each runs through Nest's full RPC
 * pipeline (guards, interceptors, pipes, exception filters) with a WAMP context.
 *
 * Results go back as the spec says: a value as the single positional argument, a {@link WampResult} as
 * given, `undefined` as an empty RESULT; an Observable or async iterable as progressive RESULTs when the
 * caller asked for them (the last value is the final RESULT), else only its last value.
 *
 * @example
 * // main.ts of a hybrid app
 * app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
 * await app.startAllMicroservices();
 * await app.listen(8080);
 */
@Injectable()
export class WampTransport
  extends Server<Record<string, never>, WampTransportStatus>
  implements CustomTransportStrategy
{
  override readonly transportId = WAMP_TRANSPORT;
  /** Event handler failures come back to the transport, which turns them into a refused publication. */
  override readonly propagatesEventHandlerErrors = true;
  private readonly wampLogger = new Logger('WampTransport');
  private readonly unregister: (() => void)[] = [];
  private warnedAboutConfig = false;
  /** Nest's own no-op start hook, to tell whether the app set processing hooks. */
  private readonly defaultProcessingStartHook = this.onProcessingStartHook;

  private listening = false;
  /** Watches whether Nest builds the handlers with the app's global enhancers (see {@link AppConfigWatcher}). */
  private readonly appConfig: AppConfigWatcher;

  constructor(
    private readonly router: WampRouter,
    @Inject(WAMP_RESOLVED_OPTIONS) private readonly options: ResolvedWampOptions,
    private readonly discovery: DiscoveryService,
    private readonly metadataScanner: MetadataScanner,
    moduleRef: ModuleRef,
  ) {
    super();
    this.appConfig = new AppConfigWatcher(moduleRef);
  }

  /** Whether Nest started the transport (`startAllMicroservices()` or a standalone `listen()`). */
  get isListening(): boolean {
    return this.listening;
  }

  /** Stops watching how handlers are built (the gateway calls it when the transport never started). */
  stopWatchingAppConfig(): void {
    this.appConfig.finish();
  }

  /**
   * Refuses a second request handler for the same procedure: Nest's default silently keeps the last one,
   * which would hide a bug. (Event handlers are chained, as Nest does.)
   */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const normalized = this.normalizePattern(pattern as string);
    if (!isEventHandler && this.messageHandlers.has(normalized)) {
      throw new Error(
        `WampTransport: two @MessagePattern handlers for procedure "${normalized}". Each procedure needs exactly one handler.`,
      );
    }
    super.addHandler(pattern, callback, isEventHandler, extras);
    this.appConfig.handlerAdded();
  }

  /** Registers the handlers as procedures; called by Nest at `startAllMicroservices()` / `listen()`. */
  listen(callback: (error?: unknown) => void): void {
    try {
      this.registerProcedures();
    } catch (error) {
      callback(error);
      return;
    }
    if (this.appConfig.finish() === true) {
      this.wampLogger.warn(
        "WAMP handlers were built without the application's global pipes, guards, interceptors and filters " +
          '(including the WampExceptionFilter that maps exceptions to WAMP errors): connect the transport with ' +
          'app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true }).',
      );
    }
    this.listening = true;
    this._status$.next('listening');
    callback();
  }

  /** Unregisters the procedures. The sessions themselves are closed by the gateway on shutdown. */
  close(): void {
    this.listening = false;
    for (const unregister of this.unregister.splice(0)) unregister();
    this._status$.next('closed');
  }

  on(): never {
    throw new Error('WampTransport does not emit events; use the router or the context.');
  }

  unwrap<T>(): T {
    return this.router as T;
  }

  private registerProcedures(): void {
    const scope = this.scanHandlerScopes();
    const exposedUnscoped: string[] = [];
    for (const [pattern, handler] of this.messageHandlers) {
      const extras = handler.extras as Record<string, unknown> | undefined;
      const settings = extras?.[WAMP_EXTRAS_KEY] as WampHandlerExtras | undefined;
      if (settings?.subscription) {
        this.registerSubscriptionHook(
          settings.subscription.topic,
          settings.subscription.match,
          handler,
          extras,
        );
        continue;
      }
      if (handler.isEventHandler) {
        const scoped = scope.wampScoped.has(pattern);
        if (!scoped && this.options.handlers === 'wamp-only') continue;
        if (pattern.startsWith('{') || pattern.startsWith('[')) continue;
        this.checkUri(pattern, 'topic');
        if (!scoped) exposedUnscoped.push(pattern);
        const contract = scope.contracts.get(contractKey(true, pattern));
        const checker = contract ? this.checkerFor(pattern, contract) : undefined;
        for (const realm of this.realmsFor(pattern, extras)) {
          this.unregister.push(
            realm.catalog.declareTopic(pattern, contract, true, checker?.validator ?? null),
            realm.broker.registerPublicationHandler(pattern, this.publicationHandler(handler, checker)),
          );
        }
        continue;
      }
      if (pattern.startsWith('{') || pattern.startsWith('[')) {
        this.wampLogger.warn(
          `Handler with object pattern ${pattern} is not served over WAMP (procedures are URIs).`,
        );
        continue;
      }
      const scoped = scope.wampScoped.has(pattern);
      if (!scoped && this.options.handlers === 'wamp-only') continue;
      this.checkUri(pattern, 'procedure');
      if (!scoped) exposedUnscoped.push(pattern);
      const contract = scope.contracts.get(contractKey(false, pattern)) as WampProcedureContract | undefined;
      const checker = contract ? this.checkerFor(pattern, contract) : undefined;
      for (const realm of this.realmsFor(pattern, handler.extras as Record<string, unknown> | undefined)) {
        this.unregister.push(
          realm.catalog.declareProcedure(pattern, contract, checker?.validator ?? null),
          realm.dealer.registerProcedure(
            pattern,
            checker?.checks
              ? (call) => this.invokeChecked(handler, call, checker)
              : (call) => this.invoke(handler, call),
          ),
        );
      }
    }
    for (const { uri, contract } of scope.topics) this.declareTopic(uri, contract);
    if (exposedUnscoped.length > 0 && scope.otherTransports) {
      this.wampLogger.warn(
        `Handlers without a transport are served over WAMP as well as by the other transports: ${exposedUnscoped.join(', ')}. ` +
          'Scope them (@WampProcedure or @MessagePattern(uri, WAMP_TRANSPORT) / another transport) or set handlers: "wamp-only".',
      );
    }
  }

  /** Compiles a handler's contract at startup; a bad one fails the start with a message naming the URI. */
  private checkerFor(uri: string, contract: WampProcedureContract | WampTopicContract): ArgumentsChecker {
    try {
      return new ArgumentsChecker(uri, contract, { maxValues: this.options.maxContractValues });
    } catch (error) {
      throw new Error(`WampTransport: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * A topic contract declared with `@WampTopic`: shown by reflection, and checked against client publications
   * (a refusal reaches no subscriber).
   */
  private declareTopic(uri: string, contract: WampTopicContract): void {
    this.checkUri(uri, 'topic');
    const checker = this.checkerFor(uri, contract);
    for (const realm of this.router.realms.values()) {
      this.unregister.push(realm.catalog.declareTopic(uri, contract, false, checker.validator));
      if (!checker.checks) continue;
      this.unregister.push(
        realm.broker.registerPublicationHandler(uri, async (publication) => {
          const checked = await checkPublication(checker, publication);
          return 'accept' in checked ? checked : ACCEPT;
        }),
      );
    }
  }

  private checkUri(uri: string, kind: 'procedure' | 'topic', match: WampMatchPolicy = 'exact'): void {
    const strictUris = this.options.router.strictUris;
    if (!isValidUriForMatch(uri, strictUris, match)) {
      throw new Error(
        `WampTransport: "${uri}" is not a valid ${strictUris ? 'strict' : 'loose'} WAMP ${kind} URI` +
          `${match === 'exact' ? '' : ` for match "${match}"`} ` +
          (strictUris
            ? '(components of [0-9a-z_] separated by dots). Use lower-case names, or set strictUris: false in ' +
              "WampModule.forRoot() for the spec's loose rules (e.g. camelCase like docs.getDocument)."
            : '(no whitespace, "#" or empty components).'),
      );
    }
    if (uri.startsWith('wamp.')) {
      throw new Error(
        `WampTransport: ${kind} "${uri}" uses the "wamp." prefix, which the spec reserves for the router.`,
      );
    }
    // A client could never name a URI beyond the limits: say so at startup rather than serve it in vain.
    const problem = uriLimitProblem(uri, this.options.router);
    if (problem !== undefined) {
      throw new Error(
        `WampTransport: ${kind} "${uri.length > 120 ? `${uri.slice(0, 120)}...` : uri}" ${problem}, so no client ` +
          'could reach it. Shorten it, or raise maxUriLength / maxUriComponents in WampModule.forRoot().',
      );
    }
  }

  private registerSubscriptionHook(
    topic: string,
    match: WampMatchPolicy,
    handler: MessageHandler,
    extras: Record<string, unknown> | undefined,
  ): void {
    this.checkUri(topic, 'topic', match);
    for (const realm of this.realmsFor(topic, extras)) {
      this.unregister.push(
        realm.broker.registerSubscriptionHook(topic, match, async (hookContext) => {
          const context = new WampSubscriptionContext(hookContext);
          try {
            let outcome: unknown = await handler(
              { topic: hookContext.topic, match: hookContext.match },
              context,
            );
            if (isObservable(outcome)) outcome = await lastValueFrom(outcome, { defaultValue: undefined });
            return {
              allow: true,
              teardown: typeof outcome === 'function' ? (outcome as () => void) : undefined,
            };
          } catch (error) {
            const { uri, args, kwargs } = toWampError(error, this.wampLogger);
            return { allow: false, uri, args, kwargs };
          }
        }),
      );
    }
  }

  private publicationHandler(
    handler: MessageHandler,
    checker: ArgumentsChecker | undefined,
  ): PublicationHandler {
    return async (publication) => {
      const context = new WampEventContext(publication);
      try {
        let payload: CheckedArguments = { args: publication.args, kwargs: publication.kwargs };
        if (checker?.checks) {
          const checked = await checkPublication(checker, publication);
          if ('accept' in checked) return checked;
          payload = checked;
        }
        const outcome: unknown = await handler(payload, context);
        if (isObservable(outcome)) await lastValueFrom(outcome, { defaultValue: undefined });
        return { accept: true };
      } catch (error) {
        const { uri, args, kwargs } = toWampError(error, this.wampLogger);
        return { accept: false, uri, args, kwargs };
      }
    };
  }

  private realmsFor(pattern: string, extras: Record<string, unknown> | undefined): WampRealm[] {
    const settings = extras?.[WAMP_EXTRAS_KEY] as WampHandlerExtras | undefined;
    const wanted = settings?.realm === undefined ? undefined : ([] as string[]).concat(settings.realm);
    if (!wanted) return [...this.router.realms.values()];
    return wanted.map((name) => {
      const realm = this.router.realms.get(name);
      if (!realm) {
        throw new Error(
          `WampTransport: procedure "${pattern}" is bound to realm "${name}", which is not configured.`,
        );
      }
      return realm;
    });
  }

  /** Which patterns are scoped to WAMP, read from the controllers' `@MessagePattern` metadata. */
  private scanHandlerScopes(): HandlerScope {
    const wampScoped = new Set<string>();
    const contracts = new Map<string, WampProcedureContract | WampTopicContract>();
    const topics: WampTopicDeclaration[] = [];
    let otherTransports = false;
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const declared = wrapper.metatype
        ? (Reflect.getMetadata(WAMP_TOPIC_CONTRACTS_METADATA, wrapper.metatype) as
            WampTopicDeclaration[] | undefined)
        : undefined;
      if (declared) topics.push(...declared);
    }
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.metadataScanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as unknown[] | undefined;
        if (!patterns) continue;
        const contract = Reflect.getMetadata(WAMP_CONTRACT_METADATA, method) as
          WampProcedureContract | WampTopicContract | undefined;
        if (contract) {
          const isEvent = Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) === EVENT_HANDLER_TYPE;
          for (const pattern of patterns) {
            if (typeof pattern === 'string') contracts.set(contractKey(isEvent, pattern), contract);
          }
        }
        const transport = Reflect.getMetadata(TRANSPORT_METADATA, method) as unknown;
        if (transport === WAMP_TRANSPORT) {
          for (const pattern of patterns) if (typeof pattern === 'string') wampScoped.add(pattern);
        } else if (transport !== undefined) {
          otherTransports = true;
        }
      }
    }
    return { wampScoped, otherTransports, contracts, topics: [...new Set(topics)] };
  }

  /** Runs one call through the Nest handler and answers it (the dealer guarantees one final answer). */
  private invoke(
    handler: MessageHandler,
    call: WampCall,
    payload: CheckedArguments = { args: call.args, kwargs: call.kwargs },
  ): void {
    const context = new WampContext(call);
    // Without processing hooks (the common case) Nest's wrapper only adds closures and a promise per call.
    const processing = this.hasProcessingHooks()
      ? this.runWithProcessingHooks(context, (runEndHook) =>
          this.execute(handler, payload, context, call, runEndHook),
        )
      : this.execute(handler, payload, context, call, NO_END_HOOK);
    // The processing hook is app instrumentation and may return anything; only a rejection matters here.
    Promise.resolve(processing).catch((error: unknown) => this.fail(call, error));
  }

  /**
   * Checks a call against its procedure's contract before Nest's pipeline runs: a call that breaks it is answered
   * ERROR `wamp.error.invalid_argument` and never reaches guards, interceptors, pipes or the handler; one that keeps
   * it runs with the validator's values. Costs the validators' own work, and a promise only when one is async.
   */
  private invokeChecked(handler: MessageHandler, call: WampCall, checker: ArgumentsChecker): void {
    let outcome: ArgumentsOutcome | Promise<ArgumentsOutcome>;
    try {
      outcome = checker.check(call.args, call.kwargs);
    } catch (error) {
      this.fail(call, error);
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (checked) => this.runChecked(handler, call, checked),
        (error: unknown) => this.fail(call, error),
      );
    } else {
      this.runChecked(handler, call, outcome);
    }
  }

  private runChecked(handler: MessageHandler, call: WampCall, outcome: ArgumentsOutcome): void {
    if (outcome.issues) {
      const violation = contractViolation(outcome.issues);
      call.error(violation.uri, violation.args, violation.kwargs);
      return;
    }
    this.invoke(handler, call, outcome.payload);
  }

  private hasProcessingHooks(): boolean {
    return (
      this.onProcessingStartHook !== this.defaultProcessingStartHook || this.onProcessingEndHook !== undefined
    );
  }

  private async execute(
    handler: MessageHandler,
    payload: WampCallPayloadView,
    context: WampContext,
    call: WampCall,
    runEndHook: () => void,
  ): Promise<void> {
    let outcome: unknown;
    try {
      outcome = await handler(payload, context);
    } catch (error) {
      this.fail(call, error);
      runEndHook();
      return;
    }
    this.deliver(call, outcome, runEndHook);
  }

  private deliver(call: WampCall, outcome: unknown, done: () => void): void {
    const stream = toStream(outcome);
    if (!stream) {
      this.answer(call, outcome);
      done();
      return;
    }
    let held = false;
    let last: unknown;
    // `done` (the end-of-processing hook) runs once, however the stream ends: completion, error or interrupt.
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      done();
    };
    const subscription: Subscription = stream.subscribe({
      next: (value) => {
        // One value is held back: the last one becomes the final RESULT.
        if (held) this.report(call, last);
        last = value;
        held = true;
      },
      error: (error: unknown) => {
        this.fail(call, error);
        end();
      },
      complete: () => {
        if (held) this.answer(call, last);
        else call.result();
        end();
      },
    });
    if (ended) return;
    if (call.settled || call.interrupted) {
      subscription.unsubscribe();
      end();
      return;
    }
    call.onInterrupt(() => {
      subscription.unsubscribe();
      end();
    });
  }

  private report(call: WampCall, value: unknown): void {
    if (call.receiveProgress) call.progress(argsOf(value), kwargsOf(value));
  }

  private answer(call: WampCall, value: unknown): void {
    call.result(argsOf(value), kwargsOf(value));
  }

  private fail(call: WampCall, error: unknown): void {
    if (call.settled) return;
    if (!this.warnedAboutConfig && isNestUnknownError(error)) {
      this.warnedAboutConfig = true;
      this.wampLogger.warn(
        'A WAMP handler failed and its exception reached the transport already replaced by Nest\'s "Internal server error", ' +
          'so it cannot be mapped to a WAMP error URI. In a hybrid app, connect the transport with ' +
          '{ inheritAppConfig: true } so the WampExceptionFilter applies.',
      );
    }
    const { uri, args, kwargs } = toWampError(error, this.wampLogger);
    call.error(uri, args, kwargs);
  }
}

/** A publication that keeps its topic's contract goes on to the topic's subscribers. */
const ACCEPT = { accept: true } as const;

/**
 * A client publication checked against its topic's contract: the arguments as the validators returned them, or
 * the refusal (ERROR `wamp.error.invalid_argument` with the issues, when the publisher asked for one).
 */
async function checkPublication(
  checker: ArgumentsChecker,
  publication: ClientPublication,
): Promise<CheckedArguments | PublicationVerdict> {
  const checked = await checker.check(publication.args, publication.kwargs);
  return checked.issues ? { accept: false, ...contractViolation(checked.issues) } : checked.payload;
}

/** The end hook when the app set no processing hooks. */
const NO_END_HOOK = (): void => undefined;

/** What a `@MessagePattern` handler's `@Payload()` is: the call's arguments. */
interface WampCallPayloadView {
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
}

/** An Observable for stream results (Observable, async iterable), or undefined for a single value. */
function toStream(outcome: unknown): Observable<unknown> | undefined {
  if (isObservable(outcome)) return outcome;
  if (isAsyncIterable(outcome)) return from(outcome);
  return undefined;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * A handler's value as RESULT arguments: a {@link WampResult} as given, `undefined` as none, anything else as
 * the single positional argument. Two functions rather than one returning an object: this runs for every
 * progressive result of a stream.
 */
function argsOf(value: unknown): WampArgs | undefined {
  if (value === undefined) return undefined;
  return value instanceof WampResult ? value.args : [value];
}

/** The keyword arguments of a handler's value: only a {@link WampResult} has them. */
function kwargsOf(value: unknown): WampKwargs | undefined {
  return value instanceof WampResult ? value.kwargs : undefined;
}

function isNestUnknownError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { status?: unknown }).status === 'error' &&
    (error as { message?: unknown }).message === 'Internal server error'
  );
}

import { DynamicModule, Logger, Module, Provider, type Type } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule, ModuleRef } from '@nestjs/core';
import { createRealmAuthenticator } from './core/auth/realm-authenticator.factory.js';
import { createRealmAuthorizer } from './core/auth/realm-authorizer.factory.js';
import type { WampAuthenticatorRef } from './core/auth/wamp-realm-auth.options.js';
import type { WampRealmOptions } from './core/router/wamp-router-options.interface.js';
import { WampGateway } from './gateway/wamp.gateway.js';
import type {
  WampModuleAsyncOptions,
  WampModuleOptions,
  WampOptionsFactory,
  WampRealmConfig,
} from './interfaces/wamp-module-options.interface.js';
import { WampRouter } from './core/router/wamp-router.js';
import { WampExceptionFilter } from './transport/wamp-exception.filter.js';
import { WampTransport } from './transport/wamp.server.js';
import { WampClientProxy } from './transport/wamp.client-proxy.js';
import { WampCaller } from './transport/wamp.caller.js';
import { WampMetaService } from './transport/wamp-meta.service.js';
import { WampCatalog } from './transport/wamp-catalog.service.js';
import { WampHealth } from './gateway/wamp-health.service.js';
import { WampPublisher } from './transport/wamp.publisher.js';
import { resolveWampOptions, type ResolvedWampOptions } from './wamp-options.resolver.js';
import { WAMP_MODULE_OPTIONS, WAMP_RESOLVED_OPTIONS } from './wamp.constants.js';

/** The module's injectable services, provided and exported as they are. */
const injectables = [
  WampGateway,
  WampTransport,
  WampPublisher,
  WampCaller,
  WampMetaService,
  WampCatalog,
  WampHealth,
  WampClientProxy,
];

const sharedProviders: Provider[] = [
  {
    provide: WAMP_RESOLVED_OPTIONS,
    useFactory: (options: WampModuleOptions) => resolveWampOptions(options, new Logger('WampRouter')),
    inject: [WAMP_MODULE_OPTIONS],
  },
  {
    provide: WampRouter,
    useFactory: (options: ResolvedWampOptions, moduleRef: ModuleRef) =>
      new WampRouter({ ...options.router, realms: withAuthenticators(options.realms, moduleRef) }),
    inject: [WAMP_RESOLVED_OPTIONS, ModuleRef],
  },
  ...injectables,
  { provide: APP_FILTER, useClass: WampExceptionFilter },
];

const exportedProviders = [WampRouter, ...injectables];

/**
 * Makes the Nest application a WAMP v2 router. Import it once, in the root module; it is global, so
 * `WampRouter`, `WampGateway` and `WampTransport` can be injected anywhere. Connect `WampTransport` as a
 * microservice to serve `@MessagePattern` handlers as WAMP procedures.
 *
 * @example
 * ```ts
 * @Module({ imports: [WampModule.forRoot({ realms: ['realm1'] })] })
 * export class AppModule {}
 * ```
 */
@Module({})
export class WampModule {
  /** Registers the router with static options (every option has a default). */
  static forRoot(options: WampModuleOptions = {}): DynamicModule {
    return {
      module: WampModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: WAMP_MODULE_OPTIONS, useValue: options }, ...sharedProviders],
      exports: exportedProviders,
    };
  }

  /** Registers the router with options built from DI (`useFactory` + `inject`, `useClass` or `useExisting`). */
  static forRootAsync(options: WampModuleAsyncOptions): DynamicModule {
    return {
      module: WampModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [...asyncOptionsProviders(options), ...sharedProviders],
      exports: exportedProviders,
    };
  }
}

function asyncOptionsProviders(options: WampModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [{ provide: WAMP_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new Error('WampModule.forRootAsync() needs one of useFactory, useClass or useExisting.');
  }
  const providers: Provider[] = [
    {
      provide: WAMP_MODULE_OPTIONS,
      useFactory: (factory: WampOptionsFactory) => factory.createWampOptions(),
      inject: [factoryClass],
    },
  ];
  if (options.useClass) providers.push({ provide: options.useClass, useClass: options.useClass });
  return providers;
}

/** Turns realm `auth` / `authorization` configs into functions; provider classes are taken from DI on first use. */
function withAuthenticators(realms: readonly WampRealmConfig[], moduleRef: ModuleRef): WampRealmOptions[] {
  const resolve = <T>(reference: WampAuthenticatorRef<T>): T => {
    if (typeof reference !== 'function') return reference;
    try {
      return moduleRef.get(reference as Type<T>, { strict: false });
    } catch {
      throw new Error(
        `WampModule: authenticator ${(reference as Type<T>).name} is not a provider of any module; ` +
          'add it to the providers of a module of the application.',
      );
    }
  };
  return realms.map((realm) => ({
    name: realm.name,
    authenticator:
      realm.authenticator ?? (realm.auth ? createRealmAuthenticator(realm.auth, resolve) : undefined),
    authorizer: realm.authorization ? createRealmAuthorizer(realm.authorization, resolve) : undefined,
    eventHistory: realm.eventHistory,
  }));
}

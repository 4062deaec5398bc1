import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { WampGateway } from './gateway/wamp.gateway.js';
import type {
  WampModuleAsyncOptions,
  WampModuleOptions,
  WampOptionsFactory,
} from './interfaces/wamp-module-options.interface.js';
import { WampRouter } from './router/wamp-router.js';
import { resolveWampOptions, type ResolvedWampOptions } from './wamp-options.resolver.js';
import { WAMP_MODULE_OPTIONS, WAMP_RESOLVED_OPTIONS } from './wamp.constants.js';

const sharedProviders: Provider[] = [
  {
    provide: WAMP_RESOLVED_OPTIONS,
    useFactory: (options: WampModuleOptions) => resolveWampOptions(options, new Logger('WampRouter')),
    inject: [WAMP_MODULE_OPTIONS],
  },
  {
    provide: WampRouter,
    useFactory: (options: ResolvedWampOptions) => new WampRouter(options.router),
    inject: [WAMP_RESOLVED_OPTIONS],
  },
  WampGateway,
];

/**
 * Makes the Nest application a WAMP v2 router. Import it once, in the root module; it is global, so
 * `WampRouter` and `WampGateway` can be injected anywhere.
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
      providers: [{ provide: WAMP_MODULE_OPTIONS, useValue: options }, ...sharedProviders],
      exports: [WampRouter, WampGateway],
    };
  }

  /** Registers the router with options built from DI (`useFactory` + `inject`, `useClass` or `useExisting`). */
  static forRootAsync(options: WampModuleAsyncOptions): DynamicModule {
    return {
      module: WampModule,
      global: true,
      imports: options.imports ?? [],
      providers: [...asyncOptionsProviders(options), ...sharedProviders],
      exports: [WampRouter, WampGateway],
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

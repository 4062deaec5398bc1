import { Module, type DynamicModule } from '@nestjs/common';
import { inspectorController } from './wamp-inspector.controller.js';
import type { WampInspectorOptions } from './wamp-inspector.options.js';

/**
 * A live inspector page for operators: the realm's sessions, registrations and subscriptions (from the meta
 * API), recent errors (from a {@link WampInspectorErrorLog}), and a "try a call" form (from the catalog, calling
 * as the application). Served by the app over HTTP at `path`, behind the app's own guards. Opt-in: import it
 * only where operators should see it.
 *
 * @example
 * const errorLog = new WampInspectorErrorLog();
 * @Module({ imports: [
 *   WampModule.forRoot({ realms: ['realm1'], metrics: [errorLog] }),
 *   WampInspectorModule.register({ path: 'admin/inspector', guards: [AdminGuard], errorLog }),
 * ] })
 */
@Module({})
export class WampInspectorModule {
  /** The inspector at `options.path`, behind `options.guards`. */
  static register(options: WampInspectorOptions = {}): DynamicModule {
    if ((options.guards ?? []).length === 0 && options.allowUnguarded !== true) {
      throw new Error(
        'WampInspectorModule.register: no guards. The inspector lists every session and calls procedures as the ' +
          'application: give guards (e.g. your admin guard), or allowUnguarded: true if the path is guarded otherwise.',
      );
    }
    if (
      options.callTimeout !== undefined &&
      !(Number.isInteger(options.callTimeout) && options.callTimeout > 0)
    ) {
      throw new Error(
        `WampInspectorModule.register: callTimeout must be a positive integer (ms), got ${String(options.callTimeout)}.`,
      );
    }
    return {
      module: WampInspectorModule,
      imports: [...(options.imports ?? [])],
      controllers: [inspectorController(options)],
    };
  }
}

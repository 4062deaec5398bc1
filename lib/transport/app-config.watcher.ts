import type { ModuleRef } from '@nestjs/core';

/** The part of Nest's `ApplicationConfig` the watcher needs. */
interface GlobalFiltersSource {
  getGlobalFilters(): unknown[];
}

/**
 * Tells, at startup, whether the transport's handlers were built with the application's global enhancers
 * (`connectMicroservice(..., { inheritAppConfig: true })`), so that forgetting the option is reported before the
 * first call rather than never: without it, global pipes (a `ValidationPipe`), guards, interceptors and filters
 * (the module's own `WampExceptionFilter` included) silently do not apply to WAMP calls.
 *
 * How: Nest builds each handler's filter chain right before it hands the handler to the transport, reading the
 * global filters from the microservice's configuration, which is the application's own when it is inherited and
 * a fresh one otherwise. The watcher counts reads of the application's configuration between handlers. It
 * reaches that configuration through Nest's container, which is not public API: when it cannot, or when the
 * reads do not happen the way it expects, it gives no verdict rather than a wrong one.
 */
export class AppConfigWatcher {
  private reads = 0;
  private readsAtLastHandler = 0;
  private handlers = 0;
  private handlersWithAppConfig = 0;
  private restore?: () => void;

  constructor(moduleRef: ModuleRef) {
    const config = (moduleRef as unknown as { container?: { applicationConfig?: unknown } }).container
      ?.applicationConfig as GlobalFiltersSource | undefined;
    if (typeof config?.getGlobalFilters !== 'function') return;
    const original = config.getGlobalFilters;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const watcher = this;
    config.getGlobalFilters = function (this: GlobalFiltersSource): unknown[] {
      watcher.reads++;
      return original.call(this);
    };
    this.restore = () => {
      config.getGlobalFilters = original;
    };
  }

  /** Called when Nest hands the transport a handler it just built. */
  handlerAdded(): void {
    if (!this.restore) return;
    this.handlers++;
    if (this.reads > this.readsAtLastHandler) this.handlersWithAppConfig++;
    this.readsAtLastHandler = this.reads;
  }

  /**
   * Stops watching and says whether handlers were added without the application's configuration: `true` when
   * some were and none of them read it, `false` when they did, `undefined` when there is nothing to judge.
   */
  finish(): boolean | undefined {
    const watching = this.restore !== undefined;
    this.restore?.();
    this.restore = undefined;
    if (!watching || this.handlers === 0) return undefined;
    return this.handlersWithAppConfig === 0;
  }
}

import type { CanActivate, DynamicModule, Type } from '@nestjs/common';
import type { WampInspectorErrorLog } from './inspector-error-log.js';

/** Options of {@link WampInspectorModule.register}. */
export interface WampInspectorOptions {
  /** Where the page is served, e.g. `admin/inspector`. Default `wamp-inspector`. */
  readonly path?: string;
  /**
   * Guards every route of the inspector runs through (the page, its state and its "try a call"): the app's own,
   * as classes or instances. The inspector shows every session and calls any procedure as the application, so an
   * app that is reachable by others must give one; without guards, `register` refuses unless
   * `allowUnguarded: true` says that the app guards the path some other way.
   */
  readonly guards?: readonly (CanActivate | Type<CanActivate>)[];
  /** Serve without guards (e.g. on a port only operators reach). Default false. */
  readonly allowUnguarded?: boolean;
  /**
   * Where the recent errors come from: the error log given to the module among its `metrics`. Default: a
   * `WampInspectorErrorLog` provider, if the app has one (one per app, when several run in a process).
   */
  readonly errorLog?: WampInspectorErrorLog;
  /** Modules the inspector needs providers of: the guards' dependencies, the module providing the error log. */
  readonly imports?: readonly (Type | DynamicModule)[];
  /** The realm shown and called in. Default: the first configured realm. */
  readonly realm?: string;
  /** How long "try a call" waits for an answer, in ms. Default 10000. */
  readonly callTimeout?: number;
}

import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Optional,
  Post,
  UseGuards,
  type Type,
} from '@nestjs/common';
import { WampCallError } from '../core/router/wamp-call.error.js';
import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';
import { WampCaller } from '../transport/wamp.caller.js';
import { WampCatalog } from '../transport/wamp-catalog.service.js';
import {
  WampMetaService,
  type WampRegistrationInfo,
  type WampSessionInfo,
  type WampSubscriptionInfo,
} from '../transport/wamp-meta.service.js';
import { WampInspectorErrorLog, type InspectorErrorEntry } from './inspector-error-log.js';
import { INSPECTOR_CSP, INSPECTOR_HTML, INSPECTOR_SCRIPT } from './inspector-page.js';
import type { WampInspectorOptions } from './wamp-inspector.options.js';

/** What the inspector's page reads once a second. */
export interface InspectorState {
  readonly realm: string;
  readonly sessions: readonly WampSessionInfo[];
  readonly registrations: readonly WampRegistrationInfo[];
  readonly subscriptions: readonly WampSubscriptionInfo[];
  readonly procedures: readonly string[];
  readonly errors: readonly InspectorErrorEntry[];
}

/** What "try a call" answers: the RESULT's or the ERROR's arguments. */
export type InspectorCallOutcome =
  | { readonly ok: true; readonly args: WampArgs; readonly kwargs: WampKwargs }
  | { readonly ok: false; readonly error: string; readonly args: WampArgs; readonly kwargs: WampKwargs };

/** The body of a "try a call" request. */
interface InspectorCallBody {
  readonly procedure?: unknown;
  readonly args?: unknown;
  readonly kwargs?: unknown;
}

/**
 * Makes the inspector's controller for `options`: its path and guards are the app's, so the class is made per
 * registration (Nest reads both from class metadata).
 */
export function inspectorController(options: WampInspectorOptions): Type {
  const path = (options.path ?? 'wamp-inspector').replace(/^\/+|\/+$/g, '');
  const script = `/${path}/inspector.js`;
  const html = INSPECTOR_HTML.replace('SCRIPT_URL', script);
  const timeout = options.callTimeout ?? 10_000;

  @Controller(path)
  @UseGuards(...(options.guards ?? []))
  class WampInspectorController {
    constructor(
      private readonly meta: WampMetaService,
      private readonly catalog: WampCatalog,
      private readonly caller: WampCaller,
      @Optional() @Inject(WampInspectorErrorLog) private readonly errorLogProvider?: WampInspectorErrorLog,
    ) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', INSPECTOR_CSP)
    @Header('Cache-Control', 'no-store')
    @Header('X-Content-Type-Options', 'nosniff')
    page(): string {
      return html;
    }

    @Get('inspector.js')
    @Header('Content-Type', 'text/javascript; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    @Header('X-Content-Type-Options', 'nosniff')
    script(): string {
      return INSPECTOR_SCRIPT;
    }

    @Get('state.json')
    @Header('Cache-Control', 'no-store')
    state(): InspectorState {
      const realm = options.realm;
      return {
        realm: this.catalog.snapshot(realm).realm,
        sessions: this.meta.sessions(realm),
        registrations: this.meta.registrations(realm),
        subscriptions: this.meta.subscriptions(realm),
        procedures: this.catalog.procedureUris(realm),
        errors: (options.errorLog ?? this.errorLogProvider)?.recent() ?? [],
      };
    }

    @Post('call')
    @HttpCode(200)
    async call(@Body() body: InspectorCallBody | undefined): Promise<InspectorCallOutcome> {
      const { procedure, args = [], kwargs = {} } = body ?? {};
      if (typeof procedure !== 'string' || procedure === '') {
        throw new BadRequestException('procedure must be a URI string.');
      }
      if (!Array.isArray(args)) throw new BadRequestException('args must be a JSON list.');
      if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) {
        throw new BadRequestException('kwargs must be a JSON dict.');
      }
      try {
        const result = await this.caller.call(procedure, args, kwargs as WampKwargs, {
          realm: options.realm,
          timeout,
        });
        return { ok: true, args: result.args, kwargs: result.kwargs };
      } catch (error) {
        if (error instanceof WampCallError) {
          return { ok: false, error: error.error, args: error.args, kwargs: error.kwargs };
        }
        throw error;
      }
    }
  }
  return WampInspectorController;
}

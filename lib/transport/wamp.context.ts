import { BaseRpcContext } from '@nestjs/microservices';
import type { CallOptions } from '../core/protocol/wamp-message.interface.js';
import type { WampCall, WampCallerDisclosure } from '../core/router/dealer/wamp-call.interface.js';
import { toClientSession, type WampClientSession } from '../core/router/wamp-client-session.js';
import { WAMP_CONTEXT_MARK } from './wamp-transport.constants.js';

/**
 * What `@Ctx()` gives a WAMP handler: the calling session, the call's procedure, request ID and options,
 * the caller's identity when disclosed, whether progress was requested, and an `AbortSignal` that fires on
 * CANCEL, timeout or session loss. Injected values live here, apart from the client's arguments, so a
 * client can never override them.
 *
 * @example
 * @MessagePattern('docs.get_document')
 * getDocument(@WampParam('document_id') id: string, @Ctx() ctx: WampContext) {
 *   return this.docs.find(id, { signal: ctx.signal, user: ctx.session.authid });
 * }
 */
export class WampContext extends BaseRpcContext<[WampCall]> {
  /** Marks WAMP contexts for the exception filter (calls, publications and subscriptions alike). */
  readonly [WAMP_CONTEXT_MARK] = true;
  private sessionView?: WampClientSession;

  constructor(private readonly call: WampCall) {
    super([call]);
  }

  /** The calling session (id, realm, authid, authrole, transport, close/abort). */
  get session(): WampClientSession {
    this.sessionView ??= toClientSession(this.call.caller);
    return this.sessionView;
  }

  /** Procedure URI as called. */
  get procedure(): string {
    return this.call.procedure;
  }

  /** The caller's request ID. */
  get request(): number {
    return this.call.request;
  }

  /** CALL.Options as sent by the caller. */
  get options(): CallOptions {
    return this.call.options;
  }

  /** The caller's session ID, authid and authrole, only when the caller set `disclose_me: true`. */
  get caller(): WampCallerDisclosure | undefined {
    return this.call.disclosure;
  }

  /** Whether the caller asked for progressive results. */
  get receiveProgress(): boolean {
    return this.call.receiveProgress;
  }

  /** Fires on CANCEL, timeout, or when the caller's session ends. */
  get signal(): AbortSignal {
    return this.call.signal;
  }

  /**
   * Sends a progressive result now (ignored unless the caller asked for progress). Returning an
   * Observable or async iterable is the usual way; this is for handlers that report progress imperatively.
   */
  progress(...args: unknown[]): void {
    this.call.progress(args);
  }
}

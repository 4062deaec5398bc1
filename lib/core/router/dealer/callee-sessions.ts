import { WampMessageType } from '../../protocol/message-type.enum.js';
import type { CallMessage } from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import { CalleeSession, RemoteInvocation, type DealerInvocation } from './callee-session.js';
import type { PendingCall } from './pending-call.js';
import type { Registration, RemoteCallee } from './registration.js';

/** INVOCATION.Details of a chunk of a progressive call invocation, and of its final chunk. */
const CHUNK_DETAILS = Object.freeze({ progress: true });
const FINAL_CHUNK_DETAILS = Object.freeze({});

/**
 * The dealer's side of client callees: one {@link CalleeSession} per session that registered or has
 * invocations, and what goes to them — INVOCATION (with the Details the spec asks for), the chunks of a
 * progressive call invocation, INTERRUPT — and where their YIELD and ERROR come back to.
 */
export class CalleeSessions {
  private readonly sessions = new Map<WampPeer, CalleeSession>();

  /** The callee record of `peer`, made on first use. */
  of(peer: WampPeer): CalleeSession {
    let callee = this.sessions.get(peer);
    if (!callee) this.sessions.set(peer, (callee = new CalleeSession(peer)));
    return callee;
  }

  /** The callee record of `peer`, if it has one. */
  get(peer: WampPeer): CalleeSession | undefined {
    return this.sessions.get(peer);
  }

  /** Forgets `peer` (it left, or holds nothing any more). */
  forget(peer: WampPeer): void {
    this.sessions.delete(peer);
  }

  /**
   * Sends INVOCATION for `call` to a client callee. `timeout` > 0 is forwarded (`forward_timeout`). The callee
   * is interrupted when the call is (if it announced `call_canceling`); a call whose arguments the callee's
   * serializer cannot carry ends with `wamp.error.runtime_error`.
   */
  invoke(
    call: PendingCall<DealerInvocation>,
    registration: Registration,
    callee: RemoteCallee,
    timeout: number,
  ): void {
    const session = callee.session;
    const invocation = new RemoteInvocation(session.nextRequest(), registration.id, call, session);
    invocation.acceptsChunks = call.options.progress === true;
    call.remote = invocation;
    session.invocations.set(invocation.request, invocation);
    const details: Record<string, unknown> = {};
    if (registration.match !== 'exact') details.procedure = call.procedure;
    if (invocation.acceptsChunks) details.progress = true;
    if (call.receiveProgress && session.sendsProgress) details.receive_progress = true;
    if (timeout > 0) details.timeout = timeout;
    const caller = call.disclosure ?? (callee.discloseCaller ? disclosureOf(call.caller) : undefined);
    if (caller) {
      details.caller = caller.caller;
      if (caller.caller_authid !== undefined) details.caller_authid = caller.caller_authid;
      if (caller.caller_authrole !== undefined) details.caller_authrole = caller.caller_authrole;
    }
    if (call.span) Object.assign(details, call.span.carrier);
    call.onInterrupt(() => interruptCallee(invocation));
    const hasKwargs = hasKeys(call.kwargs);
    const sent = session.peer.send({
      type: WampMessageType.INVOCATION,
      request: invocation.request,
      registration: registration.id,
      details,
      args: call.args.length > 0 || hasKwargs ? call.args : undefined,
      kwargs: hasKwargs ? call.kwargs : undefined,
    });
    if (!sent) failUnencodable(invocation);
  }

  /**
   * Forwards the next chunk of a progressive call invocation (a CALL with the request ID of `invocation`'s
   * call) to the same callee as the same invocation: `progress: true` until the caller's final chunk.
   */
  sendChunk(invocation: RemoteInvocation, message: CallMessage): void {
    invocation.acceptsChunks = message.options.progress === true;
    const sent = invocation.callee.peer.send({
      type: WampMessageType.INVOCATION,
      request: invocation.request,
      registration: invocation.registration,
      details: invocation.acceptsChunks ? CHUNK_DETAILS : FINAL_CHUNK_DETAILS,
      args: message.args,
      kwargs: message.kwargs,
    });
    if (!sent) {
      invocation.call.interrupt('arguments not encodable');
      failUnencodable(invocation);
    }
  }

  /**
   * The unsettled invocation a YIELD or ERROR of `peer` answers. An answer to an invocation that already ended
   * (cancelled, timed out, or its caller gone) is ignored, as the spec asks; one to an invocation this session
   * was never sent is a protocol violation of that session.
   */
  answered(peer: WampPeer, request: number, kind: 'YIELD' | 'ERROR'): RemoteInvocation | undefined {
    const callee = this.sessions.get(peer);
    const invocation = callee?.invocations.get(request);
    if (invocation) return invocation;
    if (!callee?.wasSent(request)) peer.protocolViolation(`${kind} for unknown invocation ${request}.`);
    return undefined;
  }
}

/**
 * Asks a client callee to stop (INTERRUPT) when it announced `call_canceling` and has not answered yet; a callee
 * without the feature is left to finish, and its answer is discarded (the spec's `skip`).
 */
function interruptCallee(invocation: RemoteInvocation): void {
  const callee = invocation.callee;
  if (invocation.answered || !callee.canCancel || !callee.peer.isOpen) return;
  const call = invocation.call;
  callee.peer.send({
    type: WampMessageType.INTERRUPT,
    request: invocation.request,
    options: {
      mode: call.interruptMode,
      reason: call.interruptReason === 'timeout' ? WampErrorUri.TIMEOUT : WampErrorUri.CANCELED,
    },
  });
}

function failUnencodable(invocation: RemoteInvocation): void {
  invocation.call.error(WampErrorUri.RUNTIME_ERROR, [
    `The call's arguments cannot be encoded as ${invocation.callee.peer.transport.protocol} for the callee.`,
  ]);
}

/** Whether a dict has an own key, without listing them all (kwargs may hold thousands). */
function hasKeys(dict: object): boolean {
  for (const key in dict) if (Object.prototype.hasOwnProperty.call(dict, key)) return true;
  return false;
}

/** The caller's identity for a callee that asked for it with `disclose_caller`. */
function disclosureOf(caller: WampPeer): {
  caller: number;
  caller_authid?: string;
  caller_authrole?: string;
} {
  return {
    caller: caller.id,
    caller_authid: caller.identity?.authid,
    caller_authrole: caller.identity?.authrole,
  };
}

import { WampMessageType } from '../../protocol/message-type.enum.js';
import type {
  CallMessage,
  CancelMessage,
  ErrorMessage,
  RegisterMessage,
  UnregisterMessage,
  YieldMessage,
} from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import type { WampSession } from '../wamp-session.js';

/**
 * The in-process dealer. In this version the registration table is empty: CALL is answered with
 * `wamp.error.no_such_procedure`, and client-registered callees are refused; the Nest transport (RPC to
 * `@MessagePattern` handlers) fills the table.
 */
export class LocalDealer implements WampDealer {
  readonly features: Readonly<Record<string, boolean>> = {};

  call(session: WampSession, message: CallMessage): void {
    session.send([
      WampMessageType.ERROR,
      WampMessageType.CALL,
      message.request,
      { message: `No procedure is registered under "${message.procedure}".` },
      WampErrorUri.NO_SUCH_PROCEDURE,
    ]);
  }

  cancel(_session: WampSession, _message: CancelMessage): void {
    // The spec has the dealer ignore CANCEL for a call it no longer knows (already answered or unknown).
  }

  register(session: WampSession, message: RegisterMessage): void {
    session.send([
      WampMessageType.ERROR,
      WampMessageType.REGISTER,
      message.request,
      { message: 'This router does not accept client-registered procedures.' },
      WampErrorUri.NOT_AUTHORIZED,
    ]);
  }

  unregister(session: WampSession, message: UnregisterMessage): void {
    session.send([
      WampMessageType.ERROR,
      WampMessageType.UNREGISTER,
      message.request,
      { message: `Registration ${message.registration} does not exist.` },
      WampErrorUri.NO_SUCH_REGISTRATION,
    ]);
  }

  yield(session: WampSession, message: YieldMessage): void {
    session.protocolViolation(`YIELD for unknown invocation ${message.request}.`);
  }

  invocationError(session: WampSession, message: ErrorMessage): void {
    session.protocolViolation(`ERROR for unknown invocation ${message.request}.`);
  }

  detach(_session: WampSession): void {
    // Nothing is held per session yet.
  }
}

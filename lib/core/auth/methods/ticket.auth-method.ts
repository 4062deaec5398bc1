import type { WampAuthenticationRequest, WampIdentity } from '../../router/wamp-authenticator.interface.js';
import type { WampAuthMethod } from '../wamp-auth-method.interface.js';
import type { WampTicketAuthenticator } from '../wamp-authenticators.interface.js';
import {
  DEFAULT_AUTH_PROVIDER,
  authContextOf,
  authenticationFailed,
  checkAuthResult,
  helloAuthid,
  identityOf,
  noSuchPrincipal,
  type WampAuthMethodOptions,
} from './auth-method.utils.js';

/**
 * WAMP ticket authentication (`ticket`):
 *
 * ```
 * HELLO        [1, realm, {authmethods: ['ticket'], authid: 'joe'}]
 * CHALLENGE    [4, 'ticket', {}]
 * AUTHENTICATE [5, '<ticket>', {}]
 * WELCOME      authid/authrole from WampTicketAuthenticator.verifyTicket(), authmethod 'ticket'
 * ```
 *
 * The ticket travels in clear text: use it over TLS only. Refusals: no authid in HELLO ->
 * `wamp.error.no_such_principal`; `verifyTicket()` returning `null` (unknown authid and wrong ticket alike,
 * so the answer does not tell which authids exist) -> `wamp.error.authentication_failed`.
 *
 * @example
 * new TicketAuthMethod({ verifyTicket: async (authid, ticket) => (await users.check(authid, ticket)) ? { authrole: 'user' } : null });
 */
export class TicketAuthMethod implements WampAuthMethod {
  readonly names = ['ticket'] as const;
  private readonly provider: string;

  constructor(
    private readonly authenticator: WampTicketAuthenticator,
    options: WampAuthMethodOptions = {},
  ) {
    this.provider = options.provider ?? DEFAULT_AUTH_PROVIDER;
  }

  async authenticate(request: WampAuthenticationRequest, authmethod: string): Promise<WampIdentity> {
    // The spec makes authid mandatory for ticket authentication (it is what the ticket is checked against).
    const authid = helloAuthid(request);
    if (authid === undefined) {
      throw noSuchPrincipal('Ticket authentication needs HELLO.Details.authid.');
    }
    // Always challenge, whether or not the authid exists: the application only sees it with the ticket.
    const { signature: ticket } = await request.challenge(authmethod, {});
    if (typeof ticket !== 'string' || ticket === '') {
      throw authenticationFailed('Invalid ticket.');
    }
    const result = await this.authenticator.verifyTicket(authid, ticket, authContextOf(request));
    if (result === null || result === undefined) {
      throw authenticationFailed('Invalid ticket.');
    }
    checkAuthResult(result, 'WampTicketAuthenticator.verifyTicket()');
    return identityOf(result, authid, authmethod, this.provider);
  }
}

import { WampErrorUri } from '../protocol/wamp-uris.js';
import { WampAbortError } from '../router/wamp-abort.error.js';
import type {
  WampAuthenticationRequest,
  WampAuthenticator,
  WampIdentity,
} from '../router/wamp-authenticator.interface.js';
import { authContextOf } from './methods/auth-method.utils.js';
import { CryptosignAuthMethod } from './methods/cryptosign.auth-method.js';
import { ScramAuthMethod } from './methods/scram.auth-method.js';
import { TicketAuthMethod } from './methods/ticket.auth-method.js';
import { WampCraAuthMethod } from './methods/wampcra.auth-method.js';
import type { WampAuthMethod } from './wamp-auth-method.interface.js';
import type { WampAuthenticatorRef, WampRealmAuthOptions } from './wamp-realm-auth.options.js';

/** Turns an authenticator reference (class or instance) into the instance; classes are looked up in DI. */
export type AuthenticatorResolver = <T>(reference: WampAuthenticatorRef<T>) => T;

/**
 * Builds a realm's authenticator from its {@link WampRealmAuthOptions}: transport authentication first,
 * then the client's HELLO.authmethods in the client's order, anonymous only when allowed. Application
 * authenticators are resolved on first use, when every Nest provider exists.
 */
export function createRealmAuthenticator(
  options: WampRealmAuthOptions,
  resolve: AuthenticatorResolver,
): WampAuthenticator {
  let methods: WampAuthMethod[] | undefined;
  let methodByName: Map<string, WampAuthMethod> | undefined;
  /** One lookup per offered name, however many the client offers (the first method claiming a name wins). */
  const methodNamed = (name: string): WampAuthMethod | undefined => {
    if (!methodByName) {
      methodByName = new Map();
      for (const method of methodsOf()) {
        for (const methodName of method.names)
          if (!methodByName.has(methodName)) methodByName.set(methodName, method);
      }
    }
    return methodByName.get(name);
  };
  const methodsOf = (): WampAuthMethod[] => {
    const provider = { provider: options.provider };
    methods ??= [
      ...(options.ticket ? [new TicketAuthMethod(resolve(options.ticket), provider)] : []),
      ...(options.wampcra ? [new WampCraAuthMethod(resolve(options.wampcra), provider)] : []),
      ...(options.cryptosign ? [new CryptosignAuthMethod(resolve(options.cryptosign), provider)] : []),
      ...(options.scram
        ? [new ScramAuthMethod(resolve(options.scram), { ...options.scramOptions, ...provider })]
        : []),
      ...(options.methods ?? []),
    ];
    return methods;
  };
  const anonymousRole =
    options.anonymous === true ? 'anonymous' : options.anonymous ? options.anonymous.authrole : undefined;

  return async (request: WampAuthenticationRequest): Promise<WampIdentity> => {
    if (options.transport) {
      const transport = resolve(options.transport);
      const admitted = await transport.authenticateTransport(authContextOf(request));
      if (admitted) {
        return {
          // Never the HELLO's authid: nothing verified it, and authids feed disclosure and black/white lists.
          authid: admitted.authid ?? `transport-${request.sessionId}`,
          authrole: admitted.authrole,
          authmethod: transport.authmethod,
          authprovider: 'transport',
          authextra: admitted.authextra,
        };
      }
    }
    const offered = request.details.authmethods ?? [];
    for (const name of offered) {
      if (name === 'anonymous' && anonymousRole !== undefined) return anonymous(request, anonymousRole);
      const method = methodNamed(name);
      if (method) return method.authenticate(request, name);
    }
    if (offered.length === 0 && anonymousRole !== undefined) return anonymous(request, anonymousRole);
    const accepted = [
      ...(anonymousRole !== undefined ? ['anonymous'] : []),
      ...methodsOf().flatMap((method) => method.names),
    ];
    throw new WampAbortError(
      WampErrorUri.NO_MATCHING_AUTH_METHOD,
      offered.length === 0
        ? `This realm requires authentication (${accepted.join(', ')}); HELLO offered no authmethods.`
        : `None of the offered authentication methods (${describeOffered(offered)}) is accepted; this realm accepts ${accepted.join(', ')}.`,
    );
  };
}

function anonymous(request: WampAuthenticationRequest, authrole: string): WampIdentity {
  return {
    authid: `anonymous-${request.sessionId}`,
    authrole,
    authmethod: 'anonymous',
    authprovider: 'static',
  };
}

/** Methods shown back to the client in ABORT: a few, each cut short, so a huge HELLO is not echoed whole. */
const MAX_METHODS_SHOWN = 8;
const MAX_METHOD_NAME_SHOWN = 40;

function describeOffered(offered: readonly string[]): string {
  const shown = offered
    .slice(0, MAX_METHODS_SHOWN)
    .map((name) =>
      name.length > MAX_METHOD_NAME_SHOWN ? `${name.slice(0, MAX_METHOD_NAME_SHOWN)}...` : name,
    );
  const more = offered.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

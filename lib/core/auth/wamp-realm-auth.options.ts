import type { ScramAuthMethodOptions } from './methods/scram.auth-method.js';
import type { WampAuthMethod } from './wamp-auth-method.interface.js';
import type {
  WampCraAuthenticator,
  WampCryptosignAuthenticator,
  WampScramAuthenticator,
  WampTicketAuthenticator,
  WampTransportAuthenticator,
} from './wamp-authenticators.interface.js';

/** An authenticator given as a Nest provider class (resolved from DI) or as an instance. */
export type WampAuthenticatorRef<T> = WampProviderClass<T> | T;

/**
 * A class whose instances are `T`, whatever its constructor takes (a Nest provider class resolved from DI, for
 * instance). Nest's own `Type` without importing Nest: the core stays framework-free.
 */
export type WampProviderClass<T> = new (...args: never[]) => T;

/**
 * How a realm authenticates sessions. Methods are tried in the order of the client's
 * HELLO.Details.authmethods; the first one the realm accepts runs. Anonymous access is never implied once
 * other methods are configured: set `anonymous` to allow it.
 *
 * @example
 * realms: [{ name: 'realm1', auth: { anonymous: true, ticket: UsersTicketAuthenticator } }]
 */
export interface WampRealmAuthOptions {
  /** Allow anonymous sessions (`true`, or the role to give them; default role `anonymous`). */
  readonly anonymous?: boolean | { readonly authrole: string };
  readonly ticket?: WampAuthenticatorRef<WampTicketAuthenticator>;
  readonly wampcra?: WampAuthenticatorRef<WampCraAuthenticator>;
  readonly cryptosign?: WampAuthenticatorRef<WampCryptosignAuthenticator>;
  /** SCRAM, accepted under both `wamp-scram` (spec) and `scram` (Autobahn/Crossbar). */
  readonly scram?: WampAuthenticatorRef<WampScramAuthenticator>;
  /** Authenticates from the upgrade request alone (cookie, bearer token, client certificate), before HELLO's methods. */
  readonly transport?: WampAuthenticatorRef<WampTransportAuthenticator>;
  /** Further methods of your own. */
  readonly methods?: readonly WampAuthMethod[];
  /** `authprovider` announced in WELCOME for the built-in methods (default `application`). */
  readonly provider?: string;
  /**
   * SCRAM settings. Set `mockParameters` to your real users' KDF parameters and a stable `mockSecret`, so
   * the mock CHALLENGE an unknown authid gets cannot be told apart from a real one.
   */
  readonly scramOptions?: Omit<ScramAuthMethodOptions, 'provider'>;
}

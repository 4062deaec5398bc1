import { topicMatches } from '../router/broker/topic-pattern.js';
import type { WampAction, WampAuthorizer } from '../router/wamp-authorizer.interface.js';
import type { WampPeer } from '../router/wamp-peer.interface.js';
import { toClientSession } from '../router/wamp-client-session.js';
import type { AuthenticatorResolver } from './realm-authenticator.factory.js';
import type { WampAuthorizationOptions, WampPermissionRule } from './wamp-authorization.options.js';

/**
 * Builds a realm's authorizer: the static rules (indexed by role, checked synchronously), then the dynamic
 * authorizer if any. Returns undefined when there is nothing to check, so the hot path skips authorization.
 */
export function createRealmAuthorizer(
  options: WampAuthorizationOptions,
  resolve: AuthenticatorResolver,
): WampAuthorizer | undefined {
  const rules = options.rules;
  const byRole = new Map<string, WampPermissionRule[]>();
  for (const rule of rules ?? []) {
    const list = byRole.get(rule.role) ?? [];
    list.push(rule);
    byRole.set(rule.role, list);
  }
  const allowedByRules = (session: WampPeer, action: WampAction, uri: string): boolean => {
    const role = session.identity?.authrole ?? '';
    return [byRole.get(role), byRole.get('*')].some((list) =>
      list?.some((rule) => rule.allow.includes(action) && topicMatches(uri, rule.uri, rule.match ?? 'exact')),
    );
  };
  if (!rules && !options.authorizer) return undefined;
  return (session, action, uri) => {
    if (rules && !allowedByRules(session, action, uri)) return false;
    if (!options.authorizer) return true;
    return resolve(options.authorizer).authorize({ session: toClientSession(session), action, uri });
  };
}

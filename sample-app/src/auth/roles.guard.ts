import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WampContext, WampErrorUri, WampException } from '../../../lib/index.js';
import { ROLES_KEY } from './roles.decorator.js';

/**
 * Lets a WAMP call through when the calling session's `authrole` is one of the roles named by `@Roles`
 * (no `@Roles`: everyone). The role comes from the router's authentication (WELCOME's `authrole`), never
 * from what the client claims, so an anonymous session cannot promote itself by sending `authrole: 'admin'`
 * in HELLO.
 *
 * A refusal answers ERROR `wamp.error.not_authorized` with a message naming the role needed. (Returning
 * false would give the same URI with Nest's generic "Forbidden resource".)
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const wamp = context.switchToRpc().getContext<unknown>();
    // Used on an HTTP route by mistake there is no WAMP session to check: refuse rather than guess.
    if (context.getType() !== 'rpc' || !(wamp instanceof WampContext)) return false;
    const { authrole } = wamp.session;
    if (roles.includes(authrole)) return true;
    throw new WampException(
      WampErrorUri.NOT_AUTHORIZED,
      [
        `${wamp.procedure} requires the role ${roles.map((role) => `"${role}"`).join(' or ')}; this session has "${authrole}".`,
      ],
      { required_roles: roles, authrole },
    );
  }
}

import { Injectable } from '@nestjs/common';
import { isReservedUri } from '../core/protocol/wamp-uri.js';
import { WampCloseUri } from '../core/protocol/wamp-uris.js';
import type { SessionDirectory } from '../core/router/meta/session-directory.js';
import type { SessionMetaDetails } from '../core/router/meta/session-meta-details.js';
import type { RegistrationFacts } from '../core/router/registration-catalog.interface.js';
import type {
  SubscriptionCatalog,
  SubscriptionFacts,
} from '../core/router/subscription-catalog.interface.js';
import type { WampRealm } from '../core/router/wamp-realm.js';
import { WampRouter } from '../core/router/wamp-router.js';

/** A session of the realm, as `wamp.session.get` describes it. */
export type WampSessionInfo = SessionMetaDetails;

/** A registration with its callees' session IDs (the app's own procedures name the realm's router session). */
export interface WampRegistrationInfo extends RegistrationFacts {
  readonly callees: readonly number[];
}

/** A subscription with its subscribers' session IDs. */
export interface WampSubscriptionInfo extends SubscriptionFacts {
  readonly subscribers: readonly number[];
}

/** How {@link WampMetaService.kill} ends a session. */
export interface WampKillOptions {
  /** GOODBYE reason URI. Default `wamp.close.killed`. */
  readonly reason?: string;
  /** GOODBYE message. */
  readonly message?: string;
}

/**
 * What the meta API tells clients, for Nest code in the same process: the realm's sessions, registrations
 * (Nest handlers and client callees) and subscriptions with typed results, and ending sessions. Reads the
 * router's state directly, without a call, and without the realm's authorization (the caller is the
 * application). With a backplane, sessions, registrations and subscriptions are those of every instance. The
 * router's own `wamp.` procedures and topics are left out, as on the wire. Every method takes
 * the realm's name; the first configured realm is the default.
 *
 * @example
 * constructor(private readonly meta: WampMetaService) {}
 * const admins = this.meta.sessions().filter((session) => session.authrole === 'admin');
 * const chat = this.meta.subscriptions().find((subscription) => subscription.uri === 'com.example.chat');
 * await this.meta.kill(sessionId, { reason: 'com.example.banned' });
 */
@Injectable()
export class WampMetaService {
  constructor(private readonly router: WampRouter) {}

  /** The realm's sessions (joined, WELCOME sent): of every instance when the app runs with a backplane. */
  sessions(realm?: string): WampSessionInfo[] {
    return [...this.directory(realm).values()];
  }

  /** One session of the realm (of any instance with a backplane), or `undefined`. */
  session(id: number, realm?: string): WampSessionInfo | undefined {
    return this.directory(realm).get(id);
  }

  /** The realm's registrations, each with its callees; empty when the realm's dealer keeps no catalog. */
  registrations(realm?: string): WampRegistrationInfo[] {
    const catalog = this.realm(realm).dealer.registrations;
    if (!catalog) return [];
    const lists = catalog.list((uri) => !isReservedUri(uri));
    return [...lists.exact, ...lists.prefix, ...lists.wildcard]
      .map((id) => this.registration(id, realm))
      .filter((info): info is WampRegistrationInfo => info !== undefined);
  }

  /** One registration with its callees, or `undefined`. */
  registration(id: number, realm?: string): WampRegistrationInfo | undefined {
    const catalog = this.realm(realm).dealer.registrations;
    const facts = catalog?.get(id);
    if (!catalog || !facts || isReservedUri(facts.uri)) return undefined;
    return { ...facts, callees: catalog.callees(id) ?? [] };
  }

  /** The realm's subscriptions, each with its subscribers; empty when the realm's broker keeps no catalog. */
  subscriptions(realm?: string): WampSubscriptionInfo[] {
    const catalog = this.subscriptionCatalog(realm);
    if (!catalog) return [];
    const lists = catalog.list((uri) => !isReservedUri(uri));
    return [...lists.exact, ...lists.prefix, ...lists.wildcard]
      .map((id) => this.subscription(id, realm))
      .filter((info): info is WampSubscriptionInfo => info !== undefined);
  }

  /** One subscription with its subscribers, or `undefined`. */
  subscription(id: number, realm?: string): WampSubscriptionInfo | undefined {
    const catalog = this.subscriptionCatalog(realm);
    const facts = catalog?.get(id);
    if (!catalog || !facts || isReservedUri(facts.uri)) return undefined;
    return { ...facts, subscribers: catalog.subscribers(id) ?? [] };
  }

  /**
   * Ends a session with GOODBYE (`wamp.close.killed` unless `reason` says otherwise). A session of this instance:
   * resolves once it is closed. A session of another instance (with a backplane): resolves `true` once the request
   * is handed to the backplane; its instance ends it. `false` when the realm has no such session.
   */
  async kill(id: number, options: WampKillOptions = {}, realm?: string): Promise<boolean> {
    const reason = options.reason ?? WampCloseUri.KILLED;
    const session = this.realm(realm).sessions.get(id);
    if (session) {
      await session.close(reason, options.message);
      return true;
    }
    return this.directory(realm).kill(id, { reason, message: options.message, silent: false });
  }

  /** The realm's subscriptions: with a backplane, every instance's. */
  private subscriptionCatalog(name: string | undefined): SubscriptionCatalog | undefined {
    return this.router.subscriptionCatalog(this.realm(name).name);
  }

  private directory(name: string | undefined): SessionDirectory {
    const realm = this.realm(name);
    return this.router.sessionDirectory(realm.name) as SessionDirectory;
  }

  private realm(name: string | undefined): WampRealm {
    const realm =
      name === undefined ? this.router.realms.values().next().value : this.router.realms.get(name);
    if (!realm) throw new Error(`WampMetaService: realm "${name}" is not served by this router.`);
    return realm;
  }
}

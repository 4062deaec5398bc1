import { Injectable } from '@nestjs/common';
import type { ApiCatalog } from '../core/contracts/api-catalog.js';
import type {
  WampApiSnapshot,
  WampErrorDescription,
  WampProcedureDescription,
  WampTopicDescription,
} from '../core/contracts/api-description.interface.js';
import { WampRouter } from '../core/router/wamp-router.js';

/**
 * What the reflection procedures tell clients, for Nest code: the realm's procedures (the application's, with
 * their contracts, and those clients registered), its described topics and its documented error URIs. Reads the
 * router directly, without the realm's authorization: the application decides who sees what it serves from here.
 * Every method takes the realm's name; the first configured realm is the default.
 *
 * @example
 * // Serve the catalog as JSON over HTTP, behind the app's own guard
 * @Get('catalog.json') @UseGuards(AdminGuard)
 * catalog() { return this.catalog.snapshot(); }
 */
@Injectable()
export class WampCatalog {
  constructor(private readonly router: WampRouter) {}

  /** Every procedure URI of the realm, sorted. */
  procedureUris(realm?: string): string[] {
    return this.catalog(realm).procedureUris();
  }

  /** One procedure's description, or `undefined` when nothing is registered under that URI. */
  procedure(uri: string, realm?: string): WampProcedureDescription | undefined {
    return this.catalog(realm).describeProcedure(uri);
  }

  /** Every described topic URI of the realm, sorted. */
  topicUris(realm?: string): string[] {
    return this.catalog(realm).topicUris();
  }

  /** One topic's description, or `undefined`. */
  topic(uri: string, realm?: string): WampTopicDescription | undefined {
    return this.catalog(realm).describeTopic(uri);
  }

  /** Every error URI the realm's procedures document, sorted. */
  errorUris(realm?: string): string[] {
    return this.catalog(realm).errorUris();
  }

  /** Which procedures document an error URI, or `undefined`. */
  error(uri: string, realm?: string): WampErrorDescription | undefined {
    return this.catalog(realm).describeError(uri);
  }

  /** Everything at once: what the client generator and an HTTP catalog endpoint need. */
  snapshot(realm?: string): WampApiSnapshot {
    const catalog = this.catalog(realm);
    const present = <T>(value: T | undefined): value is T => value !== undefined;
    return {
      realm: this.realmName(realm),
      procedures: catalog
        .procedureUris()
        .map((uri) => catalog.describeProcedure(uri))
        .filter(present),
      topics: catalog
        .topicUris()
        .map((uri) => catalog.describeTopic(uri))
        .filter(present),
      errors: catalog
        .errorUris()
        .map((uri) => catalog.describeError(uri))
        .filter(present),
    };
  }

  private realmName(name: string | undefined): string {
    const realm =
      name === undefined ? this.router.realms.values().next().value : this.router.realms.get(name);
    if (!realm) throw new Error(`WampCatalog: realm "${name}" is not served by this router.`);
    return realm.name;
  }

  private catalog(name: string | undefined): ApiCatalog {
    return this.router.realms.get(this.realmName(name))!.catalog;
  }
}

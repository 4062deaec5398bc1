import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type {
  MatchPolicyLists,
  RegistrationCatalog,
  RegistrationFacts,
  RegistrationLifecycleListener,
} from '../registration-catalog.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { Registration } from './registration.js';
import type { RegistrationTable } from './registration-table.js';

/** A change the dealer reports, named as the listener's method. */
export type RegistrationChange = keyof RegistrationLifecycleListener;

/**
 * The {@link RegistrationCatalog} of a {@link LocalDealer}: answers from its {@link RegistrationTable} and tells
 * listeners of each change the dealer reports once it completed. Callees are named by session ID; the
 * application's own procedures by the realm's router session ID.
 */
export class DealerRegistrations implements RegistrationCatalog {
  private readonly listeners = new Set<RegistrationLifecycleListener>();

  constructor(
    private readonly table: RegistrationTable,
    /** The session ID the application's procedures are attributed to. */
    private readonly routerSession: number,
    private readonly logger: WampLogger,
  ) {}

  list(include?: (uri: string) => boolean): MatchPolicyLists {
    const lists: MatchPolicyLists = { exact: [], prefix: [], wildcard: [] };
    for (const registration of this.table.values()) {
      if (!include || include(registration.procedure)) lists[registration.match].push(registration.id);
    }
    return lists;
  }

  lookup(uri: string, match: WampMatchPolicy): RegistrationFacts | undefined {
    return this.table.lookup(uri, match)?.facts;
  }

  match(procedure: string): RegistrationFacts | undefined {
    return this.table.best(procedure)?.facts;
  }

  get(id: number): RegistrationFacts | undefined {
    return this.table.get(id)?.facts;
  }

  callees(id: number): number[] | undefined {
    return this.table.get(id)?.callees.map((callee) => {
      if (callee.kind === 'local') return this.routerSession;
      return callee.kind === 'cluster' ? callee.session : callee.session.peer.id;
    });
  }

  calleeCount(id: number): number | undefined {
    return this.table.get(id)?.callees.length;
  }

  observe(listener: RegistrationLifecycleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners of a change; `session` undefined means the application (the router session). */
  report(change: RegistrationChange, registration: Registration, session?: number): void {
    if (this.listeners.size === 0) return;
    const facts = registration.facts;
    for (const listener of this.listeners) {
      try {
        listener[change](session ?? this.routerSession, facts);
      } catch (error) {
        // A listener's failure must not undo or interrupt the change it was told about.
        this.logger.error(
          `Registration listener failed on ${change}`,
          error instanceof Error ? error.stack : String(error),
        );
      }
    }
  }
}

import type { Publication } from './publication.js';

/**
 * Where a realm's broker sends each accepted publication so that it reaches every subscriber of the realm.
 * The broker has already run its checks (reserved URIs, `@EventPattern` interceptors, retention) and hands
 * the bus a plain {@link Publication}; whatever comes back through `connect`'s callback is delivered to this
 * broker's own subscribers (eligibility, disclosure and encoding happen there).
 *
 * The in-memory default, {@link LocalPublicationBus}, hands the publication straight back. A backplane
 * (Redis, NATS) implements this port to carry publications to the other instances of the realm, each of
 * which delivers them to its own subscribers; it should pair with a shared `WampRetentionStore`, as only the
 * publishing instance retains.
 *
 * @example
 * new WampRouter({ ...options, parts: { publicationBus: ({ realm }) => new MyNatsBus(connection, realm) } });
 */
export interface WampPublicationBus {
  /** Connects the broker's local delivery; called once, by the broker, when it is built. */
  connect(deliver: (publication: Publication) => void): void;
  /**
   * Sends a publication to every instance of the realm, this one included. A bus that sends asynchronously
   * returns a promise: `true` once the publication is where every instance will read it (stored by the
   * backplane, after anything this instance sent before), `false` when it could not be sent (the bus reports
   * why). The publisher's PUBLISHED waits for it, so that whatever a client does after PUBLISHED comes after
   * the event everywhere; on `false` it gets ERROR `nestjs_wamp.error.cluster_unavailable` instead.
   */
  publish(publication: Publication): void | Promise<boolean>;
}

/**
 * The publication bus of a router that runs alone: delivers every publication to this instance's
 * subscribers at once, before the publisher's PUBLISHED (the order clients see on a single router).
 */
export class LocalPublicationBus implements WampPublicationBus {
  private deliver?: (publication: Publication) => void;

  connect(deliver: (publication: Publication) => void): void {
    if (this.deliver) throw new Error('LocalPublicationBus: already connected to a broker.');
    this.deliver = deliver;
  }

  publish(publication: Publication): void {
    this.deliver?.(publication);
  }
}

import {
  decodeBackplaneMessage,
  encodeBackplaneMessage,
  publicationBody,
  publicationFromBody,
} from './backplane-codec.js';
import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';
import type { Publication } from '../router/broker/publication.js';
import {
  RetentionStore,
  type RetentionLimits,
  type WampRetentionStore,
} from '../router/broker/retention-store.js';
import type { WampLogger } from '../router/wamp-logger.interface.js';
import type { WampPeer } from '../router/wamp-peer.interface.js';

const RETAINED = 'retained';

/**
 * Retained events of one realm on one instance of a cluster: an in-memory {@link RetentionStore} (so a
 * `get_retained` subscription is answered at once, as the broker's port requires), kept equal on every instance
 * by a log of retentions that every instance appends to and replays (`persist`, then `replicate` with what the
 * log delivers, this instance's own entries included).
 */
export class ReplicatedRetentionStore implements WampRetentionStore {
  private readonly local: RetentionStore;
  /** Publications this instance retained and has not yet seen come back through the log. */
  private readonly ownPending = new Set<number>();

  constructor(
    limits: RetentionLimits,
    private readonly persist: (payload: Uint8Array) => Promise<void>,
    private readonly logger: WampLogger,
  ) {
    this.local = new RetentionStore(limits);
  }

  retain(publication: Publication): void {
    this.local.retain(publication);
    this.ownPending.add(publication.id);
    let payload: Uint8Array;
    try {
      payload = encodeBackplaneMessage(RETAINED, publicationBody(publication));
    } catch (error) {
      this.ownPending.delete(publication.id);
      this.logger.error(`Retained event of "${publication.topic}" cannot be shared`, String(error));
      return;
    }
    this.persist(payload).catch((error: unknown) => {
      this.ownPending.delete(publication.id);
      this.logger.error(`Retained event of "${publication.topic}" was not shared`, String(error));
    });
  }

  eventsFor(pattern: string, match: WampMatchPolicy, subscriber: WampPeer): Publication[] {
    return this.local.eventsFor(pattern, match, subscriber);
  }

  /** Applies a retention from the log (another instance's, or this one's from before a restart). */
  replicate(payload: Uint8Array, _fromThisInstance: boolean): void {
    let publication: Publication;
    try {
      const message = decodeBackplaneMessage(payload);
      if (message.kind !== RETAINED) return;
      publication = publicationFromBody(message.body);
    } catch (error) {
      this.logger.error('A retained event from the backplane was dropped', String(error));
      return;
    }
    // Already applied when this instance retained it.
    if (this.ownPending.delete(publication.id)) return;
    this.local.retain(publication);
  }
}

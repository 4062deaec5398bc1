import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { ClientPublication, PublicationHandler, PublicationVerdict } from './broker-hooks.interface.js';

/**
 * The server-side handlers of client publications (`@EventPattern`), per exact topic, and the order they keep:
 * a publication reaches subscribers only once its handlers accepted it, and one publisher's publications are
 * delivered in publish order even when some of them wait for a handler and others have none.
 */
export class PublicationInterceptors {
  private readonly handlers = new Map<string, PublicationHandler>();
  /** Per publisher, the tail of its queue of publications waiting for a handler. */
  private readonly queues = new Map<WampPeer, Promise<void>>();

  constructor(private readonly logger: WampLogger) {}

  /** Adds a handler for `topic`; several are chained (each must accept). Returns its removal. */
  register(topic: string, handler: PublicationHandler): () => void {
    const previous = this.handlers.get(topic);
    const chained: PublicationHandler = previous
      ? async (publication) => {
          const verdict = await previous(publication);
          return verdict.accept ? handler(publication) : verdict;
        }
      : handler;
    this.handlers.set(topic, chained);
    return () => {
      if (this.handlers.get(topic) === chained) {
        if (previous) this.handlers.set(topic, previous);
        else this.handlers.delete(topic);
      }
    };
  }

  /**
   * Runs `publication` past the handlers of its topic, in its publisher's order, then calls `settle` with the
   * verdict. Synchronously when there is nothing to wait for (no handler, nothing of this publisher's queued),
   * so the common publication costs no promise. A handler that throws is logged and refuses with
   * `wamp.error.runtime_error`; nothing from here reaches the caller as an exception or a rejection.
   */
  intercept(publication: ClientPublication, settle: (verdict: PublicationVerdict) => void): void {
    const { publisher } = publication;
    const handler = this.handlers.get(publication.topic);
    const queued = this.queues.get(publisher);
    if (!handler && !queued) {
      settle(ACCEPT);
      return;
    }
    const run = async (): Promise<void> => {
      if (!publisher.isOpen) return;
      settle(handler ? await this.verdictOf(handler, publication) : ACCEPT);
    };
    const tail = (queued ?? Promise.resolve()).then(run).catch((error: unknown) => {
      // Nothing above this continuation can catch: a failure is logged, and the next publication still runs.
      this.logger.error(
        `Delivering a publication to "${publication.topic}" failed`,
        error instanceof Error ? error.stack : String(error),
      );
    });
    this.queues.set(publisher, tail);
    void tail.finally(() => {
      if (this.queues.get(publisher) === tail) this.queues.delete(publisher);
    });
  }

  /** Forgets a publisher that left (its queued publications are dropped as they come up). */
  detach(publisher: WampPeer): void {
    this.queues.delete(publisher);
  }

  private async verdictOf(
    handler: PublicationHandler,
    publication: ClientPublication,
  ): Promise<PublicationVerdict> {
    try {
      return await handler(publication);
    } catch (error) {
      this.logger.error(
        `Publication handler for "${publication.topic}" failed`,
        error instanceof Error ? error.stack : String(error),
      );
      return { accept: false, uri: WampErrorUri.RUNTIME_ERROR, args: ['Internal error.'] };
    }
  }
}

const ACCEPT: PublicationVerdict = Object.freeze({ accept: true as const });

import type { Publication } from '../router/broker/publication.js';
import type { WampPublicationBus } from '../router/broker/publication-bus.js';
import type { WampLogger } from '../router/wamp-logger.interface.js';
import {
  decodeBackplaneMessage,
  encodeBackplaneMessage,
  publicationBody,
  publicationFromBody,
} from './backplane-codec.js';
import type { WampBackplane } from './wamp-backplane.interface.js';

const PUBLICATION = 'publication';

/** The backplane channel of a realm's publications. */
export function publicationChannel(realm: string): string {
  return `wamp/${realm}/publications`;
}

/**
 * A realm's publication bus over a {@link WampBackplane}: each accepted publication is broadcast to every
 * instance of the realm, this one included, and each delivers it to its own subscribers. One channel per realm
 * keeps one publisher's publications in order (a publisher is connected to one instance). The publisher's
 * PUBLISHED waits until the backplane took the publication, so it can arrive before the EVENTs but never before
 * the publication is on its way to every instance.
 */
export class BackplanePublicationBus implements WampPublicationBus {
  private stop?: () => void;

  constructor(
    private readonly backplane: WampBackplane,
    private readonly realm: string,
    private readonly logger: WampLogger,
  ) {}

  connect(deliver: (publication: Publication) => void): void {
    if (this.stop) throw new Error('BackplanePublicationBus: already connected to a broker.');
    this.stop = this.backplane.subscribe(publicationChannel(this.realm), (payload, from) => {
      let publication: Publication;
      try {
        const message = decodeBackplaneMessage(payload);
        if (message.kind !== PUBLICATION) return;
        publication = publicationFromBody(message.body);
      } catch (error) {
        this.logger.error(
          `Backplane: a publication from instance ${from} was dropped`,
          error instanceof Error ? error.message : String(error),
        );
        return;
      }
      deliver(publication);
    });
  }

  publish(publication: Publication): Promise<boolean> {
    let payload: Uint8Array;
    try {
      payload = encodeBackplaneMessage(PUBLICATION, publicationBody(publication));
    } catch (error) {
      this.logger.error(
        `Backplane: a publication to "${publication.topic}" cannot be encoded and reaches no one`,
        error instanceof Error ? error.message : String(error),
      );
      return Promise.resolve(false);
    }
    return this.backplane.broadcast(publicationChannel(this.realm), payload).then(
      () => true,
      (error: unknown) => {
        this.logger.error(
          `Backplane: a publication to "${publication.topic}" was not sent`,
          error instanceof Error ? error.message : String(error),
        );
        return false;
      },
    );
  }
}

import type { PublishOptions } from '../../protocol/wamp-message.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { Publication } from './publication.js';

/** Whether a subscriber may receive a publication. */
export type EligibilityCheck = (subscriber: WampPeer) => boolean;

/**
 * The subscriber filter of a publication: publisher exclusion (`exclude_me`, on by default) and black/white
 * lists by session ID, authid and authrole, exclusions winning over eligibility. `undefined` when every
 * subscriber is eligible, so the common publication costs no check per subscriber. Built from the
 * publication's data alone, so it gives the same answer wherever and whenever it is evaluated.
 *
 * @example
 * const eligible = eligibilityOf(publication);
 * for (const subscriber of subscribers) if (!eligible || eligible(subscriber)) deliver(subscriber);
 */
export function eligibilityOf(publication: Publication): EligibilityCheck | undefined {
  const { options, publisher } = publication;
  const excludedPublisher =
    publisher !== undefined && options.exclude_me !== false ? publisher.session : undefined;
  const exclude = options.exclude && new Set(options.exclude);
  const eligible = options.eligible && new Set(options.eligible);
  const excludeAuthid = options.exclude_authid && new Set(options.exclude_authid);
  const eligibleAuthid = options.eligible_authid && new Set(options.eligible_authid);
  const excludeAuthrole = options.exclude_authrole && new Set(options.exclude_authrole);
  const eligibleAuthrole = options.eligible_authrole && new Set(options.eligible_authrole);
  if (
    excludedPublisher === undefined &&
    !exclude &&
    !eligible &&
    !excludeAuthid &&
    !eligibleAuthid &&
    !excludeAuthrole &&
    !eligibleAuthrole
  ) {
    return undefined;
  }
  return (subscriber) => {
    if (subscriber.id === excludedPublisher) return false;
    if (exclude?.has(subscriber.id) || (eligible && !eligible.has(subscriber.id))) return false;
    const authid = subscriber.identity?.authid ?? '';
    const authrole = subscriber.identity?.authrole ?? '';
    if (excludeAuthid?.has(authid) || (eligibleAuthid && !eligibleAuthid.has(authid))) return false;
    if (excludeAuthrole?.has(authrole) || (eligibleAuthrole && !eligibleAuthrole.has(authrole))) return false;
    return true;
  };
}

/** Whether a publication names subscribers (black/white lists) beyond the default exclusion of its publisher. */
export function hasSubscriberLists(options: PublishOptions): boolean {
  return (
    options.exclude !== undefined ||
    options.eligible !== undefined ||
    options.exclude_authid !== undefined ||
    options.eligible_authid !== undefined ||
    options.exclude_authrole !== undefined ||
    options.eligible_authrole !== undefined
  );
}

/** EVENT.Details that disclose the publisher (`disclose_me: true`), or `undefined`. */
export function disclosureOf(publication: Publication): Readonly<Record<string, unknown>> | undefined {
  const { publisher, options } = publication;
  if (!publisher || options.disclose_me !== true) return undefined;
  return {
    publisher: publisher.session,
    publisher_authid: publisher.authid,
    publisher_authrole: publisher.authrole,
  };
}

import type { PublishOptions, WampArgs, WampKwargs } from '../../protocol/wamp-message.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';

/**
 * Who published, as plain data: enough to exclude the publisher, disclose it and evaluate black/white lists
 * anywhere — on this instance, later (retained events), or on another instance — without holding its session.
 */
export interface PublisherIdentity {
  readonly session: number;
  readonly authid?: string;
  readonly authrole?: string;
}

/**
 * One publication as the broker handles it: a serializable value (no closures, no sessions), built once per
 * PUBLISH or server-side publish.
 */
export interface Publication {
  readonly topic: string;
  /** Publication ID, as in EVENT.Publication. */
  readonly id: number;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
  /** The PUBLISH options as given: exclusion, black/white lists, disclosure, retention. */
  readonly options: PublishOptions;
  /** The publishing session; absent for publications made by the server. */
  readonly publisher?: PublisherIdentity;
}

/** The identity of a publishing session. */
export function publisherOf(peer: WampPeer): PublisherIdentity {
  return { session: peer.id, authid: peer.identity?.authid, authrole: peer.identity?.authrole };
}

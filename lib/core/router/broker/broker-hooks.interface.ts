import type {
  PublishOptions,
  WampArgs,
  WampKwargs,
  WampMatchPolicy,
} from '../../protocol/wamp-message.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';

/** A refusal with the ERROR to answer (`wamp.error.not_authorized` and the like). */
export interface BrokerRefusal {
  readonly uri: string;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
}

/** What a subscription hook sees when a session subscribes. */
export interface SubscriptionHookContext {
  /** The subscribing session. */
  readonly session: WampPeer;
  /** Topic (or pattern) as subscribed. */
  readonly topic: string;
  readonly match: WampMatchPolicy;
  /** The subscription ID SUBSCRIBED will carry. */
  readonly subscriptionId: number;
  /** Fires at teardown (unsubscribe or session end). */
  readonly signal: AbortSignal;
  /**
   * Sends an EVENT on this subscription to this session only (initial state). Sent before SUBSCRIBED, it is
   * held back and delivered right after it.
   */
  sendEvent(args?: WampArgs, kwargs?: WampKwargs): void;
}

/** What a subscription hook decided: allow (optionally with a teardown to run once) or refuse. */
export type SubscriptionHookResult =
  { readonly allow: true; readonly teardown?: () => void } | ({ readonly allow: false } & BrokerRefusal);

/**
 * Runs when a session subscribes to a topic the hook covers (serverwamp's topic routes): may refuse the
 * subscription, send initial state, and return a teardown that runs exactly once on UNSUBSCRIBE or when the
 * session ends.
 */
export type SubscriptionHook = (context: SubscriptionHookContext) => Promise<SubscriptionHookResult>;

/** A client publication as a server-side handler sees it. */
export interface ClientPublication {
  readonly publisher: WampPeer;
  readonly topic: string;
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
  readonly options: PublishOptions;
  readonly publicationId: number;
}

/** What a publication handler decided: deliver the publication to subscribers, or refuse it. */
export type PublicationVerdict = { readonly accept: true } | ({ readonly accept: false } & BrokerRefusal);

/**
 * Receives client publications on a topic (a Nest `@EventPattern` handler). The publication reaches
 * subscribers once the handler accepted it; a refusal answers ERROR when the publisher asked for an
 * acknowledgement.
 */
export type PublicationHandler = (publication: ClientPublication) => Promise<PublicationVerdict>;

import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { BrokerSubscription } from './subscription-table.js';

/** What one session holds on one subscription: the hook's teardown, run exactly once. */
export interface Membership {
  /** Only for subscriptions admitted by a hook (its context's signal): a plain subscription needs none. */
  readonly controller?: AbortController;
  /** Set once the membership ended (unsubscribed, session gone, refused). */
  ended: boolean;
  teardown?: () => void;
}

/** What a session held when it left: for the broker to tear down and prune. */
export interface DetachedPeer {
  readonly admitting: readonly BrokerSubscription[];
  readonly held: readonly (readonly [BrokerSubscription, Membership])[];
}

/**
 * Which sessions hold which subscriptions, and which are still being admitted (a subscription hook is
 * deciding), with the SUBSCRIBE requests waiting on each admission. Knows nothing of messages: the broker
 * answers, this keeps the books, each lookup a map access.
 */
export class MembershipRegistry {
  private readonly held = new Map<WampPeer, Map<BrokerSubscription, Membership>>();
  private readonly admitting = new Map<WampPeer, Map<BrokerSubscription, number[]>>();
  /** Admissions in progress per subscription: a subscription with one must not be dropped while empty. */
  private readonly admissions = new Map<BrokerSubscription, number>();

  /** The membership of `peer` in `subscription`, if it holds one. */
  membership(peer: WampPeer, subscription: BrokerSubscription): Membership | undefined {
    return this.held.get(peer)?.get(subscription);
  }

  /** Whether `peer` holds any subscription. */
  holdsAny(peer: WampPeer): boolean {
    return this.held.has(peer);
  }

  /** Subscriptions `peer` holds or is being admitted to (what its subscription cap counts). */
  count(peer: WampPeer): number {
    return (this.held.get(peer)?.size ?? 0) + (this.admitting.get(peer)?.size ?? 0);
  }

  /** The SUBSCRIBE requests waiting on `peer`'s admission to `subscription`, if one is in progress. */
  waiting(peer: WampPeer, subscription: BrokerSubscription): number[] | undefined {
    return this.admitting.get(peer)?.get(subscription);
  }

  /** Starts an admission; returns the list of waiting requests (later requests are added to it). */
  startAdmission(peer: WampPeer, subscription: BrokerSubscription, request: number): number[] {
    let admitting = this.admitting.get(peer);
    if (!admitting) this.admitting.set(peer, (admitting = new Map()));
    const requests = [request];
    admitting.set(subscription, requests);
    this.admissions.set(subscription, (this.admissions.get(subscription) ?? 0) + 1);
    return requests;
  }

  /**
   * Ends the admission that `requests` belongs to; returns whether it was still in progress (`false` when the
   * session left meanwhile and {@link MembershipRegistry.detach} already ended it).
   */
  finishAdmission(peer: WampPeer, subscription: BrokerSubscription, requests: number[]): boolean {
    const admitting = this.admitting.get(peer);
    if (admitting?.get(subscription) !== requests) return false;
    admitting.delete(subscription);
    if (admitting.size === 0) this.admitting.delete(peer);
    this.releaseAdmission(subscription);
    return true;
  }

  /** Whether some session is being admitted to `subscription`. */
  isAdmitting(subscription: BrokerSubscription): boolean {
    return this.admissions.has(subscription);
  }

  /** Records that `peer` now holds `subscription`. */
  hold(peer: WampPeer, subscription: BrokerSubscription, membership: Membership): void {
    let held = this.held.get(peer);
    if (!held) this.held.set(peer, (held = new Map()));
    held.set(subscription, membership);
    subscription.subscribers.add(peer);
  }

  /** Ends `peer`'s membership in `subscription` (UNSUBSCRIBE); returns it, to be torn down. */
  release(peer: WampPeer, subscription: BrokerSubscription): Membership | undefined {
    const held = this.held.get(peer);
    const membership = held?.get(subscription);
    if (!held || !membership) return undefined;
    held.delete(subscription);
    if (held.size === 0) this.held.delete(peer);
    subscription.subscribers.delete(peer);
    return membership;
  }

  /** Forgets everything of a session that left; returns what it held and was being admitted to. */
  detach(peer: WampPeer): DetachedPeer {
    const admitting = [...(this.admitting.get(peer)?.keys() ?? [])];
    this.admitting.delete(peer);
    for (const subscription of admitting) this.releaseAdmission(subscription);
    const held = [...(this.held.get(peer) ?? [])];
    this.held.delete(peer);
    for (const [subscription] of held) subscription.subscribers.delete(peer);
    return { admitting, held };
  }

  private releaseAdmission(subscription: BrokerSubscription): void {
    const remaining = (this.admissions.get(subscription) ?? 1) - 1;
    if (remaining === 0) this.admissions.delete(subscription);
    else this.admissions.set(subscription, remaining);
  }
}

/** Runs a membership's teardown exactly once and fires its signal; a teardown that throws is logged. */
export function endMembership(membership: Membership, logger: WampLogger): void {
  if (membership.ended) return;
  membership.ended = true;
  membership.controller?.abort();
  const teardown = membership.teardown;
  membership.teardown = undefined;
  if (!teardown) return;
  try {
    teardown();
  } catch (error) {
    logger.error('Subscription teardown failed', error instanceof Error ? error.stack : String(error));
  }
}

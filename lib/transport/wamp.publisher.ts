import { Injectable } from '@nestjs/common';
import type { PublishOptions, WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';
import type { WampRealm } from '../core/router/wamp-realm.js';
import { WampRouter } from '../core/router/wamp-router.js';
import type { WampClientSession } from '../core/router/wamp-client-session.js';

/** Options of a server-side publication: PUBLISH.Options plus the realm to publish in. */
export interface WampPublishOptions extends Pick<
  PublishOptions,
  | 'retain'
  | 'exclude'
  | 'eligible'
  | 'exclude_authid'
  | 'eligible_authid'
  | 'exclude_authrole'
  | 'eligible_authrole'
> {
  /** Realm to publish in; every realm when omitted. */
  readonly realm?: string;
}

/**
 * Publishes events from the server: to every eligible subscriber of a topic (with the PUBLISH options a
 * client may use: black/white lists, retain), or to one session only (serverwamp's `session.send_event`,
 * e.g. from a background job that outlives the call that started it). Client PUBLISH and server-side
 * publishing share one broker.
 *
 * @example
 * constructor(private readonly publisher: WampPublisher) {}
 * this.publisher.publish('docs.changes', [{ id, action: 'created' }]);
 * this.publisher.sendToSession(ctx.session, 'job_events', [], { job_status: 'STARTED' });
 */
@Injectable()
export class WampPublisher {
  constructor(private readonly router: WampRouter) {}

  /**
   * Whether the router is holding publishers back right now: a subscriber that reads is behind, or the
   * outbound memory budget is exceeded. Clients' connections that publish are not read meanwhile; server
   * code that publishes in bulk should await {@link drained} before its next batch, as a stream writer waits
   * for `'drain'`. A publication made anyway is not refused: it is queued (or dropped for consumers that are
   * slow), under the same caps.
   */
  get needsDrain(): boolean {
    return this.router.outboundFlow.holdsPublishers;
  }

  /**
   * Resolves when publishers are no longer held back (at once when they are not).
   *
   * @example
   * for (const batch of batches) {
   *   await publisher.drained();
   *   for (const change of batch) publisher.publish('docs.changes', [change]);
   * }
   */
  drained(): Promise<void> {
    return this.router.outboundFlow.whenClear();
  }

  /** Publishes `args` / `kwargs` on `topic`; returns the publication IDs (one per realm published in). */
  publish(topic: string, args?: WampArgs, kwargs?: WampKwargs, options: WampPublishOptions = {}): number[] {
    const { realm, ...publishOptions } = options;
    return this.realmsFor(realm).map((target) =>
      target.broker.publishFromServer(topic, args, kwargs, publishOptions),
    );
  }

  /**
   * Sends an EVENT on `topic` to one session, on each of its subscriptions matching the topic. `session` is
   * a session handed out by a context, or a session ID. Returns false when the session is gone or not
   * subscribed.
   *
   * With a backplane, a session ID of another instance works too: the event goes through the backplane as a
   * publication only that session is eligible for (so it reaches nothing else, and no event history keeps it),
   * and `true` then means it was handed over; whether that session is there and subscribed is known only where
   * it is.
   */
  sendToSession(
    session: WampClientSession | number,
    topic: string,
    args?: WampArgs,
    kwargs?: WampKwargs,
  ): boolean {
    const id = typeof session === 'number' ? session : session.id;
    for (const realm of this.router.realms.values()) {
      const target = realm.sessions.get(id);
      if (target) return realm.broker.sendToSession(target, topic, args, kwargs) > 0;
    }
    if (!this.router.options.backplane) return false;
    // Not here: perhaps on another instance. Session IDs are unique in the cluster, and only the realm that has
    // the session can deliver to it.
    for (const realm of this.router.realms.values()) {
      realm.broker.publishFromServer(topic, args, kwargs, { eligible: [id] });
    }
    return true;
  }

  private realmsFor(name: string | undefined): WampRealm[] {
    if (name === undefined) return [...this.router.realms.values()];
    const realm = this.router.realms.get(name);
    if (!realm) throw new Error(`WampPublisher: realm "${name}" is not configured.`);
    return [realm];
  }
}

import { createHash } from 'node:crypto';
import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';

/** 2^53 - 1: the largest WAMP ID. */
const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * The subscription ID every instance of a cluster gives the subscription of `topic` under `match` in `realm`,
 * without asking the others: 53 bits of its SHA-256. Clients connected to different instances then see the same
 * ID for the same subscription, as on one router (and the meta API's IDs agree). Two different subscriptions
 * share an ID with probability about n²/2^54 for n subscriptions (below one in a billion under 100,000); the
 * broker falls back to a random ID if it ever meets one.
 *
 * @example
 * clusterSubscriptionId('realm1', 'com.example.chat', 'exact'); // the same number on every instance
 */
export function clusterSubscriptionId(realm: string, topic: string, match: WampMatchPolicy): number {
  return derivedId(`${realm}\u0000${match}\u0000${topic}`);
}

/**
 * The registration ID every instance of a cluster gives the registration of `procedure` under `match` in
 * `realm`, as {@link clusterSubscriptionId} does for subscriptions (a different input, so the two never agree by
 * construction).
 */
export function clusterRegistrationId(realm: string, procedure: string, match: WampMatchPolicy): number {
  return derivedId(`registration\u0000${realm}\u0000${match}\u0000${procedure}`);
}

function derivedId(input: string): number {
  const digest = createHash('sha256').update(input).digest();
  // 53 bits: the top 21 bits of the first word and all 32 of the second.
  const id = (digest.readUInt32BE(0) & 0x1f_ffff) * 0x1_0000_0000 + digest.readUInt32BE(4);
  return id === 0 ? 1 : Math.min(id, MAX_ID);
}

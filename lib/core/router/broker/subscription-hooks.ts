import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { SubscriptionHook } from './broker-hooks.interface.js';
import { topicMatches } from './topic-pattern.js';

/** A hook with the topic pattern it covers. */
export interface RegisteredHook {
  readonly pattern: string;
  readonly match: WampMatchPolicy;
  readonly hook: SubscriptionHook;
}

/**
 * The subscription hooks of a realm (`@WampSubscription` handlers): at most one per pattern and policy, and
 * for a subscribed topic the most specific one that covers it — exact, then the longest prefix, then wildcard.
 */
export class SubscriptionHookRegistry {
  private readonly hooks: RegisteredHook[] = [];

  /** Number of hooks. */
  get size(): number {
    return this.hooks.length;
  }

  /** Adds a hook; a second one for the same pattern and policy is a startup error. Returns its removal. */
  register(pattern: string, match: WampMatchPolicy, hook: SubscriptionHook): () => void {
    if (this.hooks.some((entry) => entry.pattern === pattern && entry.match === match)) {
      throw new Error(`A subscription hook for "${pattern}" (match ${match}) is already registered.`);
    }
    const entry: RegisteredHook = { pattern, match, hook };
    this.hooks.push(entry);
    return () => {
      const index = this.hooks.indexOf(entry);
      if (index !== -1) this.hooks.splice(index, 1);
    };
  }

  /** The hook for a subscription to `topic`: an exact hook first, else the longest prefix, else a wildcard. */
  find(topic: string): RegisteredHook | undefined {
    let best: RegisteredHook | undefined;
    for (const entry of this.hooks) {
      if (!topicMatches(topic, entry.pattern, entry.match)) continue;
      if (entry.match === 'exact') return entry;
      if (!best || rank(entry) > rank(best)) best = entry;
    }
    return best;
  }
}

/** Hook precedence among patterns: the longest prefix, then wildcard. */
function rank(entry: RegisteredHook): number {
  if (entry.match === 'prefix') return 1_000_000 + entry.pattern.length;
  return entry.pattern.length;
}

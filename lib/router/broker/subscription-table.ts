import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { WampSession } from '../wamp-session.js';

/** One subscription: a topic (or topic pattern) with a match policy, shared by every session subscribed to it. */
export interface BrokerSubscription {
  readonly id: number;
  readonly topic: string;
  readonly match: WampMatchPolicy;
  readonly subscribers: Set<WampSession>;
}

interface WildcardNode {
  readonly children: Map<string, WildcardNode>;
  /** Child for an empty pattern component (matches any one component). */
  any?: WildcardNode;
  subscription?: BrokerSubscription;
}

function newNode(): WildcardNode {
  return { children: new Map() };
}

/**
 * Finds the subscriptions a topic matches without scanning every subscription: exact topics by map
 * lookup; prefixes by one lookup per prefix length in use; wildcard patterns through a trie per component
 * count, following the concrete component and the wildcard branch at each level.
 */
export class SubscriptionTable {
  private readonly exact = new Map<string, BrokerSubscription>();
  private readonly prefix = new Map<string, BrokerSubscription>();
  /** How many prefix subscriptions have each length: only those lengths are looked up. */
  private readonly prefixLengths = new Map<number, number>();
  private readonly wildcard = new Map<number, WildcardNode>();
  private readonly byId = new Map<number, BrokerSubscription>();

  /** Number of subscriptions (not subscribers). */
  get size(): number {
    return this.byId.size;
  }

  /** The subscription with this ID. */
  get(id: number): BrokerSubscription | undefined {
    return this.byId.get(id);
  }

  /** The subscription of exactly this topic and policy, if any. */
  find(topic: string, match: WampMatchPolicy): BrokerSubscription | undefined {
    switch (match) {
      case 'exact':
        return this.exact.get(topic);
      case 'prefix':
        return this.prefix.get(topic);
      case 'wildcard':
        return this.wildcardNode(topic, false)?.subscription;
    }
  }

  /** Adds a new (empty) subscription. */
  add(subscription: BrokerSubscription): void {
    this.byId.set(subscription.id, subscription);
    switch (subscription.match) {
      case 'exact':
        this.exact.set(subscription.topic, subscription);
        return;
      case 'prefix':
        this.prefix.set(subscription.topic, subscription);
        this.prefixLengths.set(
          subscription.topic.length,
          (this.prefixLengths.get(subscription.topic.length) ?? 0) + 1,
        );
        return;
      case 'wildcard':
        (this.wildcardNode(subscription.topic, true) as WildcardNode).subscription = subscription;
    }
  }

  /** Removes a subscription (when its last subscriber left). */
  remove(subscription: BrokerSubscription): void {
    if (this.byId.get(subscription.id) !== subscription) return;
    this.byId.delete(subscription.id);
    switch (subscription.match) {
      case 'exact':
        this.exact.delete(subscription.topic);
        return;
      case 'prefix': {
        this.prefix.delete(subscription.topic);
        const remaining = (this.prefixLengths.get(subscription.topic.length) ?? 1) - 1;
        if (remaining === 0) this.prefixLengths.delete(subscription.topic.length);
        else this.prefixLengths.set(subscription.topic.length, remaining);
        return;
      }
      case 'wildcard':
        this.removeWildcard(subscription.topic);
    }
  }

  /** Every subscription `topic` matches (exact, then prefixes, then wildcards); one entry per subscription. */
  match(topic: string): BrokerSubscription[] {
    const found: BrokerSubscription[] = [];
    const exact = this.exact.get(topic);
    if (exact) found.push(exact);
    for (const length of this.prefixLengths.keys()) {
      if (length > topic.length) continue;
      const subscription = this.prefix.get(length === topic.length ? topic : topic.slice(0, length));
      if (subscription) found.push(subscription);
    }
    if (this.wildcard.size > 0) {
      const components = topic.split('.');
      const root = this.wildcard.get(components.length);
      if (root) collectWildcard(root, components, 0, found);
    }
    return found;
  }

  /** Every subscription, e.g. to list them. */
  values(): IterableIterator<BrokerSubscription> {
    return this.byId.values();
  }

  private wildcardNode(pattern: string, create: boolean): WildcardNode | undefined {
    const components = pattern.split('.');
    let node: WildcardNode | undefined = this.wildcard.get(components.length);
    if (!node) {
      if (!create) return undefined;
      node = newNode();
      this.wildcard.set(components.length, node);
    }
    for (const component of components) {
      let next: WildcardNode | undefined = component === '' ? node.any : node.children.get(component);
      if (!next) {
        if (!create) return undefined;
        next = newNode();
        if (component === '') node.any = next;
        else node.children.set(component, next);
      }
      node = next;
    }
    return node;
  }

  private removeWildcard(pattern: string): void {
    const components = pattern.split('.');
    const root = this.wildcard.get(components.length);
    if (!root) return;
    // Walk down remembering the path, then prune nodes that no longer lead anywhere.
    const path: [WildcardNode, string][] = [];
    let node: WildcardNode | undefined = root;
    for (const component of components) {
      if (!node) return;
      path.push([node, component]);
      node = component === '' ? node.any : node.children.get(component);
    }
    if (!node) return;
    node.subscription = undefined;
    for (let index = path.length - 1; index >= 0; index--) {
      const [parent, component] = path[index];
      const child = component === '' ? parent.any : parent.children.get(component);
      if (!child || child.subscription || child.any || child.children.size > 0) break;
      if (component === '') parent.any = undefined;
      else parent.children.delete(component);
    }
    if (!root.any && root.children.size === 0 && !root.subscription) this.wildcard.delete(components.length);
  }
}

function collectWildcard(
  node: WildcardNode,
  components: string[],
  index: number,
  found: BrokerSubscription[],
): void {
  if (index === components.length) {
    if (node.subscription) found.push(node.subscription);
    return;
  }
  const child = node.children.get(components[index]);
  if (child) collectWildcard(child, components, index + 1, found);
  if (node.any) collectWildcard(node.any, components, index + 1, found);
}

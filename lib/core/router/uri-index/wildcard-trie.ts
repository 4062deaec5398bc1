/**
 * A node per pattern component: concrete components by name, the empty one (any component) apart. A class
 * with every field set in the constructor, so all nodes share one shape (a long pattern builds thousands).
 */
class WildcardNode<T> {
  /** Created on first use: most nodes of a long pattern have one child or none. */
  children: Map<string, WildcardNode<T>> | undefined = undefined;
  /** The child for an empty pattern component, which matches any one component. */
  any: WildcardNode<T> | undefined = undefined;
  value: T | undefined = undefined;
}

/**
 * Walk state shared by every {@link WildcardTrie.collect} call (module state, as the walk is synchronous):
 * no allocation per match once the arrays have grown.
 */
const pendingNodes: (WildcardNode<unknown> | undefined)[] = [];
const pendingDepths: number[] = [];
/** Above this many slots the arrays are dropped after a walk rather than kept for the next. */
const KEEP_SLOTS = 1024;

/**
 * Values stored under wildcard patterns (WAMP's `match: "wildcard"`: an empty component matches any one
 * component, and a pattern matches only URIs with as many components), found for a URI by walking a trie of
 * components: one trie per component count, following at each level both the URI's component and the
 * wildcard branch.
 *
 * The walk is iterative (an explicit stack), so a pattern of any length cannot overflow the call stack, and
 * visits only nodes whose path matches the URI so far. That is at most `components x (patterns sharing the
 * component count)` nodes, and at most `2^level` at each level: short URIs stay cheap whatever the patterns,
 * and long ones are bounded by the `maxUriComponents` limit at the edge.
 *
 * @example
 * const trie = new WildcardTrie<string>();
 * trie.set('com..update', 'any app');
 * trie.collect('com.app.update', found); // found: ['any app']
 */
export class WildcardTrie<T> {
  private readonly roots = new Map<number, WildcardNode<T>>();
  private count = 0;
  private nodes = 0;

  /** Number of stored patterns. */
  get size(): number {
    return this.count;
  }

  /** Number of trie nodes, roots included (one per distinct pattern prefix). */
  get nodeCount(): number {
    return this.nodes;
  }

  /** The value stored under exactly `pattern`. */
  get(pattern: string): T | undefined {
    const components = pattern.split('.');
    let node = this.roots.get(components.length);
    for (let index = 0; node && index < components.length; index++) node = step(node, components[index]);
    return node?.value;
  }

  /** Stores `value` under `pattern` (replacing what was there). */
  set(pattern: string, value: T): void {
    const components = pattern.split('.');
    let node: WildcardNode<T> | undefined = this.roots.get(components.length);
    if (!node) {
      node = new WildcardNode<T>();
      this.roots.set(components.length, node);
      this.nodes++;
    }
    for (const component of components) {
      let next: WildcardNode<T> | undefined = step(node, component);
      if (!next) {
        next = new WildcardNode<T>();
        this.nodes++;
        if (component === '') node.any = next;
        else (node.children ??= new Map()).set(component, next);
      }
      node = next;
    }
    if (node.value === undefined) this.count++;
    node.value = value;
  }

  /** Removes what is stored under `pattern`; returns whether something was. Prunes nodes left empty. */
  delete(pattern: string): boolean {
    const components = pattern.split('.');
    const root = this.roots.get(components.length);
    if (!root) return false;
    const path: WildcardNode<T>[] = [root];
    let node: WildcardNode<T> | undefined = root;
    for (let index = 0; node && index < components.length; index++) {
      node = step(node, components[index]);
      if (node) path.push(node);
    }
    if (!node || node.value === undefined) return false;
    node.value = undefined;
    this.count--;
    for (let index = path.length - 1; index > 0; index--) {
      const child = path[index];
      if (child.value !== undefined || child.any || (child.children && child.children.size > 0)) break;
      const parent = path[index - 1];
      const component = components[index - 1];
      if (component === '') parent.any = undefined;
      else {
        parent.children?.delete(component);
        if (parent.children?.size === 0) parent.children = undefined;
      }
      this.nodes--;
    }
    if (!root.any && !root.children && root.value === undefined) {
      this.roots.delete(components.length);
      this.nodes--;
    }
    return true;
  }

  /**
   * Appends the value of every pattern `uri` matches to `found` (concrete components before wildcards at
   * each level). Returns the number of nodes visited.
   */
  collect(uri: string, found: T[]): number {
    return this.walk(uri, found, false);
  }

  /**
   * The value of the pattern `uri` matches best by WAMP's rule for registrations: the longest run of concrete
   * components before the first wildcard, then before the second, and so on. The walk takes concrete
   * components before wildcards at each level, so the first complete match is that one, and it stops there.
   */
  best(uri: string): T | undefined {
    const found: T[] = [];
    this.walk(uri, found, true);
    return found[0];
  }

  private walk(uri: string, found: T[], firstOnly: boolean): number {
    if (this.roots.size === 0) return 0;
    const components = uri.split('.');
    const root = this.roots.get(components.length);
    if (!root) return 0;
    const last = components.length;
    let size = 0;
    let highWater = 0;
    let visited = 0;
    pendingNodes[size] = root;
    pendingDepths[size++] = 0;
    while (size > 0) {
      const node = pendingNodes[--size] as WildcardNode<T>;
      const depth = pendingDepths[size];
      visited++;
      if (depth === last) {
        if (node.value !== undefined) {
          found.push(node.value);
          if (firstOnly) break;
        }
        continue;
      }
      // Pushed in reverse: the concrete child is walked first.
      if (node.any) {
        pendingNodes[size] = node.any;
        pendingDepths[size++] = depth + 1;
      }
      const child = node.children?.get(components[depth]);
      if (child) {
        pendingNodes[size] = child;
        pendingDepths[size++] = depth + 1;
      }
      if (size > highWater) highWater = size;
    }
    // Drop references so the stack does not keep removed nodes alive.
    if (highWater > KEEP_SLOTS) {
      pendingNodes.length = 0;
      pendingDepths.length = 0;
    } else {
      for (let index = 0; index < highWater; index++) pendingNodes[index] = undefined;
    }
    return visited;
  }

  /** Every stored value. */
  *values(): IterableIterator<T> {
    const pending: WildcardNode<T>[] = [...this.roots.values()];
    while (pending.length > 0) {
      const node = pending.pop() as WildcardNode<T>;
      if (node.value !== undefined) yield node.value;
      if (node.any) pending.push(node.any);
      if (node.children) for (const child of node.children.values()) pending.push(child);
    }
  }
}

function step<T>(node: WildcardNode<T>, component: string): WildcardNode<T> | undefined {
  return component === '' ? node.any : node.children?.get(component);
}

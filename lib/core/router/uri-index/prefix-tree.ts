/**
 * A node of the radix tree: the characters it adds to its parent's path, its children by the first character
 * of their label, and the value stored at its path when one is.
 */
interface PrefixNode<T> {
  label: string;
  children?: Map<number, PrefixNode<T>>;
  value?: T;
}

/**
 * Values stored under string prefixes, found for a given string in time proportional to that string's length
 * plus the number of values found, whatever the number or shape of the stored prefixes.
 *
 * A radix tree (a character trie whose chains without branches are merged into one node): at most two nodes
 * per stored prefix, so its memory follows the prefixes' count rather than their total length. Matching walks
 * down once, comparing each node's label with the next characters of the string; every step consumes at least
 * one character. This replaced one slice and hash lookup per distinct prefix length in use, which made a
 * publish to a 2,000-character topic cost 1,000 hashes of long strings when one session held prefixes of
 * 1,000 different lengths.
 *
 * Prefixes are plain string prefixes (WAMP's prefix matching: `com.a` matches `com.ab`); the empty prefix
 * matches everything.
 *
 * @example
 * const tree = new PrefixTree<string>();
 * tree.set('com.app.', 'below app');
 * tree.set('com.', 'everything com');
 * tree.collect('com.app.chat', found); // found: ['everything com', 'below app']
 */
export class PrefixTree<T> {
  private readonly root: PrefixNode<T> = { label: '' };
  private count = 0;
  private nodes = 1;

  /** Number of stored prefixes. */
  get size(): number {
    return this.count;
  }

  /** Number of tree nodes (the root included): at most twice the stored prefixes plus one. */
  get nodeCount(): number {
    return this.nodes;
  }

  /** The value stored under exactly `prefix`. */
  get(prefix: string): T | undefined {
    let node = this.root;
    let position = 0;
    while (position < prefix.length) {
      const child = node.children?.get(prefix.charCodeAt(position));
      if (!child || !prefix.startsWith(child.label, position)) return undefined;
      position += child.label.length;
      node = child;
    }
    return node.value;
  }

  /** Stores `value` under `prefix` (replacing what was there). */
  set(prefix: string, value: T): void {
    let node = this.root;
    let position = 0;
    while (position < prefix.length) {
      const first = prefix.charCodeAt(position);
      const child = node.children?.get(first);
      if (!child) {
        (node.children ??= new Map()).set(first, { label: prefix.slice(position), value });
        this.nodes++;
        this.count++;
        return;
      }
      const common = commonLength(child.label, prefix, position);
      if (common < child.label.length) {
        // Split the child's label: a new node holds the shared part, the child keeps the rest.
        const middle: PrefixNode<T> = {
          label: child.label.slice(0, common),
          children: new Map([[child.label.charCodeAt(common), child]]),
        };
        child.label = child.label.slice(common);
        (node.children as Map<number, PrefixNode<T>>).set(first, middle);
        this.nodes++;
        node = middle;
      } else {
        node = child;
      }
      position += common;
    }
    if (node.value === undefined) this.count++;
    node.value = value;
  }

  /** Removes what is stored under `prefix`; returns whether something was. Prunes and re-merges nodes. */
  delete(prefix: string): boolean {
    const path: PrefixNode<T>[] = [this.root];
    let node = this.root;
    let position = 0;
    while (position < prefix.length) {
      const child = node.children?.get(prefix.charCodeAt(position));
      if (!child || !prefix.startsWith(child.label, position)) return false;
      position += child.label.length;
      node = child;
      path.push(node);
    }
    if (node.value === undefined) return false;
    node.value = undefined;
    this.count--;
    // Restore the radix invariant bottom-up: no valueless leaf, no valueless node with a single child.
    for (let index = path.length - 1; index > 0; index--) {
      const current = path[index];
      const parent = path[index - 1];
      if (current.value !== undefined) break;
      const children = current.children;
      if (!children || children.size === 0) {
        (parent.children as Map<number, PrefixNode<T>>).delete(current.label.charCodeAt(0));
        if (parent.children?.size === 0) parent.children = undefined;
        this.nodes--;
        continue;
      }
      if (children.size === 1) {
        const [only] = children.values();
        only.label = current.label + only.label;
        (parent.children as Map<number, PrefixNode<T>>).set(current.label.charCodeAt(0), only);
        this.nodes--;
      }
      break;
    }
    return true;
  }

  /**
   * Appends the value of every stored prefix of `text` to `found`, shortest first. Returns the number of
   * nodes visited (at most `text.length + 1`).
   */
  collect(text: string, found: T[]): number {
    let node = this.root;
    let position = 0;
    let visited = 1;
    while (true) {
      if (node.value !== undefined) found.push(node.value);
      if (position >= text.length) return visited;
      const child = node.children?.get(text.charCodeAt(position));
      if (!child || !text.startsWith(child.label, position)) return visited;
      position += child.label.length;
      node = child;
      visited++;
    }
  }

  /**
   * The value of the longest stored prefix of `text` (WAMP's "longest prefix match wins" for registrations), in
   * the same single walk as {@link PrefixTree.collect}.
   */
  longest(text: string): T | undefined {
    let node = this.root;
    let position = 0;
    let best = node.value;
    while (position < text.length) {
      const child = node.children?.get(text.charCodeAt(position));
      if (!child || !text.startsWith(child.label, position)) break;
      position += child.label.length;
      node = child;
      if (node.value !== undefined) best = node.value;
    }
    return best;
  }

  /** Every stored value. */
  *values(): IterableIterator<T> {
    const pending: PrefixNode<T>[] = [this.root];
    while (pending.length > 0) {
      const node = pending.pop() as PrefixNode<T>;
      if (node.value !== undefined) yield node.value;
      if (node.children) for (const child of node.children.values()) pending.push(child);
    }
  }
}

/** Length of the common start of `label` and `text` from `offset`. */
function commonLength(label: string, text: string, offset: number): number {
  const limit = Math.min(label.length, text.length - offset);
  let index = 0;
  while (index < limit && label.charCodeAt(index) === text.charCodeAt(offset + index)) index++;
  return index;
}

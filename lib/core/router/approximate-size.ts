/**
 * Roughly how many bytes a value holds (strings as UTF-16, binary as is, 8 per number, 16 per container entry),
 * to count stored events (retained, testaments, history) against their budgets: exactness does not matter.
 * Iterative, and each object counted once, so a value from application code that is very deep, shared or cyclic
 * cannot overflow the stack or loop; the cost is in proportion to the value's size.
 */
export function approximateSize(value: unknown): number {
  let total = 0;
  const pending: unknown[] = [value];
  const seen = new WeakSet<object>();
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || item === undefined) continue;
    if (typeof item === 'string') total += 2 * item.length;
    else if (typeof item !== 'object') total += 8;
    else if (seen.has(item)) continue;
    else if (item instanceof Uint8Array) total += item.byteLength;
    else {
      seen.add(item);
      total += 16;
      if (Array.isArray(item)) {
        for (const element of item) {
          total += 8;
          pending.push(element);
        }
      } else {
        for (const key of Object.keys(item)) {
          total += 16 + 2 * key.length;
          pending.push((item as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return total;
}

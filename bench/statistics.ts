/**
 * Pure number helpers shared by the benchmark orchestrators and their child processes. Kept apart from
 * bench/processes.ts, which has top-level side effects (a `taskset` probe, exit and signal handlers) that a
 * server or load generator must not run.
 */

/** The median of the finite values (NaN when there are none): the figure reported over rounds. */
export function median(values: number[]): number {
  const sorted = [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at `fraction` (0..1) of an ascending sorted list (NaN when empty): latency p50 / p99. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** A number for a table cell: fixed digits, or an en dash when not finite (a figure that could not be taken). */
export const format = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

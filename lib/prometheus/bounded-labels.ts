/** The label value every value past the bound is counted under. */
export const OTHER_LABEL = '(other)';

/**
 * Label values of one kind, bounded: the first `limit` distinct values are kept as they are, every later one is
 * counted as {@link OTHER_LABEL}. Prometheus keeps a time series per label set for as long as the process lives,
 * so a label fed by what clients choose (procedures they register, error URIs their callees answer) must be
 * bounded, or a client could grow the router's memory and every scrape without limit.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}

/** Longest client-supplied URI quoted back in a router message. */
const MAX_QUOTED_LENGTH = 120;

/**
 * Quotes a client-supplied URI for an ERROR or ABORT message, cut to 120 characters: a 100 KB realm or
 * procedure name must not come back in full in every answer.
 *
 * @example
 * `No procedure is registered under ${quoteUri(procedure)}.`
 */
export function quoteUri(uri: string): string {
  return uri.length <= MAX_QUOTED_LENGTH
    ? `"${uri}"`
    : `"${uri.slice(0, MAX_QUOTED_LENGTH)}…" (${uri.length} characters)`;
}

import { WampErrorUri } from '../protocol/wamp-uris.js';
import type { WampArgs, WampKwargs } from '../protocol/wamp-message.interface.js';
import type { WampContractIssue } from './wamp-contract.interface.js';

/** At most this many issues go back to the caller: enough to fix a call, bounded however bad the input. */
export const MAX_REPORTED_ISSUES = 20;
/** A validator's message is cut here: some quote the caller's input, whose size the caller chooses. */
const MAX_MESSAGE_LENGTH = 300;

/** The ERROR a call or publication that breaks its contract gets. */
export interface ContractViolation {
  readonly uri: string;
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
}

/**
 * ERROR `wamp.error.invalid_argument` for `issues`: args `["kwargs.title: <message>; args[0]: <message>"]`,
 * kwargs `{ issues: [{ path: ['kwargs', 'title'], message }] }` (at most {@link MAX_REPORTED_ISSUES}, and
 * `truncated: true` when there were more).
 */
export function contractViolation(issues: readonly WampContractIssue[]): ContractViolation {
  const reported = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
    path: issue.path,
    message:
      issue.message.length > MAX_MESSAGE_LENGTH
        ? `${issue.message.slice(0, MAX_MESSAGE_LENGTH)}...`
        : issue.message,
  }));
  const summary = reported.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
  return {
    uri: WampErrorUri.INVALID_ARGUMENT,
    args: [summary],
    kwargs:
      issues.length > MAX_REPORTED_ISSUES ? { issues: reported, truncated: true } : { issues: reported },
  };
}

/** `['kwargs', 'items', 2, 'name']` as `kwargs.items[2].name`. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text === '' ? 'arguments' : text;
}

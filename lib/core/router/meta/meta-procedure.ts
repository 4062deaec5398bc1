import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampArgs, WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type { WampDealer } from '../wamp-dealer.interface.js';

/** A meta procedure was called with arguments of the wrong shape (ERROR `wamp.error.invalid_argument`). */
export class MetaArgumentError extends Error {}

/** A URI argument that is not a valid URI (ERROR `wamp.error.invalid_uri`, as the spec says). */
export class MetaUriError extends MetaArgumentError {}

/** A meta procedure: answers through the call, may throw {@link MetaArgumentError}, may finish later. */
export type MetaProcedure = (call: WampCall) => void | Promise<void>;

/**
 * Registers meta procedures in a realm's dealer as ordinary procedures of the router; a wrong argument becomes
 * ERROR `invalid_argument` (or `invalid_uri`), anything else ERROR `runtime_error` (logged by the caller of
 * `report`). Returns a function that removes them all.
 */
export function registerMetaProcedures(
  dealer: WampDealer,
  procedures: Readonly<Record<string, MetaProcedure>>,
  report: (procedure: string, error: unknown) => void,
): () => void {
  const removers = Object.entries(procedures).map(([uri, procedure]) =>
    dealer.registerProcedure(uri, (call) => {
      const fail = (error: unknown): void => {
        if (error instanceof MetaUriError) call.error(WampErrorUri.INVALID_URI, [error.message]);
        else if (error instanceof MetaArgumentError)
          call.error(WampErrorUri.INVALID_ARGUMENT, [error.message]);
        else {
          report(uri, error);
          call.error(WampErrorUri.RUNTIME_ERROR, ['Internal error.']);
        }
      };
      try {
        const done = procedure(call);
        if (done) done.catch(fail);
      } catch (error) {
        fail(error);
      }
    }),
  );
  return () => removers.forEach((remove) => remove());
}

/** The integer ID at `args[index]` (a session, registration or subscription ID), named `name` in errors. */
export function idArgument(args: WampArgs, index: number, name: string): number {
  const id = args[index];
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new MetaArgumentError(`${name} must be an ID.`);
  return id;
}

/** The URI string at `args[index]`, named `name` in errors. */
export function uriArgument(args: WampArgs, index: number, name: string): string {
  const uri = args[index];
  if (typeof uri !== 'string') throw new MetaArgumentError(`${name} must be a URI string.`);
  return uri;
}

/** The optional dict at `args[index]`. */
export function dictArgument(args: WampArgs, index: number, name: string): Record<string, unknown> {
  const value = args[index];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new MetaArgumentError(`${name} must be a dict.`);
  }
  return value as Record<string, unknown>;
}

/** `options.match` of a lookup: `exact` when absent. */
export function matchOption(options: Record<string, unknown>): WampMatchPolicy {
  const match = options.match ?? 'exact';
  if (match !== 'exact' && match !== 'prefix' && match !== 'wildcard') {
    throw new MetaArgumentError('options.match must be "exact", "prefix" or "wildcard".');
  }
  return match;
}

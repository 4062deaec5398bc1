import { Unpackr } from 'msgpackr';
import type { PublishOptions, WampArgs, WampKwargs } from '../protocol/wamp-message.interface.js';
import type { Publication, PublisherIdentity } from '../router/broker/publication.js';
import { checkMsgpackStructure } from '../serializers/msgpack-structure.guard.js';
import { MsgpackValueEncoder } from '../serializers/msgpack-value.encoder.js';

/**
 * Version of the messages instances exchange. A message of another version is refused with an error naming
 * both, never half-understood: instances of different releases must not share a backplane silently
 * (Socket.IO's adapters timed out in that case instead of saying so).
 */
export const BACKPLANE_PROTOCOL_VERSION = 1;

/** A message from another instance that this one cannot read (another version, or damaged). */
export class BackplaneMessageError extends Error {}

const encoder = new MsgpackValueEncoder();
// The same settings as the WAMP msgpack serializer: integers exact (bigints beyond 2^53), binary as bytes.
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'auto' as 'number',
  structuredClone: false,
});

/** Encodes `[version, kind, body]` as MessagePack, keeping integers and binary exact. */
export function encodeBackplaneMessage(kind: string, body: unknown): Uint8Array {
  return encoder.encode([BACKPLANE_PROTOCOL_VERSION, kind, body]);
}

/** Decodes what {@link encodeBackplaneMessage} wrote; throws {@link BackplaneMessageError} for anything else. */
export function decodeBackplaneMessage(bytes: Uint8Array): { kind: string; body: unknown } {
  let decoded: unknown;
  try {
    // Throws on what is not plain MessagePack (extensions, lying lengths, depth) before msgpackr runs.
    checkMsgpackStructure(bytes);
    decoded = unpackr.unpack(bytes);
  } catch (error) {
    throw new BackplaneMessageError(
      `Unreadable backplane message: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || typeof decoded[1] !== 'string') {
    throw new BackplaneMessageError('Unreadable backplane message: not [version, kind, body].');
  }
  if (decoded[0] !== BACKPLANE_PROTOCOL_VERSION) {
    throw new BackplaneMessageError(
      `Backplane message of protocol version ${String(decoded[0])}; this instance speaks ` +
        `${BACKPLANE_PROTOCOL_VERSION}: instances of different versions share the backplane.`,
    );
  }
  return { kind: decoded[1], body: decoded[2] };
}

/** A publication as one array, without `undefined` (which MessagePack has no place for). */
export function publicationBody(publication: Publication): unknown[] {
  const { topic, id, args, kwargs, options, publisher } = publication;
  return [
    topic,
    id,
    args ?? null,
    kwargs ?? null,
    options,
    publisher ? [publisher.session, publisher.authid ?? null, publisher.authrole ?? null] : null,
  ];
}

/** The publication in `body`, checked field by field. */
export function publicationFromBody(body: unknown): Publication {
  if (!Array.isArray(body) || body.length !== 6) throw new BackplaneMessageError('Malformed publication.');
  const [topic, id, args, kwargs, options, publisher] = body as unknown[];
  if (
    typeof topic !== 'string' ||
    typeof id !== 'number' ||
    !(args === null || Array.isArray(args)) ||
    !(kwargs === null || isDict(kwargs)) ||
    !isDict(options) ||
    !(publisher === null || (Array.isArray(publisher) && typeof publisher[0] === 'number'))
  ) {
    throw new BackplaneMessageError('Malformed publication.');
  }
  return {
    topic,
    id,
    args: (args ?? undefined) as WampArgs | undefined,
    kwargs: (kwargs ?? undefined) as WampKwargs | undefined,
    options: options as PublishOptions,
    publisher: publisher ? identityOf(publisher as unknown[]) : undefined,
  };
}

function identityOf([session, authid, authrole]: unknown[]): PublisherIdentity {
  return {
    session: session as number,
    authid: typeof authid === 'string' ? authid : undefined,
    authrole: typeof authrole === 'string' ? authrole : undefined,
  };
}

function isDict(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

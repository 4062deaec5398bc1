import { WampMessageType } from './message-type.enum.js';
import type {
  CallOptions,
  CancelOptions,
  HelloDetails,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WampArgs,
  WampDict,
  WampKwargs,
  WampMatchPolicy,
  WampMessage,
  YieldOptions,
} from './wamp-message.interface.js';
import { toWampId } from './wamp-id.js';
import { WampProtocolError } from './wamp-protocol.error.js';
import { isValidUri, isValidUriForMatch, uriLimitProblem, type UriLimits } from './wamp-uri.js';
import { WampErrorUri } from './wamp-uris.js';

/** How strictly {@link decodeMessage} judges what a peer sent. */
export interface MessageDecoderOptions extends UriLimits {
  /**
   * Strict URI rules (`[0-9a-z_]` components) for the topics and procedures of PUBLISH, SUBSCRIBE,
   * CALL and REGISTER when true; loose rules (no empty component, no `.`, `#` or whitespace) when false.
   * Realms and error/close reasons are always checked with the loose rules (see {@link decodeMessage}).
   */
  readonly strictUris: boolean;
  /**
   * Deepest nesting of lists/dicts accepted, counting the message array itself as level 1 (so the
   * Arguments list is level 2). Bounds the recursion of whatever walks the payload later
   * (re-serialization for another serializer, application code).
   */
  readonly maxDepth: number;
}

/**
 * Decoder settings used when none are given: strict URIs (the spec's SHOULD), 32 levels of nesting, URIs
 * of at most 1,024 characters and 64 components.
 */
export const DEFAULT_DECODER_OPTIONS: MessageDecoderOptions = Object.freeze({
  strictUris: true,
  maxDepth: 32,
  maxUriLength: 1024,
  maxUriComponents: 64,
});

/** Request types an ERROR may answer (spec: SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL, INVOCATION). */
const ERROR_REQUEST_TYPES: ReadonlySet<WampMessageType> = new Set([
  WampMessageType.PUBLISH,
  WampMessageType.SUBSCRIBE,
  WampMessageType.UNSUBSCRIBE,
  WampMessageType.CALL,
  WampMessageType.REGISTER,
  WampMessageType.UNREGISTER,
  WampMessageType.INVOCATION,
]);

const { hasOwn, getPrototypeOf } = Object;
const OBJECT_PROTOTYPE = Object.prototype;

// ---------------------------------------------------------------------------------------------------
// Message shapes: element counts per type, indexed by type code so the lookup is one array read.

interface MessageShape {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

const SHAPES: (MessageShape | undefined)[] = new Array<MessageShape | undefined>(71).fill(undefined);

function defineShape(type: WampMessageType, min: number, max: number): void {
  SHAPES[type] = { name: WampMessageType[type], min, max };
}

defineShape(WampMessageType.HELLO, 3, 3);
defineShape(WampMessageType.WELCOME, 3, 3);
defineShape(WampMessageType.ABORT, 3, 5);
defineShape(WampMessageType.CHALLENGE, 3, 3);
defineShape(WampMessageType.AUTHENTICATE, 3, 3);
defineShape(WampMessageType.GOODBYE, 3, 3);
defineShape(WampMessageType.ERROR, 5, 7);
defineShape(WampMessageType.PUBLISH, 4, 6);
defineShape(WampMessageType.PUBLISHED, 3, 3);
defineShape(WampMessageType.SUBSCRIBE, 4, 4);
defineShape(WampMessageType.SUBSCRIBED, 3, 3);
// Autobahn (router-to-router links) may append an Options dict to UNSUBSCRIBE/UNREGISTER: accepted, not kept.
defineShape(WampMessageType.UNSUBSCRIBE, 3, 4);
// Subscription/registration revocation appends Details (with Request 0).
defineShape(WampMessageType.UNSUBSCRIBED, 2, 3);
defineShape(WampMessageType.EVENT, 4, 6);
defineShape(WampMessageType.CALL, 4, 6);
defineShape(WampMessageType.CANCEL, 3, 3);
defineShape(WampMessageType.RESULT, 3, 5);
defineShape(WampMessageType.REGISTER, 4, 4);
defineShape(WampMessageType.REGISTERED, 3, 3);
defineShape(WampMessageType.UNREGISTER, 3, 4);
defineShape(WampMessageType.UNREGISTERED, 2, 3);
defineShape(WampMessageType.INVOCATION, 4, 6);
defineShape(WampMessageType.INTERRUPT, 3, 3);
defineShape(WampMessageType.YIELD, 3, 5);

// ---------------------------------------------------------------------------------------------------
// Known option/detail keys. A known key of the wrong type is a protocol violation; unknown keys stay
// in the dict uninterpreted. Tables are null-prototype objects so that keys such as `__proto__`,
// `constructor` or `toString` find no rule.

const BOOL = 0;
const STRING = 1;
const ID = 2;
const NON_NEGATIVE_INTEGER = 3;
const DICT = 4;
const STRING_LIST = 5;
const ID_LIST = 6;
const ENUM = 7;
const FORWARD_FOR = 8;
const ROLES = 9;
const PAYLOAD_PASSTHRU = 10;

type KeyKind =
  | typeof BOOL
  | typeof STRING
  | typeof ID
  | typeof NON_NEGATIVE_INTEGER
  | typeof DICT
  | typeof STRING_LIST
  | typeof ID_LIST
  | typeof ENUM
  | typeof FORWARD_FOR
  | typeof ROLES
  | typeof PAYLOAD_PASSTHRU;

interface KeyRule {
  readonly kind: KeyKind;
  /** Full path for messages, e.g. `CALL.Options.timeout`. */
  readonly path: string;
  /** What the value must be, for messages, e.g. `a boolean`. */
  readonly expected: string;
  /** Allowed values of an ENUM. */
  readonly values: readonly string[];
}

type KeyTable = Readonly<Record<string, KeyRule | undefined>>;

const EXPECTED: Record<KeyKind, string> = {
  [BOOL]: 'a boolean',
  [STRING]: 'a string',
  [ID]: 'an ID in [1, 2^53]',
  [NON_NEGATIVE_INTEGER]: 'a non-negative integer',
  [DICT]: 'a dict',
  [STRING_LIST]: 'a list of strings',
  [ID_LIST]: 'a list of IDs',
  [ENUM]: '',
  [FORWARD_FOR]: 'a list of dicts with session (ID), authid and authrole (strings)',
  [ROLES]: 'a non-empty dict of role dicts',
  [PAYLOAD_PASSTHRU]: '',
};

type RuleSpec = KeyKind | readonly string[];

function keyTable(prefix: string, specs: Record<string, RuleSpec>): KeyTable {
  const table = Object.create(null) as Record<string, KeyRule>;
  for (const key of Object.keys(specs)) {
    const spec = specs[key];
    const path = `${prefix}.${key}`;
    if (typeof spec === 'number') {
      table[key] = { kind: spec, path, expected: EXPECTED[spec], values: [] };
    } else {
      const expected = `one of ${spec.map((value) => JSON.stringify(value)).join(', ')}`;
      table[key] = { kind: ENUM, path, expected, values: spec };
    }
  }
  return Object.freeze(table);
}

const MATCH_POLICIES: readonly WampMatchPolicy[] = ['exact', 'prefix', 'wildcard'];

// Payload passthru mode (`payload_passthru_mode`: the spec's `ppt_scheme`, Autobahn's `enc_algo`)
// replaces Arguments by opaque bytes. The typed messages have no place for such a payload, so the router
// does not announce the feature, and the spec makes using it towards such a router a protocol violation.
const PPT_KEYS: Record<string, RuleSpec> = { enc_algo: PAYLOAD_PASSTHRU, ppt_scheme: PAYLOAD_PASSTHRU };

const HELLO_DETAILS = keyTable('HELLO.Details', {
  roles: ROLES,
  agent: STRING,
  authid: STRING,
  authrole: STRING,
  authmethods: STRING_LIST,
  authextra: DICT,
});
const WELCOME_DETAILS = keyTable('WELCOME.Details', {
  roles: ROLES,
  agent: STRING,
  authid: STRING,
  authrole: STRING,
  authmethod: STRING,
  authprovider: STRING,
  authextra: DICT,
});
const ERROR_DETAILS = keyTable('ERROR.Details', { forward_for: FORWARD_FOR, ...PPT_KEYS });
const PUBLISH_OPTIONS = keyTable('PUBLISH.Options', {
  acknowledge: BOOL,
  exclude_me: BOOL,
  disclose_me: BOOL,
  retain: BOOL,
  exclude: ID_LIST,
  eligible: ID_LIST,
  exclude_authid: STRING_LIST,
  eligible_authid: STRING_LIST,
  exclude_authrole: STRING_LIST,
  eligible_authrole: STRING_LIST,
  transaction_hash: STRING,
  forward_for: FORWARD_FOR,
  ...PPT_KEYS,
});
const SUBSCRIBE_OPTIONS = keyTable('SUBSCRIBE.Options', {
  match: MATCH_POLICIES,
  get_retained: BOOL,
  forward_for: FORWARD_FOR,
});
const UNSUBSCRIBED_DETAILS = keyTable('UNSUBSCRIBED.Details', { subscription: ID, reason: STRING });
const EVENT_DETAILS = keyTable('EVENT.Details', {
  publisher: ID,
  publisher_authid: STRING,
  publisher_authrole: STRING,
  topic: STRING,
  retained: BOOL,
  x_acknowledged_delivery: BOOL,
  transaction_hash: STRING,
  forward_for: FORWARD_FOR,
  ...PPT_KEYS,
});
const CALL_OPTIONS = keyTable('CALL.Options', {
  receive_progress: BOOL,
  progress: BOOL,
  timeout: NON_NEGATIVE_INTEGER,
  disclose_me: BOOL,
  forward_for: FORWARD_FOR,
  ...PPT_KEYS,
});
const CANCEL_OPTIONS = keyTable('CANCEL.Options', {
  mode: ['skip', 'kill', 'killnowait'],
  forward_for: FORWARD_FOR,
});
const RESULT_DETAILS = keyTable('RESULT.Details', { progress: BOOL, forward_for: FORWARD_FOR, ...PPT_KEYS });
const REGISTER_OPTIONS = keyTable('REGISTER.Options', {
  match: MATCH_POLICIES,
  invoke: ['single', 'roundrobin', 'random', 'first', 'last'],
  disclose_caller: BOOL,
  forward_timeout: BOOL,
  forward_for: FORWARD_FOR,
});
const UNREGISTERED_DETAILS = keyTable('UNREGISTERED.Details', { registration: ID, reason: STRING });
const INVOCATION_DETAILS = keyTable('INVOCATION.Details', {
  caller: ID,
  caller_authid: STRING,
  caller_authrole: STRING,
  procedure: STRING,
  receive_progress: BOOL,
  progress: BOOL,
  timeout: NON_NEGATIVE_INTEGER,
  forward_for: FORWARD_FOR,
  ...PPT_KEYS,
});
// 'skip' never reaches a callee: the dealer answers the caller itself.
const INTERRUPT_OPTIONS = keyTable('INTERRUPT.Options', {
  mode: ['kill', 'killnowait'],
  reason: STRING,
  forward_for: FORWARD_FOR,
});
const YIELD_OPTIONS = keyTable('YIELD.Options', { progress: BOOL, forward_for: FORWARD_FOR, ...PPT_KEYS });

// ---------------------------------------------------------------------------------------------------
// Value checks. Failure paths build their message only when they throw.

function violation(message: string): WampProtocolError {
  return new WampProtocolError(message);
}

/** A short, bounded description of an untrusted value for error messages (echoed back in ABORT). */
function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'nothing';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'binary data';
      return isDict(value) ? 'a dict' : 'an object';
    default:
      return typeof value;
  }
}

function fail(path: string, expected: string, value: unknown): never {
  throw violation(`${path} must be ${expected}, got ${describe(value)}`);
}

/**
 * A WAMP dict is a plain object: its prototype is `Object.prototype` (of any realm) or null. Arrays,
 * binary data, Maps, Dates and objects whose prototype was replaced are refused, so that code reading
 * `options.someKey` later can never see an inherited value.
 */
function isDict(value: unknown): value is WampDict {
  return typeof value === 'object' && value !== null && isPlainObject(value);
}

function isPlainObject(value: object): boolean {
  const proto: object | null = getPrototypeOf(value);
  return proto === OBJECT_PROTOTYPE || proto === null || isForeignObjectPrototype(proto);
}

/** Another realm's `Object.prototype` (vm contexts, as under Jest): prototype-less and owning its methods. */
function isForeignObjectPrototype(proto: object): boolean {
  return getPrototypeOf(proto) === null && hasOwn(proto, 'hasOwnProperty') && hasOwn(proto, 'isPrototypeOf');
}

function readId(value: unknown, path: string): number {
  const id = toWampId(value);
  if (id === 0) fail(path, 'an ID in [1, 2^53]', value);
  return id;
}

function readDict(value: unknown, path: string): WampDict {
  if (!isDict(value)) fail(path, 'a dict', value);
  return value;
}

function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

function readArgs(raw: readonly unknown[], index: number, path: string): WampArgs | undefined {
  if (raw.length <= index) return undefined;
  const value = raw[index];
  if (!Array.isArray(value)) fail(path, 'a list', value);
  return value;
}

function readKwargs(raw: readonly unknown[], index: number, path: string): WampKwargs | undefined {
  if (raw.length <= index) return undefined;
  const value = raw[index];
  if (!isDict(value)) fail(path, 'a dict', value);
  return value;
}

/** Checks the known keys of a dict; unknown keys are left alone. */
function checkKnownKeys(dict: WampDict, table: KeyTable): void {
  for (const key in dict) {
    const rule = table[key];
    // for...in also walks enumerable keys of a polluted Object.prototype: only own keys count.
    if (rule !== undefined && hasOwn(dict, key)) checkKey(dict as Record<string, unknown>, key, rule);
  }
}

function checkKey(dict: Record<string, unknown>, key: string, rule: KeyRule): void {
  const value = dict[key];
  switch (rule.kind) {
    case BOOL:
      if (typeof value !== 'boolean') fail(rule.path, rule.expected, value);
      return;
    case STRING:
      if (typeof value !== 'string') fail(rule.path, rule.expected, value);
      return;
    case ID: {
      const id = toWampId(value);
      if (id === 0) fail(rule.path, rule.expected, value);
      // A bigint ID becomes the equal number so that readers only ever see numbers (see toWampId).
      if (typeof value === 'bigint') dict[key] = id;
      return;
    }
    case NON_NEGATIVE_INTEGER:
      // A 64-bit integer beyond 2^53 arrives as a bigint from msgpack and CBOR peers: read as the nearest number.
      if (typeof value === 'bigint' && value >= 0n) {
        dict[key] = Number(value);
        return;
      }
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        fail(rule.path, rule.expected, value);
      return;
    case DICT:
      if (!isDict(value)) fail(rule.path, rule.expected, value);
      return;
    case STRING_LIST:
      if (!Array.isArray(value)) fail(rule.path, rule.expected, value);
      for (let index = 0; index < value.length; index++) {
        if (typeof value[index] !== 'string') fail(`${rule.path}[${index}]`, 'a string', value[index]);
      }
      return;
    case ID_LIST:
      if (!Array.isArray(value)) fail(rule.path, rule.expected, value);
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        const id = toWampId(item);
        if (id === 0) fail(`${rule.path}[${index}]`, 'an ID in [1, 2^53]', item);
        if (typeof item === 'bigint') value[index] = id;
      }
      return;
    case ENUM:
      if (typeof value !== 'string' || !rule.values.includes(value)) fail(rule.path, rule.expected, value);
      return;
    case FORWARD_FOR:
      checkForwardFor(value, rule);
      return;
    case ROLES:
      checkRoles(value, rule);
      return;
    case PAYLOAD_PASSTHRU:
      throw violation(`${rule.path} is not supported: this router does not offer payload_passthru_mode`);
  }
}

function checkForwardFor(value: unknown, rule: KeyRule): void {
  if (!Array.isArray(value)) fail(rule.path, rule.expected, value);
  for (let index = 0; index < value.length; index++) {
    const hop: unknown = value[index];
    if (
      !isDict(hop) ||
      !hasOwn(hop, 'session') ||
      toWampId(hop.session) === 0 ||
      !hasOwn(hop, 'authid') ||
      typeof hop.authid !== 'string' ||
      !hasOwn(hop, 'authrole') ||
      typeof hop.authrole !== 'string'
    ) {
      fail(`${rule.path}[${index}]`, 'a dict with session (ID), authid and authrole (strings)', hop);
    }
  }
}

function checkRoles(value: unknown, rule: KeyRule): void {
  if (!isDict(value)) fail(rule.path, rule.expected, value);
  let count = 0;
  for (const role in value) {
    if (!hasOwn(value, role)) continue;
    count++;
    const details = value[role];
    if (!isDict(details)) fail(`${rule.path}.${role}`, 'a dict', details);
    if (hasOwn(details, 'features') && !isDict(details.features)) {
      fail(`${rule.path}.${role}.features`, 'a dict', details.features);
    }
  }
  if (count === 0) fail(rule.path, rule.expected, value);
}

function readMatch(options: WampDict): WampMatchPolicy {
  // Already checked by the key table: absent or one of the three policies.
  return hasOwn(options, 'match') ? (options.match as WampMatchPolicy) : 'exact';
}

/** The URI of a request the router answers with ERROR: a bad one gets `wamp.error.invalid_uri`, not an abort. */
function checkRequestUri(
  uri: string,
  options: MessageDecoderOptions,
  match: WampMatchPolicy,
  path: string,
  requestType: WampMessageType,
  request: number,
): void {
  // Limits first: they bound the cost of everything after, the URI rules' regular expression included.
  const problem = uriLimitProblem(uri, options);
  if (problem !== undefined) {
    throw new WampProtocolError(
      `${path} ${problem}, got ${describe(uri)}`,
      WampErrorUri.INVALID_URI,
      requestType,
      request,
    );
  }
  const strict = options.strictUris;
  if (isValidUriForMatch(uri, strict, match)) return;
  const rules = strict ? 'strict' : 'loose';
  const policy = match === 'exact' ? '' : ` for match "${match}"`;
  throw new WampProtocolError(
    `${path} must be a valid URI${policy} (${rules} rules), got ${describe(uri)}`,
    WampErrorUri.INVALID_URI,
    requestType,
    request,
  );
}

/** Reasons and error URIs: loose rules whatever the setting, as peers send e.g. application error URIs in mixed case. */
function checkLooseUri(uri: string, path: string, limits: UriLimits): void {
  checkUriLimits(uri, path, limits);
  if (!isValidUri(uri, false)) fail(path, 'a valid URI', uri);
}

/** A URI with no request to answer (realm, reason, error) beyond the limits is a protocol violation. */
function checkUriLimits(uri: string, path: string, limits: UriLimits): void {
  const problem = uriLimitProblem(uri, limits);
  if (problem !== undefined) throw violation(`${path} ${problem}, got ${describe(uri)}`);
}

/** Request of UNSUBSCRIBED/UNREGISTERED: 0 is allowed when Details follow (router-initiated revocation). */
function readAcknowledgedRequest(raw: readonly unknown[], path: string): number {
  const value = raw[1];
  if (raw.length === 3 && value === 0) return 0;
  const id = toWampId(value);
  if (id === 0) fail(path, raw.length === 3 ? 'an ID in [1, 2^53] or 0' : 'an ID in [1, 2^53]', value);
  return id;
}

// ---------------------------------------------------------------------------------------------------
// Nesting depth. An explicit stack (module-level, reused) instead of recursion: no stack overflow
// whatever maxDepth is configured to, and no allocation per message once warmed up.

const pendingContainers: (object | undefined)[] = [];
const pendingLevels: number[] = [];
const KEEP_STACK_SLOTS = 1024;

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);
}

function nestingExceeds(message: readonly unknown[], maxDepth: number): boolean {
  if (maxDepth < 1) return true;
  let size = 0;
  let highWater = 0;
  let exceeded = false;
  let current: object = message;
  let level = 1;
  for (;;) {
    const childLevel = level + 1;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) {
        const child: unknown = current[index];
        if (!isContainer(child)) continue;
        if (childLevel > maxDepth) {
          exceeded = true;
          break;
        }
        pendingContainers[size] = child;
        pendingLevels[size++] = childLevel;
      }
    } else if (isPlainObject(current) || !(current instanceof Map || current instanceof Set)) {
      // Plain dicts first (the common case); other objects (class instances from serializer
      // extensions) are walked the same way.
      for (const key in current) {
        const child: unknown = (current as Record<string, unknown>)[key];
        if (!isContainer(child) || !hasOwn(current, key)) continue;
        if (childLevel > maxDepth) {
          exceeded = true;
          break;
        }
        pendingContainers[size] = child;
        pendingLevels[size++] = childLevel;
      }
    } else {
      // Binary serializers may produce Maps (non-string keys) inside application payloads.
      const children: Iterable<unknown>[] =
        current instanceof Map ? [current.keys(), current.values()] : [current.values()];
      scan: for (const iterable of children) {
        for (const child of iterable) {
          if (!isContainer(child)) continue;
          if (childLevel > maxDepth) {
            exceeded = true;
            break scan;
          }
          pendingContainers[size] = child;
          pendingLevels[size++] = childLevel;
        }
      }
    }
    if (size > highWater) highWater = size;
    if (exceeded || size === 0) break;
    current = pendingContainers[--size] as object;
    level = pendingLevels[size];
  }
  // Drop references so the stack does not keep a decoded message alive.
  if (highWater > KEEP_STACK_SLOTS) {
    pendingContainers.length = 0;
    pendingLevels.length = 0;
  } else {
    for (let index = 0; index < highWater; index++) pendingContainers[index] = undefined;
  }
  return exceeded;
}

// ---------------------------------------------------------------------------------------------------

/**
 * Turns an untrusted, deserialized value (what a serializer produced: arrays, plain objects, strings,
 * numbers, booleans, null, binary) into a typed {@link WampMessage}, or throws {@link WampProtocolError}.
 *
 * Checks, in this order: a non-empty array with a known integer type code; the element count of that
 * type; nesting depth (`options.maxDepth`); each element's type (IDs in [1, 2^53], plain-object dicts,
 * lists, strings); known option/detail keys (a known key of the wrong type is a protocol violation
 * naming the key; unknown keys are kept, not interpreted); finally URIs. URIs come last so that a
 * `wamp.error.invalid_uri` error (which the session answers with ERROR and carries on) is only raised
 * for a message that is otherwise well-formed.
 *
 * Errors:
 * - `uri` = `wamp.error.invalid_uri` with `requestType` and `request`: a bad topic/procedure in
 *   PUBLISH, SUBSCRIBE, CALL or REGISTER; answer with ERROR.
 * - `uri` = `wamp.error.invalid_uri` with `requestType` HELLO and no `request`: a realm that is not a
 *   (loose) URI; answer with ABORT.
 * - otherwise `wamp.error.protocol_violation`.
 *
 * Decisions where the spec leaves room:
 * - ERROR.RequestType may be any request an ERROR answers (16, 32, 34, 48, 64, 66, 68); which of them
 *   a given peer may send (a client only 68) is the session's call.
 * - Realms, ERROR.Error and ABORT/GOODBYE reasons are checked with loose rules whatever `strictUris`.
 * - SUBSCRIBE/REGISTER URIs follow their match policy (see `isValidUriForMatch`).
 * - The reserved `wamp.` namespace is not checked here: whether a URI may be used depends on the action.
 * - Payload passthru (`enc_algo`/`ppt_scheme`) is refused as a protocol violation (feature not offered).
 * - An Options dict appended to UNSUBSCRIBE/UNREGISTER (Autobahn router links) is checked, not kept.
 * - UNSUBSCRIBED/UNREGISTERED with Details may carry Request 0 (revocation).
 * - 64-bit IDs decoded as `bigint` are accepted in [1, 2^53] and stored as numbers (in ID lists and
 *   ID detail keys they are replaced in place).
 *
 * The dicts and lists of the raw message are kept as they are (never copied or merged), so an own
 * `__proto__` key from `JSON.parse` stays harmless data. `args`/`kwargs` are `undefined` when absent
 * and kept when present, even empty; the properties always exist so every message of one type has
 * the same shape.
 *
 * @example
 * decodeMessage([48, 1, {}, 'com.example.add', [1, 2]], DEFAULT_DECODER_OPTIONS);
 * // { type: 48, request: 1, options: {}, procedure: 'com.example.add', args: [1, 2], kwargs: undefined }
 */
export function decodeMessage(
  raw: unknown,
  options: MessageDecoderOptions = DEFAULT_DECODER_OPTIONS,
): WampMessage {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw violation(`Message must be a non-empty array, got ${describe(raw)}`);
  }
  const type: unknown = raw[0];
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw violation(`Message type must be an integer, got ${describe(type)}`);
  }
  const shape = type >= 0 && type < SHAPES.length ? SHAPES[type] : undefined;
  if (shape === undefined) throw violation(`Unknown message type ${type}`);
  const length = raw.length;
  if (length < shape.min || length > shape.max) {
    const expected = shape.min === shape.max ? `${shape.min}` : `${shape.min} to ${shape.max}`;
    throw violation(`${shape.name} must have ${expected} elements, got ${length}`);
  }
  if (nestingExceeds(raw, options.maxDepth)) {
    throw violation(`Message nesting exceeds ${options.maxDepth} levels`);
  }

  switch (type as WampMessageType) {
    case WampMessageType.HELLO: {
      const realm = readString(raw[1], 'HELLO.Realm');
      const details = readDict(raw[2], 'HELLO.Details');
      checkKnownKeys(details, HELLO_DETAILS);
      if (!hasOwn(details, 'roles'))
        throw violation('HELLO.Details.roles is required: a client must announce its roles');
      checkUriLimits(realm, 'HELLO.Realm', options);
      if (!isValidUri(realm, false)) {
        throw new WampProtocolError(
          `HELLO.Realm must be a valid URI, got ${describe(realm)}`,
          WampErrorUri.INVALID_URI,
          WampMessageType.HELLO,
        );
      }
      return { type: WampMessageType.HELLO, realm, details: details as HelloDetails };
    }
    case WampMessageType.WELCOME: {
      const session = readId(raw[1], 'WELCOME.Session');
      const details = readDict(raw[2], 'WELCOME.Details');
      checkKnownKeys(details, WELCOME_DETAILS);
      if (!hasOwn(details, 'roles'))
        throw violation('WELCOME.Details.roles is required: a router must announce its roles');
      return { type: WampMessageType.WELCOME, session, details };
    }
    case WampMessageType.ABORT: {
      const details = readDict(raw[1], 'ABORT.Details');
      const reason = readString(raw[2], 'ABORT.Reason');
      const args = readArgs(raw, 3, 'ABORT.Arguments');
      const kwargs = readKwargs(raw, 4, 'ABORT.ArgumentsKw');
      checkLooseUri(reason, 'ABORT.Reason', options);
      return { type: WampMessageType.ABORT, details, reason, args, kwargs };
    }
    case WampMessageType.CHALLENGE: {
      const authMethod = readString(raw[1], 'CHALLENGE.AuthMethod');
      const extra = readDict(raw[2], 'CHALLENGE.Extra');
      return { type: WampMessageType.CHALLENGE, authMethod, extra };
    }
    case WampMessageType.AUTHENTICATE: {
      const signature = readString(raw[1], 'AUTHENTICATE.Signature');
      const extra = readDict(raw[2], 'AUTHENTICATE.Extra');
      return { type: WampMessageType.AUTHENTICATE, signature, extra };
    }
    case WampMessageType.GOODBYE: {
      const details = readDict(raw[1], 'GOODBYE.Details');
      const reason = readString(raw[2], 'GOODBYE.Reason');
      checkLooseUri(reason, 'GOODBYE.Reason', options);
      return { type: WampMessageType.GOODBYE, details, reason };
    }
    case WampMessageType.ERROR: {
      const requestType: unknown = raw[1];
      if (typeof requestType !== 'number' || !ERROR_REQUEST_TYPES.has(requestType)) {
        fail(
          'ERROR.RequestType',
          'one of 16, 32, 34, 48, 64, 66, 68 (a request answered by ERROR)',
          requestType,
        );
      }
      const request = readId(raw[2], 'ERROR.Request');
      const details = readDict(raw[3], 'ERROR.Details');
      checkKnownKeys(details, ERROR_DETAILS);
      const error = readString(raw[4], 'ERROR.Error');
      const args = readArgs(raw, 5, 'ERROR.Arguments');
      const kwargs = readKwargs(raw, 6, 'ERROR.ArgumentsKw');
      checkLooseUri(error, 'ERROR.Error', options);
      return { type: WampMessageType.ERROR, requestType, request, details, error, args, kwargs };
    }
    case WampMessageType.PUBLISH: {
      const request = readId(raw[1], 'PUBLISH.Request');
      const publishOptions = readDict(raw[2], 'PUBLISH.Options');
      checkKnownKeys(publishOptions, PUBLISH_OPTIONS);
      const topic = readString(raw[3], 'PUBLISH.Topic');
      const args = readArgs(raw, 4, 'PUBLISH.Arguments');
      const kwargs = readKwargs(raw, 5, 'PUBLISH.ArgumentsKw');
      checkRequestUri(topic, options, 'exact', 'PUBLISH.Topic', WampMessageType.PUBLISH, request);
      return {
        type: WampMessageType.PUBLISH,
        request,
        options: publishOptions as PublishOptions,
        topic,
        args,
        kwargs,
      };
    }
    case WampMessageType.PUBLISHED: {
      const request = readId(raw[1], 'PUBLISHED.Request');
      const publication = readId(raw[2], 'PUBLISHED.Publication');
      return { type: WampMessageType.PUBLISHED, request, publication };
    }
    case WampMessageType.SUBSCRIBE: {
      const request = readId(raw[1], 'SUBSCRIBE.Request');
      const subscribeOptions = readDict(raw[2], 'SUBSCRIBE.Options');
      checkKnownKeys(subscribeOptions, SUBSCRIBE_OPTIONS);
      const topic = readString(raw[3], 'SUBSCRIBE.Topic');
      const match = readMatch(subscribeOptions);
      checkRequestUri(topic, options, match, 'SUBSCRIBE.Topic', WampMessageType.SUBSCRIBE, request);
      return {
        type: WampMessageType.SUBSCRIBE,
        request,
        options: subscribeOptions as SubscribeOptions,
        topic,
      };
    }
    case WampMessageType.SUBSCRIBED: {
      const request = readId(raw[1], 'SUBSCRIBED.Request');
      const subscription = readId(raw[2], 'SUBSCRIBED.Subscription');
      return { type: WampMessageType.SUBSCRIBED, request, subscription };
    }
    case WampMessageType.UNSUBSCRIBE: {
      const request = readId(raw[1], 'UNSUBSCRIBE.Request');
      const subscription = readId(raw[2], 'UNSUBSCRIBE.Subscription');
      if (length === 4) readDict(raw[3], 'UNSUBSCRIBE.Options');
      return { type: WampMessageType.UNSUBSCRIBE, request, subscription };
    }
    case WampMessageType.UNSUBSCRIBED: {
      const request = readAcknowledgedRequest(raw, 'UNSUBSCRIBED.Request');
      let details: WampDict | undefined;
      if (length === 3) {
        details = readDict(raw[2], 'UNSUBSCRIBED.Details');
        checkKnownKeys(details, UNSUBSCRIBED_DETAILS);
      }
      return { type: WampMessageType.UNSUBSCRIBED, request, details };
    }
    case WampMessageType.EVENT: {
      const subscription = readId(raw[1], 'EVENT.Subscription');
      const publication = readId(raw[2], 'EVENT.Publication');
      const details = readDict(raw[3], 'EVENT.Details');
      checkKnownKeys(details, EVENT_DETAILS);
      const args = readArgs(raw, 4, 'EVENT.Arguments');
      const kwargs = readKwargs(raw, 5, 'EVENT.ArgumentsKw');
      return { type: WampMessageType.EVENT, subscription, publication, details, args, kwargs };
    }
    case WampMessageType.CALL: {
      const request = readId(raw[1], 'CALL.Request');
      const callOptions = readDict(raw[2], 'CALL.Options');
      checkKnownKeys(callOptions, CALL_OPTIONS);
      const procedure = readString(raw[3], 'CALL.Procedure');
      const args = readArgs(raw, 4, 'CALL.Arguments');
      const kwargs = readKwargs(raw, 5, 'CALL.ArgumentsKw');
      checkRequestUri(procedure, options, 'exact', 'CALL.Procedure', WampMessageType.CALL, request);
      return {
        type: WampMessageType.CALL,
        request,
        options: callOptions as CallOptions,
        procedure,
        args,
        kwargs,
      };
    }
    case WampMessageType.CANCEL: {
      const request = readId(raw[1], 'CANCEL.Request');
      const cancelOptions = readDict(raw[2], 'CANCEL.Options');
      checkKnownKeys(cancelOptions, CANCEL_OPTIONS);
      return { type: WampMessageType.CANCEL, request, options: cancelOptions as CancelOptions };
    }
    case WampMessageType.RESULT: {
      const request = readId(raw[1], 'RESULT.Request');
      const details = readDict(raw[2], 'RESULT.Details');
      checkKnownKeys(details, RESULT_DETAILS);
      const args = readArgs(raw, 3, 'RESULT.Arguments');
      const kwargs = readKwargs(raw, 4, 'RESULT.ArgumentsKw');
      return { type: WampMessageType.RESULT, request, details, args, kwargs };
    }
    case WampMessageType.REGISTER: {
      const request = readId(raw[1], 'REGISTER.Request');
      const registerOptions = readDict(raw[2], 'REGISTER.Options');
      checkKnownKeys(registerOptions, REGISTER_OPTIONS);
      const procedure = readString(raw[3], 'REGISTER.Procedure');
      const match = readMatch(registerOptions);
      checkRequestUri(procedure, options, match, 'REGISTER.Procedure', WampMessageType.REGISTER, request);
      return {
        type: WampMessageType.REGISTER,
        request,
        options: registerOptions as RegisterOptions,
        procedure,
      };
    }
    case WampMessageType.REGISTERED: {
      const request = readId(raw[1], 'REGISTERED.Request');
      const registration = readId(raw[2], 'REGISTERED.Registration');
      return { type: WampMessageType.REGISTERED, request, registration };
    }
    case WampMessageType.UNREGISTER: {
      const request = readId(raw[1], 'UNREGISTER.Request');
      const registration = readId(raw[2], 'UNREGISTER.Registration');
      if (length === 4) readDict(raw[3], 'UNREGISTER.Options');
      return { type: WampMessageType.UNREGISTER, request, registration };
    }
    case WampMessageType.UNREGISTERED: {
      const request = readAcknowledgedRequest(raw, 'UNREGISTERED.Request');
      let details: WampDict | undefined;
      if (length === 3) {
        details = readDict(raw[2], 'UNREGISTERED.Details');
        checkKnownKeys(details, UNREGISTERED_DETAILS);
      }
      return { type: WampMessageType.UNREGISTERED, request, details };
    }
    case WampMessageType.INVOCATION: {
      const request = readId(raw[1], 'INVOCATION.Request');
      const registration = readId(raw[2], 'INVOCATION.Registration');
      const details = readDict(raw[3], 'INVOCATION.Details');
      checkKnownKeys(details, INVOCATION_DETAILS);
      const args = readArgs(raw, 4, 'INVOCATION.Arguments');
      const kwargs = readKwargs(raw, 5, 'INVOCATION.ArgumentsKw');
      return { type: WampMessageType.INVOCATION, request, registration, details, args, kwargs };
    }
    case WampMessageType.INTERRUPT: {
      const request = readId(raw[1], 'INTERRUPT.Request');
      const interruptOptions = readDict(raw[2], 'INTERRUPT.Options');
      checkKnownKeys(interruptOptions, INTERRUPT_OPTIONS);
      return { type: WampMessageType.INTERRUPT, request, options: interruptOptions };
    }
    case WampMessageType.YIELD: {
      const request = readId(raw[1], 'YIELD.Request');
      const yieldOptions = readDict(raw[2], 'YIELD.Options');
      checkKnownKeys(yieldOptions, YIELD_OPTIONS);
      const args = readArgs(raw, 3, 'YIELD.Arguments');
      const kwargs = readKwargs(raw, 4, 'YIELD.ArgumentsKw');
      return { type: WampMessageType.YIELD, request, options: yieldOptions as YieldOptions, args, kwargs };
    }
  }
  // Unreachable: every code in SHAPES has a case above.
  throw violation(`Unknown message type ${type}`);
}

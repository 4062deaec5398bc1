/**
 * Protocol vectors of our own, written for this project (our URIs, IDs and payloads):
 * - {@link MESSAGE_VECTORS}: wire arrays of every message type in several shapes, with the typed
 *   message each must decode to and the array it must re-encode to.
 * - {@link REFUSED_MESSAGES}: well-formed messages the decoder refuses on purpose, with the exact error.
 * - {@link OPTION_CASES} / {@link PAYLOAD_PASSTHRU_CASES}: the known keys of every Options/Details dict,
 *   with values that must be accepted and values of the wrong type that must be rejected naming the key.
 *
 * They were checked out of band (not by the test suite) against the WAMP specification's test suite,
 * which covers the same ground with other values.
 */
import { WampMessageType, type WampMessage } from '../../../lib/core/index.js';

const MAX_ID = 2 ** 53;
const BIG_ID = 2 ** 53 - 1;

/** One wire message, what it decodes to, and (when not the same array) what it re-encodes to. */
export interface MessageVector {
  readonly name: string;
  readonly raw: readonly unknown[];
  readonly typed: WampMessage;
  /** The re-encoded wire array when it differs from `raw` (empty payload dropped, ignored Options). */
  readonly reencoded?: readonly unknown[];
}

function vector(
  name: string,
  raw: readonly unknown[],
  typed: WampMessage,
  reencoded?: readonly unknown[],
): MessageVector {
  return reencoded === undefined ? { name, raw, typed } : { name, raw, typed, reencoded };
}

const T = WampMessageType;

export const MESSAGE_VECTORS: readonly MessageVector[] = [
  // HELLO
  vector('HELLO with minimal roles', [1, 'org.nestjs_wamp.realm', { roles: { callee: {} } }], {
    type: T.HELLO,
    realm: 'org.nestjs_wamp.realm',
    details: { roles: { callee: {} } },
  }),
  vector(
    'HELLO with every known detail and an unknown one',
    [
      1,
      'org.nestjs_wamp.Realm-Two',
      {
        roles: { caller: { features: { call_canceling: true } }, publisher: {}, subscriber: {} },
        agent: 'kiosk-firmware/4.2',
        authid: 'kiosk-07',
        authrole: 'device',
        authmethods: ['cryptosign', 'ticket'],
        authextra: { pubkey: '9f1c02aa', channel_binding: null },
        x_location: 'hall-b',
      },
    ],
    {
      type: T.HELLO,
      realm: 'org.nestjs_wamp.Realm-Two',
      details: {
        roles: { caller: { features: { call_canceling: true } }, publisher: {}, subscriber: {} },
        agent: 'kiosk-firmware/4.2',
        authid: 'kiosk-07',
        authrole: 'device',
        authmethods: ['cryptosign', 'ticket'],
        authextra: { pubkey: '9f1c02aa', channel_binding: null },
        x_location: 'hall-b',
      },
    },
  ),
  // WELCOME
  vector('WELCOME with minimal roles', [2, 3, { roles: { dealer: {} } }], {
    type: T.WELCOME,
    session: 3,
    details: { roles: { dealer: {} } },
  }),
  vector(
    'WELCOME with session 2^53 and auth details',
    [
      2,
      MAX_ID,
      {
        roles: { broker: { features: { subscriber_blackwhite_listing: true } }, dealer: {} },
        agent: 'nestjs-wamp',
        authid: 'kiosk-07',
        authrole: 'device',
        authmethod: 'cryptosign',
        authprovider: 'dynamic',
        authextra: { expires: 1_900_000_000 },
      },
    ],
    {
      type: T.WELCOME,
      session: MAX_ID,
      details: {
        roles: { broker: { features: { subscriber_blackwhite_listing: true } }, dealer: {} },
        agent: 'nestjs-wamp',
        authid: 'kiosk-07',
        authrole: 'device',
        authmethod: 'cryptosign',
        authprovider: 'dynamic',
        authextra: { expires: 1_900_000_000 },
      },
    },
  ),
  // ABORT
  vector('ABORT with empty Details', [3, {}, 'wamp.error.no_such_realm'], {
    type: T.ABORT,
    details: {},
    reason: 'wamp.error.no_such_realm',
  }),
  vector(
    'ABORT with a message and args',
    [3, { message: 'realm closed for maintenance' }, 'org.nestjs_wamp.error.Maintenance', ['until 06:00']],
    {
      type: T.ABORT,
      details: { message: 'realm closed for maintenance' },
      reason: 'org.nestjs_wamp.error.Maintenance',
      args: ['until 06:00'],
    },
  ),
  vector(
    'ABORT with empty args and kwargs',
    [3, {}, 'wamp.error.authentication_failed', [], { attempts: 3 }],
    {
      type: T.ABORT,
      details: {},
      reason: 'wamp.error.authentication_failed',
      args: [],
      kwargs: { attempts: 3 },
    },
  ),
  // CHALLENGE
  vector('CHALLENGE for ticket with empty Extra', [4, 'ticket', {}], {
    type: T.CHALLENGE,
    authMethod: 'ticket',
    extra: {},
  }),
  vector(
    'CHALLENGE for wampcra with salted Extra',
    [
      4,
      'wampcra',
      { challenge: '{"nonce":"d41d8c","authid":"kiosk-07"}', salt: 'pepper', iterations: 500, keylen: 16 },
    ],
    {
      type: T.CHALLENGE,
      authMethod: 'wampcra',
      extra: {
        challenge: '{"nonce":"d41d8c","authid":"kiosk-07"}',
        salt: 'pepper',
        iterations: 500,
        keylen: 16,
      },
    },
  ),
  // AUTHENTICATE
  vector('AUTHENTICATE with empty Extra', [5, 'tkt-5f2e-kiosk', {}], {
    type: T.AUTHENTICATE,
    signature: 'tkt-5f2e-kiosk',
    extra: {},
  }),
  vector('AUTHENTICATE with Extra', [5, 'c2lnbmF0dXJlLW9mLWtpb3Nr', { channel_binding: 'tls-unique' }], {
    type: T.AUTHENTICATE,
    signature: 'c2lnbmF0dXJlLW9mLWtpb3Nr',
    extra: { channel_binding: 'tls-unique' },
  }),
  // GOODBYE
  vector('GOODBYE with empty Details', [6, {}, 'wamp.close.close_realm'], {
    type: T.GOODBYE,
    details: {},
    reason: 'wamp.close.close_realm',
  }),
  vector('GOODBYE with a message', [6, { message: 'see you' }, 'wamp.close.goodbye_and_out'], {
    type: T.GOODBYE,
    details: { message: 'see you' },
    reason: 'wamp.close.goodbye_and_out',
  }),
  // ERROR, for each request type it may answer
  vector('ERROR for PUBLISH', [8, 16, 41, {}, 'wamp.error.not_authorized'], {
    type: T.ERROR,
    requestType: T.PUBLISH,
    request: 41,
    details: {},
    error: 'wamp.error.not_authorized',
  }),
  vector('ERROR for SUBSCRIBE', [8, 32, 42, {}, 'org.nestjs_wamp.error.TopicLocked'], {
    type: T.ERROR,
    requestType: T.SUBSCRIBE,
    request: 42,
    details: {},
    error: 'org.nestjs_wamp.error.TopicLocked',
  }),
  vector('ERROR for UNSUBSCRIBE', [8, 34, 43, {}, 'wamp.error.no_such_subscription'], {
    type: T.ERROR,
    requestType: T.UNSUBSCRIBE,
    request: 43,
    details: {},
    error: 'wamp.error.no_such_subscription',
  }),
  vector('ERROR for CALL with args', [8, 48, 44, {}, 'org.nestjs_wamp.error.not_found', ['doc-404']], {
    type: T.ERROR,
    requestType: T.CALL,
    request: 44,
    details: {},
    error: 'org.nestjs_wamp.error.not_found',
    args: ['doc-404'],
  }),
  vector('ERROR for REGISTER', [8, 64, 45, {}, 'wamp.error.procedure_already_exists'], {
    type: T.ERROR,
    requestType: T.REGISTER,
    request: 45,
    details: {},
    error: 'wamp.error.procedure_already_exists',
  }),
  vector('ERROR for UNREGISTER', [8, 66, 46, {}, 'wamp.error.no_such_registration'], {
    type: T.ERROR,
    requestType: T.UNREGISTER,
    request: 46,
    details: {},
    error: 'wamp.error.no_such_registration',
  }),
  vector(
    'ERROR for INVOCATION with args, kwargs and forward_for',
    [
      8,
      68,
      BIG_ID,
      { forward_for: [{ session: 9_001, authid: 'edge-a', authrole: 'edge' }] },
      'org.nestjs_wamp.error.invalid_amount',
      [-12.5],
      { field: 'amount', limits: { min: 0, max: 250 } },
    ],
    {
      type: T.ERROR,
      requestType: T.INVOCATION,
      request: BIG_ID,
      details: { forward_for: [{ session: 9_001, authid: 'edge-a', authrole: 'edge' }] },
      error: 'org.nestjs_wamp.error.invalid_amount',
      args: [-12.5],
      kwargs: { field: 'amount', limits: { min: 0, max: 250 } },
    },
  ),
  vector(
    'ERROR with empty args and kwargs',
    [8, 48, 47, {}, 'org.nestjs_wamp.error.conflict', [], { revision: 12 }],
    {
      type: T.ERROR,
      requestType: T.CALL,
      request: 47,
      details: {},
      error: 'org.nestjs_wamp.error.conflict',
      args: [],
      kwargs: { revision: 12 },
    },
  ),
  // PUBLISH
  vector('PUBLISH without payload', [16, 101, {}, 'org.nestjs_wamp.docs.ping'], {
    type: T.PUBLISH,
    request: 101,
    options: {},
    topic: 'org.nestjs_wamp.docs.ping',
  }),
  vector('PUBLISH with args', [16, 102, {}, 'org.nestjs_wamp.docs.changed', ['doc-17', 3]], {
    type: T.PUBLISH,
    request: 102,
    options: {},
    topic: 'org.nestjs_wamp.docs.changed',
    args: ['doc-17', 3],
  }),
  vector(
    'PUBLISH with args, kwargs and acknowledge',
    [16, 103, { acknowledge: true }, 'org.nestjs_wamp.docs.changed', ['doc-17'], { by: 'kiosk-07', rev: 4 }],
    {
      type: T.PUBLISH,
      request: 103,
      options: { acknowledge: true },
      topic: 'org.nestjs_wamp.docs.changed',
      args: ['doc-17'],
      kwargs: { by: 'kiosk-07', rev: 4 },
    },
  ),
  vector(
    'PUBLISH with empty args and kwargs',
    [16, 104, {}, 'org.nestjs_wamp.docs.deleted', [], { id: 'doc-9' }],
    {
      type: T.PUBLISH,
      request: 104,
      options: {},
      topic: 'org.nestjs_wamp.docs.deleted',
      args: [],
      kwargs: { id: 'doc-9' },
    },
  ),
  vector(
    'PUBLISH with every known option and an unknown one',
    [
      16,
      MAX_ID,
      {
        acknowledge: false,
        exclude_me: false,
        disclose_me: true,
        retain: true,
        exclude: [11, MAX_ID],
        eligible: [12],
        exclude_authid: ['kiosk-13'],
        eligible_authid: ['kiosk-07', 'kiosk-08'],
        exclude_authrole: ['guest'],
        eligible_authrole: ['device'],
        transaction_hash: 'tx-8c1d',
        forward_for: [{ session: 9_002, authid: 'edge-b', authrole: 'edge' }],
        x_trace: 'span-4f',
      },
      'org.nestjs_wamp.docs.changed',
    ],
    {
      type: T.PUBLISH,
      request: MAX_ID,
      options: {
        acknowledge: false,
        exclude_me: false,
        disclose_me: true,
        retain: true,
        exclude: [11, MAX_ID],
        eligible: [12],
        exclude_authid: ['kiosk-13'],
        eligible_authid: ['kiosk-07', 'kiosk-08'],
        exclude_authrole: ['guest'],
        eligible_authrole: ['device'],
        transaction_hash: 'tx-8c1d',
        forward_for: [{ session: 9_002, authid: 'edge-b', authrole: 'edge' }],
        x_trace: 'span-4f',
      },
      topic: 'org.nestjs_wamp.docs.changed',
    },
  ),
  vector(
    'PUBLISH with args and empty kwargs (kwargs dropped on re-encode)',
    [16, 105, {}, 'org.nestjs_wamp.docs.changed', ['doc-18'], {}],
    {
      type: T.PUBLISH,
      request: 105,
      options: {},
      topic: 'org.nestjs_wamp.docs.changed',
      args: ['doc-18'],
      kwargs: {},
    },
    [16, 105, {}, 'org.nestjs_wamp.docs.changed', ['doc-18']],
  ),
  // PUBLISHED
  vector('PUBLISHED with small IDs', [17, 103, 2], { type: T.PUBLISHED, request: 103, publication: 2 }),
  vector('PUBLISHED with publication 2^53 - 1', [17, 104, BIG_ID], {
    type: T.PUBLISHED,
    request: 104,
    publication: BIG_ID,
  }),
  // SUBSCRIBE
  vector('SUBSCRIBE with empty options', [32, 201, {}, 'org.nestjs_wamp.docs.changed'], {
    type: T.SUBSCRIBE,
    request: 201,
    options: {},
    topic: 'org.nestjs_wamp.docs.changed',
  }),
  vector('SUBSCRIBE with prefix match', [32, 202, { match: 'prefix' }, 'org.nestjs_wamp.docs.'], {
    type: T.SUBSCRIBE,
    request: 202,
    options: { match: 'prefix' },
    topic: 'org.nestjs_wamp.docs.',
  }),
  vector(
    'SUBSCRIBE with wildcard match and get_retained',
    [32, 203, { match: 'wildcard', get_retained: true }, 'org.nestjs_wamp..changed'],
    {
      type: T.SUBSCRIBE,
      request: 203,
      options: { match: 'wildcard', get_retained: true },
      topic: 'org.nestjs_wamp..changed',
    },
  ),
  // SUBSCRIBED
  vector('SUBSCRIBED', [33, 201, 7_301], { type: T.SUBSCRIBED, request: 201, subscription: 7_301 }),
  vector('SUBSCRIBED with subscription 2^53', [33, 202, MAX_ID], {
    type: T.SUBSCRIBED,
    request: 202,
    subscription: MAX_ID,
  }),
  // UNSUBSCRIBE
  vector('UNSUBSCRIBE', [34, 204, 7_301], { type: T.UNSUBSCRIBE, request: 204, subscription: 7_301 }),
  vector(
    'UNSUBSCRIBE with a trailing Options dict (checked, not kept)',
    [34, 205, MAX_ID, { forward_for: [] }],
    { type: T.UNSUBSCRIBE, request: 205, subscription: MAX_ID },
    [34, 205, MAX_ID],
  ),
  // UNSUBSCRIBED
  vector('UNSUBSCRIBED', [35, 204], { type: T.UNSUBSCRIBED, request: 204 }),
  vector(
    'UNSUBSCRIBED as a revocation (request 0, Details)',
    [35, 0, { subscription: 7_301, reason: 'org.nestjs_wamp.revoked' }],
    {
      type: T.UNSUBSCRIBED,
      request: 0,
      details: { subscription: 7_301, reason: 'org.nestjs_wamp.revoked' },
    },
  ),
  // EVENT
  vector('EVENT without payload', [36, 7_301, 8_801, {}], {
    type: T.EVENT,
    subscription: 7_301,
    publication: 8_801,
    details: {},
  }),
  vector('EVENT with args', [36, 7_301, 8_802, {}, ['doc-17', { rev: 4 }]], {
    type: T.EVENT,
    subscription: 7_301,
    publication: 8_802,
    details: {},
    args: ['doc-17', { rev: 4 }],
  }),
  vector(
    'EVENT with empty args and kwargs, and publisher details',
    [
      36,
      MAX_ID,
      BIG_ID,
      {
        publisher: 9_003,
        publisher_authid: 'kiosk-07',
        publisher_authrole: 'device',
        topic: 'org.nestjs_wamp.docs.changed',
      },
      [],
      { id: 'doc-17', tags: ['draft', 'ünïcödé'] },
    ],
    {
      type: T.EVENT,
      subscription: MAX_ID,
      publication: BIG_ID,
      details: {
        publisher: 9_003,
        publisher_authid: 'kiosk-07',
        publisher_authrole: 'device',
        topic: 'org.nestjs_wamp.docs.changed',
      },
      args: [],
      kwargs: { id: 'doc-17', tags: ['draft', 'ünïcödé'] },
    },
  ),
  vector(
    'EVENT with retained, acknowledged delivery, transaction hash and forward_for',
    [
      36,
      7_302,
      8_803,
      {
        retained: true,
        x_acknowledged_delivery: false,
        transaction_hash: 'tx-8c1d',
        forward_for: [
          { session: 9_004, authid: 'edge-a', authrole: 'edge' },
          { session: 9_005, authid: 'core-1', authrole: 'core' },
        ],
      },
      [null, true, false],
      { ratio: 0.75 },
    ],
    {
      type: T.EVENT,
      subscription: 7_302,
      publication: 8_803,
      details: {
        retained: true,
        x_acknowledged_delivery: false,
        transaction_hash: 'tx-8c1d',
        forward_for: [
          { session: 9_004, authid: 'edge-a', authrole: 'edge' },
          { session: 9_005, authid: 'core-1', authrole: 'core' },
        ],
      },
      args: [null, true, false],
      kwargs: { ratio: 0.75 },
    },
  ),
  // CALL
  vector('CALL without payload', [48, 301, {}, 'org.nestjs_wamp.docs.count'], {
    type: T.CALL,
    request: 301,
    options: {},
    procedure: 'org.nestjs_wamp.docs.count',
  }),
  vector('CALL with args', [48, 302, {}, 'org.nestjs_wamp.docs.get', ['doc-17']], {
    type: T.CALL,
    request: 302,
    options: {},
    procedure: 'org.nestjs_wamp.docs.get',
    args: ['doc-17'],
  }),
  vector(
    'CALL with every known option, args and kwargs',
    [
      48,
      BIG_ID,
      {
        receive_progress: true,
        progress: false,
        timeout: 2_500,
        disclose_me: true,
        forward_for: [{ session: 9_006, authid: 'edge-c', authrole: 'edge' }],
      },
      'org.nestjs_wamp.docs.search',
      ['contract', 10],
      { sort: 'date', desc: true },
    ],
    {
      type: T.CALL,
      request: BIG_ID,
      options: {
        receive_progress: true,
        progress: false,
        timeout: 2_500,
        disclose_me: true,
        forward_for: [{ session: 9_006, authid: 'edge-c', authrole: 'edge' }],
      },
      procedure: 'org.nestjs_wamp.docs.search',
      args: ['contract', 10],
      kwargs: { sort: 'date', desc: true },
    },
  ),
  vector(
    'CALL with empty args and kwargs',
    [48, 303, { timeout: 0 }, 'org.nestjs_wamp.docs.create', [], { title: 'Grüße', body: '' }],
    {
      type: T.CALL,
      request: 303,
      options: { timeout: 0 },
      procedure: 'org.nestjs_wamp.docs.create',
      args: [],
      kwargs: { title: 'Grüße', body: '' },
    },
  ),
  vector(
    'CALL with empty args only (args dropped on re-encode)',
    [48, 304, {}, 'org.nestjs_wamp.docs.count', []],
    { type: T.CALL, request: 304, options: {}, procedure: 'org.nestjs_wamp.docs.count', args: [] },
    [48, 304, {}, 'org.nestjs_wamp.docs.count'],
  ),
  // CANCEL
  vector('CANCEL with empty options', [49, 302, {}], { type: T.CANCEL, request: 302, options: {} }),
  vector('CANCEL with mode skip', [49, 303, { mode: 'skip' }], {
    type: T.CANCEL,
    request: 303,
    options: { mode: 'skip' },
  }),
  vector('CANCEL with mode kill', [49, 304, { mode: 'kill' }], {
    type: T.CANCEL,
    request: 304,
    options: { mode: 'kill' },
  }),
  vector('CANCEL with mode killnowait', [49, 305, { mode: 'killnowait' }], {
    type: T.CANCEL,
    request: 305,
    options: { mode: 'killnowait' },
  }),
  // RESULT
  vector('RESULT without payload', [50, 301, {}], { type: T.RESULT, request: 301, details: {} }),
  vector('RESULT with progress and args', [50, 302, { progress: true }, [{ page: 1 }]], {
    type: T.RESULT,
    request: 302,
    details: { progress: true },
    args: [{ page: 1 }],
  }),
  vector('RESULT with empty args and kwargs', [50, 303, {}, [], { id: 'doc-20', created: true }], {
    type: T.RESULT,
    request: 303,
    details: {},
    args: [],
    kwargs: { id: 'doc-20', created: true },
  }),
  vector(
    'RESULT with empty args and empty kwargs (both dropped on re-encode)',
    [50, 304, {}, [], {}],
    { type: T.RESULT, request: 304, details: {}, args: [], kwargs: {} },
    [50, 304, {}],
  ),
  // REGISTER
  vector('REGISTER with empty options', [64, 401, {}, 'org.nestjs_wamp.docs.get'], {
    type: T.REGISTER,
    request: 401,
    options: {},
    procedure: 'org.nestjs_wamp.docs.get',
  }),
  vector(
    'REGISTER with prefix match, roundrobin and disclose_caller',
    [64, 402, { match: 'prefix', invoke: 'roundrobin', disclose_caller: true }, 'org.nestjs_wamp.admin.'],
    {
      type: T.REGISTER,
      request: 402,
      options: { match: 'prefix', invoke: 'roundrobin', disclose_caller: true },
      procedure: 'org.nestjs_wamp.admin.',
    },
  ),
  vector(
    'REGISTER with wildcard match and invoke last',
    [64, 403, { match: 'wildcard', invoke: 'last' }, 'org.nestjs_wamp..get'],
    {
      type: T.REGISTER,
      request: 403,
      options: { match: 'wildcard', invoke: 'last' },
      procedure: 'org.nestjs_wamp..get',
    },
  ),
  // REGISTERED
  vector('REGISTERED', [65, 401, 5_501], { type: T.REGISTERED, request: 401, registration: 5_501 }),
  vector('REGISTERED with registration 2^53 - 1', [65, 402, BIG_ID], {
    type: T.REGISTERED,
    request: 402,
    registration: BIG_ID,
  }),
  // UNREGISTER
  vector('UNREGISTER', [66, 404, 5_501], { type: T.UNREGISTER, request: 404, registration: 5_501 }),
  vector(
    'UNREGISTER with a trailing Options dict (checked, not kept)',
    [66, 405, 5_502, { x_reason: 'shutdown' }],
    { type: T.UNREGISTER, request: 405, registration: 5_502 },
    [66, 405, 5_502],
  ),
  // UNREGISTERED
  vector('UNREGISTERED', [67, 404], { type: T.UNREGISTERED, request: 404 }),
  vector(
    'UNREGISTERED as a revocation (request 0, Details)',
    [67, 0, { registration: 5_502, reason: 'org.nestjs_wamp.callee_gone' }],
    {
      type: T.UNREGISTERED,
      request: 0,
      details: { registration: 5_502, reason: 'org.nestjs_wamp.callee_gone' },
    },
  ),
  // INVOCATION
  vector('INVOCATION without payload', [68, 501, 5_501, {}], {
    type: T.INVOCATION,
    request: 501,
    registration: 5_501,
    details: {},
  }),
  vector('INVOCATION with args', [68, 502, 5_501, {}, ['doc-17']], {
    type: T.INVOCATION,
    request: 502,
    registration: 5_501,
    details: {},
    args: ['doc-17'],
  }),
  vector(
    'INVOCATION with every known detail, args and kwargs',
    [
      68,
      MAX_ID,
      BIG_ID,
      {
        caller: 9_007,
        caller_authid: 'kiosk-07',
        caller_authrole: 'device',
        procedure: 'org.nestjs_wamp.admin.reset',
        receive_progress: true,
        progress: false,
        timeout: 1_000,
        forward_for: [{ session: 9_008, authid: 'edge-d', authrole: 'edge' }],
      },
      ['soft'],
      { confirm: true },
    ],
    {
      type: T.INVOCATION,
      request: MAX_ID,
      registration: BIG_ID,
      details: {
        caller: 9_007,
        caller_authid: 'kiosk-07',
        caller_authrole: 'device',
        procedure: 'org.nestjs_wamp.admin.reset',
        receive_progress: true,
        progress: false,
        timeout: 1_000,
        forward_for: [{ session: 9_008, authid: 'edge-d', authrole: 'edge' }],
      },
      args: ['soft'],
      kwargs: { confirm: true },
    },
  ),
  vector('INVOCATION with empty args and kwargs', [68, 503, 5_502, {}, [], { dryRun: true }], {
    type: T.INVOCATION,
    request: 503,
    registration: 5_502,
    details: {},
    args: [],
    kwargs: { dryRun: true },
  }),
  // INTERRUPT
  vector('INTERRUPT with empty options', [69, 501, {}], { type: T.INTERRUPT, request: 501, options: {} }),
  vector('INTERRUPT with mode kill', [69, 502, { mode: 'kill' }], {
    type: T.INTERRUPT,
    request: 502,
    options: { mode: 'kill' },
  }),
  vector('INTERRUPT with mode killnowait', [69, 503, { mode: 'killnowait' }], {
    type: T.INTERRUPT,
    request: 503,
    options: { mode: 'killnowait' },
  }),
  // YIELD
  vector('YIELD without payload', [70, 501, {}], { type: T.YIELD, request: 501, options: {} }),
  vector('YIELD with progress and args', [70, 502, { progress: true }, [25, 'percent']], {
    type: T.YIELD,
    request: 502,
    options: { progress: true },
    args: [25, 'percent'],
  }),
  vector(
    'YIELD with args, kwargs and forward_for',
    [
      70,
      503,
      { forward_for: [{ session: 9_009, authid: 'edge-e', authrole: 'edge' }] },
      [{ id: 'doc-17' }],
      { cached: false },
    ],
    {
      type: T.YIELD,
      request: 503,
      options: { forward_for: [{ session: 9_009, authid: 'edge-e', authrole: 'edge' }] },
      args: [{ id: 'doc-17' }],
      kwargs: { cached: false },
    },
  ),
  vector('YIELD with empty args and kwargs', [70, 504, {}, [], { deleted: 2 }], {
    type: T.YIELD,
    request: 504,
    options: {},
    args: [],
    kwargs: { deleted: 2 },
  }),
];

/** A message the decoder refuses on purpose, with its exact error message. */
export interface RefusedMessage {
  readonly name: string;
  readonly raw: readonly unknown[];
  readonly error: string;
}

const NO_PASSTHRU = 'is not supported: this router does not offer payload_passthru_mode';

/**
 * Payload passthru mode (`enc_algo`, the spec's `ppt_scheme`) replaces Arguments by opaque bytes; the
 * router does not offer it, and the spec makes using it towards such a router a protocol violation.
 * A message type outside the spec's list (e.g. a provisional EVENT_RECEIVED, 337) is refused too.
 */
export const REFUSED_MESSAGES: readonly RefusedMessage[] = [
  {
    name: 'PUBLISH with an end-to-end encrypted payload',
    raw: [
      16,
      106,
      { enc_algo: 'cryptobox', enc_serializer: 'cbor', enc_key: 'k-7' },
      'org.nestjs_wamp.secure',
      '\u0000a2V5LTc=',
    ],
    error: `PUBLISH.Options.enc_algo ${NO_PASSTHRU}`,
  },
  {
    name: 'PUBLISH with forward_for and an encrypted payload',
    raw: [
      16,
      107,
      {
        forward_for: [{ session: 9_010, authid: 'edge-f', authrole: 'edge' }],
        enc_algo: 'cryptobox',
        enc_serializer: 'msgpack',
      },
      'org.nestjs_wamp.secure',
      'b3BhcXVl',
    ],
    error: `PUBLISH.Options.enc_algo ${NO_PASSTHRU}`,
  },
  {
    name: 'EVENT with an encrypted payload',
    raw: [36, 7_303, 8_804, { enc_algo: 'cryptobox', enc_serializer: 'json' }, 'b3BhcXVl'],
    error: `EVENT.Details.enc_algo ${NO_PASSTHRU}`,
  },
  {
    name: 'EVENT with forward_for and an encrypted payload',
    raw: [
      36,
      7_304,
      8_805,
      { forward_for: [{ session: 9_011, authid: 'core-2', authrole: 'core' }], enc_algo: 'cryptobox' },
      'b3BhcXVl',
    ],
    error: `EVENT.Details.enc_algo ${NO_PASSTHRU}`,
  },
  {
    name: 'CALL with a ppt_scheme payload',
    raw: [48, 305, { ppt_scheme: 'mqtt', ppt_serializer: 'native' }, 'org.nestjs_wamp.iot.send', ['raw']],
    error: `CALL.Options.ppt_scheme ${NO_PASSTHRU}`,
  },
  {
    name: 'EVENT_RECEIVED (provisional type 337)',
    raw: [337, 8_806],
    error: 'Unknown message type 337',
  },
];

/** One Options/Details case: `valid` false means the decoder must reject it naming `path`. */
export interface OptionCase {
  readonly name: string;
  /** The key, as `MESSAGE.Options.key` or `MESSAGE.Details.key`. */
  readonly path: string;
  /** The value given to the key (kept by reference in `wmsg`). */
  readonly value: unknown;
  readonly wmsg: readonly unknown[];
  readonly valid: boolean;
}

/** The dicts whose known keys the decoder checks, with a message that carries each. */
const CARRIERS = {
  'HELLO.Details': (dict: object) => [1, 'org.nestjs_wamp.realm', { roles: { caller: {} }, ...dict }],
  'WELCOME.Details': (dict: object) => [2, 6_101, { roles: { dealer: {} }, ...dict }],
  'ERROR.Details': (dict: object) => [8, 48, 6_102, dict, 'org.nestjs_wamp.error.conflict'],
  'PUBLISH.Options': (dict: object) => [16, 6_103, dict, 'org.nestjs_wamp.docs.changed', ['doc-17']],
  'SUBSCRIBE.Options': (dict: object) => [32, 6_104, dict, 'org.nestjs_wamp.docs'],
  'UNSUBSCRIBED.Details': (dict: object) => [35, 0, dict],
  'EVENT.Details': (dict: object) => [36, 6_105, 6_106, dict, ['doc-17']],
  'CALL.Options': (dict: object) => [48, 6_107, dict, 'org.nestjs_wamp.docs.get', ['doc-17']],
  'CANCEL.Options': (dict: object) => [49, 6_107, dict],
  'RESULT.Details': (dict: object) => [50, 6_107, dict, [{ id: 'doc-17' }]],
  'REGISTER.Options': (dict: object) => [64, 6_108, dict, 'org.nestjs_wamp.docs'],
  'UNREGISTERED.Details': (dict: object) => [67, 0, dict],
  'INVOCATION.Details': (dict: object) => [68, 6_109, 6_110, dict, ['doc-17']],
  'INTERRUPT.Options': (dict: object) => [69, 6_109, dict],
  'YIELD.Options': (dict: object) => [70, 6_109, dict, [{ id: 'doc-17' }]],
} as const;

export type CheckedDict = keyof typeof CARRIERS;

/** Values of one key: each `valid` one must be accepted, each `invalid` one rejected. */
interface KeyValues {
  readonly valid: readonly unknown[];
  readonly invalid: readonly unknown[];
}

const BOOLEAN: KeyValues = { valid: [true, false], invalid: ['true', 1, null] };
const TEXT = (...valid: string[]): KeyValues => ({ valid, invalid: [17, ['x'], false] });
const ID: KeyValues = { valid: [1, 9_012, MAX_ID], invalid: [0, -3, MAX_ID + 2, 2.5, '9012'] };
const COUNT: KeyValues = { valid: [0, 2_500], invalid: [-1, 0.5, '2500'] };
const TEXT_LIST: KeyValues = {
  valid: [[], ['kiosk-07', 'kiosk-08']],
  invalid: ['kiosk-07', ['kiosk-07', 8], [null]],
};
const ID_LIST: KeyValues = { valid: [[], [9_013, MAX_ID]], invalid: [9_013, [9_013, 'x'], [0]] };
const FORWARD_FOR: KeyValues = {
  valid: [[], [{ session: 9_014, authid: 'edge-g', authrole: 'edge' }]],
  invalid: [
    'edge-g',
    { session: 9_014, authid: 'edge-g', authrole: 'edge' },
    [{ session: 9_014, authid: 'edge-g' }],
    [{ session: 0, authid: 'edge-g', authrole: 'edge' }],
    [{ session: 9_014, authid: 7, authrole: 'edge' }],
    ['edge-g'],
  ],
};
const ROLES: KeyValues = {
  valid: [{ subscriber: {} }, { caller: { features: { call_timeout: true } }, callee: {} }],
  invalid: [{}, [], 'caller', { caller: true }, { caller: { features: 'all' } }],
};
const DICT: KeyValues = { valid: [{}, { nonce: 'n-1' }], invalid: ['n-1', ['n-1'], null] };
const ENUM = (...valid: string[]): KeyValues => ({ valid, invalid: ['regex', 'EXACT', 3] });

/** Every key each dict's rules know, with values to try. Unknown keys are kept unchecked. */
export const KNOWN_KEYS: Readonly<Record<CheckedDict, Readonly<Record<string, KeyValues>>>> = {
  'HELLO.Details': {
    roles: ROLES,
    agent: TEXT('kiosk-firmware/4.2'),
    authid: TEXT('kiosk-07'),
    authrole: TEXT('device'),
    authmethods: TEXT_LIST,
    authextra: DICT,
  },
  'WELCOME.Details': {
    roles: ROLES,
    agent: TEXT('nestjs-wamp'),
    authid: TEXT('kiosk-07'),
    authrole: TEXT('device'),
    authmethod: TEXT('ticket'),
    authprovider: TEXT('static'),
    authextra: DICT,
  },
  'ERROR.Details': { forward_for: FORWARD_FOR },
  'PUBLISH.Options': {
    acknowledge: BOOLEAN,
    exclude_me: BOOLEAN,
    disclose_me: BOOLEAN,
    retain: BOOLEAN,
    exclude: ID_LIST,
    eligible: ID_LIST,
    exclude_authid: TEXT_LIST,
    eligible_authid: TEXT_LIST,
    exclude_authrole: TEXT_LIST,
    eligible_authrole: TEXT_LIST,
    transaction_hash: TEXT('tx-8c1d'),
    forward_for: FORWARD_FOR,
  },
  'SUBSCRIBE.Options': {
    match: ENUM('exact', 'prefix', 'wildcard'),
    get_retained: BOOLEAN,
    forward_for: FORWARD_FOR,
  },
  'UNSUBSCRIBED.Details': { subscription: ID, reason: TEXT('org.nestjs_wamp.revoked') },
  'EVENT.Details': {
    publisher: ID,
    publisher_authid: TEXT('kiosk-07'),
    publisher_authrole: TEXT('device'),
    topic: TEXT('org.nestjs_wamp.docs.changed'),
    retained: BOOLEAN,
    x_acknowledged_delivery: BOOLEAN,
    transaction_hash: TEXT('tx-8c1d'),
    forward_for: FORWARD_FOR,
  },
  'CALL.Options': {
    receive_progress: BOOLEAN,
    progress: BOOLEAN,
    timeout: COUNT,
    disclose_me: BOOLEAN,
    forward_for: FORWARD_FOR,
  },
  'CANCEL.Options': { mode: ENUM('skip', 'kill', 'killnowait'), forward_for: FORWARD_FOR },
  'RESULT.Details': { progress: BOOLEAN, forward_for: FORWARD_FOR },
  'REGISTER.Options': {
    match: ENUM('exact', 'prefix', 'wildcard'),
    invoke: ENUM('single', 'roundrobin', 'random', 'first', 'last'),
    disclose_caller: BOOLEAN,
    forward_for: FORWARD_FOR,
  },
  'UNREGISTERED.Details': { registration: ID, reason: TEXT('org.nestjs_wamp.callee_gone') },
  'INVOCATION.Details': {
    caller: ID,
    caller_authid: TEXT('kiosk-07'),
    caller_authrole: TEXT('device'),
    procedure: TEXT('org.nestjs_wamp.docs.get'),
    receive_progress: BOOLEAN,
    progress: BOOLEAN,
    timeout: COUNT,
    forward_for: FORWARD_FOR,
  },
  // 'skip' never reaches a callee: the dealer answers the caller itself.
  'INTERRUPT.Options': {
    mode: { valid: ['kill', 'killnowait'], invalid: ['skip', 'KILL', 1] },
    forward_for: FORWARD_FOR,
  },
  'YIELD.Options': { progress: BOOLEAN, forward_for: FORWARD_FOR },
};

function describeValue(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

export const OPTION_CASES: readonly OptionCase[] = (Object.keys(KNOWN_KEYS) as CheckedDict[]).flatMap(
  (dict) =>
    Object.entries(KNOWN_KEYS[dict]).flatMap(([key, values]) => {
      const path = `${dict}.${key}`;
      const build = (value: unknown, valid: boolean): OptionCase => ({
        name: `${path} = ${describeValue(value)} (${valid ? 'valid' : 'invalid'})`,
        path,
        value,
        wmsg: CARRIERS[dict]({ [key]: value }),
        valid,
      });
      return [
        ...values.valid.map((value) => build(value, true)),
        ...values.invalid.map((value) => build(value, false)),
      ];
    }),
);

/** The dicts that may carry payload passthru keys, and what those keys are. */
export const PAYLOAD_PASSTHRU_DICTS: readonly CheckedDict[] = [
  'ERROR.Details',
  'PUBLISH.Options',
  'EVENT.Details',
  'CALL.Options',
  'RESULT.Details',
  'INVOCATION.Details',
  'YIELD.Options',
];
export const PAYLOAD_PASSTHRU_KEYS = ['enc_algo', 'ppt_scheme'] as const;

/** A payload passthru key: refused whatever its value, with `${path} is not supported: ...`. */
export interface PassthruCase {
  readonly name: string;
  readonly path: string;
  readonly wmsg: readonly unknown[];
}

export const PAYLOAD_PASSTHRU_CASES: readonly PassthruCase[] = PAYLOAD_PASSTHRU_DICTS.flatMap((dict) =>
  PAYLOAD_PASSTHRU_KEYS.flatMap((key) =>
    // A plausible value with its companion keys, and a value of the wrong type.
    [key === 'enc_algo' ? 'cryptobox' : 'mqtt', 42].map((value) => ({
      name: `${dict}.${key} = ${describeValue(value)}`,
      path: `${dict}.${key}`,
      wmsg: CARRIERS[dict](
        key === 'enc_algo'
          ? { enc_algo: value, enc_serializer: 'cbor' }
          : { ppt_scheme: value, ppt_serializer: 'native' },
      ),
    })),
  ),
);

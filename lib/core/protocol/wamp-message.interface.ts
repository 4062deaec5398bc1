import { WampMessageType } from './message-type.enum.js';

/** A WAMP dictionary (Details, Options, ArgumentsKw) as decoded from the wire. Never merged with `Object.assign`. */
export type WampDict = Readonly<Record<string, unknown>>;

/** WAMP positional payload (`Arguments|list`). */
export type WampArgs = readonly unknown[];

/** WAMP keyword payload (`ArgumentsKw|dict`). */
export type WampKwargs = WampDict;

/** An ID in [1, 2^53] (session, request, subscription, registration, publication). */
export type WampId = number;

/** A WAMP URI (procedure, topic, error or close reason). */
export type WampUri = string;

/** Payload carried by messages that end in `(Arguments|list, ArgumentsKw|dict)`; both optional. */
export interface WampPayload {
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
}

/** Role announcement in HELLO/WELCOME details: `{ features: { name: true } }`. */
export interface WampRoleDetails {
  readonly features?: Readonly<Record<string, unknown>>;
}

/** Known keys of HELLO.Details. Unknown keys are kept but not interpreted. */
export interface HelloDetails extends WampDict {
  readonly roles: Readonly<Record<string, WampRoleDetails>>;
  readonly agent?: string;
  readonly authid?: string;
  readonly authrole?: string;
  readonly authmethods?: readonly string[];
  readonly authextra?: WampDict;
}

/** Known keys of CALL.Options. */
export interface CallOptions extends WampDict {
  readonly receive_progress?: boolean;
  readonly progress?: boolean;
  readonly timeout?: number;
  readonly disclose_me?: boolean;
}

/** Known keys of CANCEL.Options. */
export interface CancelOptions extends WampDict {
  readonly mode?: 'skip' | 'kill' | 'killnowait';
}

/** Known keys of PUBLISH.Options. */
export interface PublishOptions extends WampDict {
  readonly acknowledge?: boolean;
  readonly exclude_me?: boolean;
  readonly disclose_me?: boolean;
  readonly retain?: boolean;
  readonly exclude?: readonly WampId[];
  readonly eligible?: readonly WampId[];
  readonly exclude_authid?: readonly string[];
  readonly eligible_authid?: readonly string[];
  readonly exclude_authrole?: readonly string[];
  readonly eligible_authrole?: readonly string[];
}

/** URI match policy of pattern-based subscriptions and registrations. */
export type WampMatchPolicy = 'exact' | 'prefix' | 'wildcard';

/** Known keys of SUBSCRIBE.Options. */
export interface SubscribeOptions extends WampDict {
  readonly match?: WampMatchPolicy;
  readonly get_retained?: boolean;
}

/** Known keys of REGISTER.Options. */
export interface RegisterOptions extends WampDict {
  readonly match?: WampMatchPolicy;
  readonly invoke?: 'single' | 'roundrobin' | 'random' | 'first' | 'last';
  readonly disclose_caller?: boolean;
  readonly forward_timeout?: boolean;
}

/** Known keys of YIELD.Options. */
export interface YieldOptions extends WampDict {
  readonly progress?: boolean;
}

/** `[HELLO, Realm, Details]`: a client asks to join a realm (first message of a session). */
export interface HelloMessage {
  readonly type: WampMessageType.HELLO;
  readonly realm: WampUri;
  readonly details: HelloDetails;
}
/** `[WELCOME, Session, Details]`: the router admits the session. */
export interface WelcomeMessage {
  readonly type: WampMessageType.WELCOME;
  readonly session: WampId;
  readonly details: WampDict;
}
/** `[ABORT, Details, Reason(, Args(, Kwargs))]`: ends a session that is joining (or on a protocol violation). */
export interface AbortMessage extends WampPayload {
  readonly type: WampMessageType.ABORT;
  readonly details: WampDict;
  readonly reason: WampUri;
}
/** `[CHALLENGE, AuthMethod, Extra]`: the router asks the joining client to authenticate. */
export interface ChallengeMessage {
  readonly type: WampMessageType.CHALLENGE;
  readonly authMethod: string;
  readonly extra: WampDict;
}
/** `[AUTHENTICATE, Signature, Extra]`: the client answers a CHALLENGE. */
export interface AuthenticateMessage {
  readonly type: WampMessageType.AUTHENTICATE;
  readonly signature: string;
  readonly extra: WampDict;
}
/** `[GOODBYE, Details, Reason]`: ends an established session; answered with GOODBYE. */
export interface GoodbyeMessage {
  readonly type: WampMessageType.GOODBYE;
  readonly details: WampDict;
  readonly reason: WampUri;
}
/** `[ERROR, RequestType, Request, Details, Error(, Args(, Kwargs))]`: a request failed. */
export interface ErrorMessage extends WampPayload {
  readonly type: WampMessageType.ERROR;
  readonly requestType: WampMessageType;
  readonly request: WampId;
  readonly details: WampDict;
  readonly error: WampUri;
}
/** `[PUBLISH, Request, Options, Topic(, Args(, Kwargs))]`: a client publishes an event. */
export interface PublishMessage extends WampPayload {
  readonly type: WampMessageType.PUBLISH;
  readonly request: WampId;
  readonly options: PublishOptions;
  readonly topic: WampUri;
}
/** `[PUBLISHED, PublishRequest, Publication]`: acknowledges a PUBLISH with `acknowledge: true`. */
export interface PublishedMessage {
  readonly type: WampMessageType.PUBLISHED;
  readonly request: WampId;
  readonly publication: WampId;
}
/** `[SUBSCRIBE, Request, Options, Topic]`: a client subscribes to a topic or pattern. */
export interface SubscribeMessage {
  readonly type: WampMessageType.SUBSCRIBE;
  readonly request: WampId;
  readonly options: SubscribeOptions;
  readonly topic: WampUri;
}
/** `[SUBSCRIBED, SubscribeRequest, Subscription]`: confirms a SUBSCRIBE. */
export interface SubscribedMessage {
  readonly type: WampMessageType.SUBSCRIBED;
  readonly request: WampId;
  readonly subscription: WampId;
}
/** `[UNSUBSCRIBE, Request, Subscription]`: a client drops a subscription. */
export interface UnsubscribeMessage {
  readonly type: WampMessageType.UNSUBSCRIBE;
  readonly request: WampId;
  readonly subscription: WampId;
}
/** `[UNSUBSCRIBED, UnsubscribeRequest(, Details)]`: confirms an UNSUBSCRIBE (or revokes a subscription). */
export interface UnsubscribedMessage {
  readonly type: WampMessageType.UNSUBSCRIBED;
  readonly request: WampId;
  readonly details?: WampDict;
}
/** `[EVENT, Subscription, Publication, Details(, Args(, Kwargs))]`: delivers a publication to a subscriber. */
export interface EventMessage extends WampPayload {
  readonly type: WampMessageType.EVENT;
  readonly subscription: WampId;
  readonly publication: WampId;
  readonly details: WampDict;
}
/** `[CALL, Request, Options, Procedure(, Args(, Kwargs))]`: a client calls a procedure. */
export interface CallMessage extends WampPayload {
  readonly type: WampMessageType.CALL;
  readonly request: WampId;
  readonly options: CallOptions;
  readonly procedure: WampUri;
}
/** `[CANCEL, CallRequest, Options]`: a caller cancels a call in flight. */
export interface CancelMessage {
  readonly type: WampMessageType.CANCEL;
  readonly request: WampId;
  readonly options: CancelOptions;
}
/** `[RESULT, CallRequest, Details(, Args(, Kwargs))]`: a call's (progressive or final) result. */
export interface ResultMessage extends WampPayload {
  readonly type: WampMessageType.RESULT;
  readonly request: WampId;
  readonly details: WampDict;
}
/** `[REGISTER, Request, Options, Procedure]`: a client offers to implement a procedure. */
export interface RegisterMessage {
  readonly type: WampMessageType.REGISTER;
  readonly request: WampId;
  readonly options: RegisterOptions;
  readonly procedure: WampUri;
}
/** `[REGISTERED, RegisterRequest, Registration]`: confirms a REGISTER. */
export interface RegisteredMessage {
  readonly type: WampMessageType.REGISTERED;
  readonly request: WampId;
  readonly registration: WampId;
}
/** `[UNREGISTER, Request, Registration]`: a callee withdraws a registration. */
export interface UnregisterMessage {
  readonly type: WampMessageType.UNREGISTER;
  readonly request: WampId;
  readonly registration: WampId;
}
/** `[UNREGISTERED, UnregisterRequest(, Details)]`: confirms an UNREGISTER (or revokes a registration). */
export interface UnregisteredMessage {
  readonly type: WampMessageType.UNREGISTERED;
  readonly request: WampId;
  readonly details?: WampDict;
}
/** `[INVOCATION, Request, Registration, Details(, Args(, Kwargs))]`: the router asks a callee to run a call. */
export interface InvocationMessage extends WampPayload {
  readonly type: WampMessageType.INVOCATION;
  readonly request: WampId;
  readonly registration: WampId;
  readonly details: WampDict;
}
/** `[INTERRUPT, InvocationRequest, Options]`: the router asks a callee to stop an invocation. */
export interface InterruptMessage {
  readonly type: WampMessageType.INTERRUPT;
  readonly request: WampId;
  readonly options: WampDict;
}
/** `[YIELD, InvocationRequest, Options(, Args(, Kwargs))]`: a callee's result for an invocation. */
export interface YieldMessage extends WampPayload {
  readonly type: WampMessageType.YIELD;
  readonly request: WampId;
  readonly options: YieldOptions;
}

/** Every WAMP v2 message (basic and advanced profile), as a typed structure. */
export type WampMessage =
  | HelloMessage
  | WelcomeMessage
  | AbortMessage
  | ChallengeMessage
  | AuthenticateMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishMessage
  | PublishedMessage
  | SubscribeMessage
  | SubscribedMessage
  | UnsubscribeMessage
  | UnsubscribedMessage
  | EventMessage
  | CallMessage
  | CancelMessage
  | ResultMessage
  | RegisterMessage
  | RegisteredMessage
  | UnregisterMessage
  | UnregisteredMessage
  | InvocationMessage
  | InterruptMessage
  | YieldMessage;

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
}

/** Known keys of YIELD.Options. */
export interface YieldOptions extends WampDict {
  readonly progress?: boolean;
}

export interface HelloMessage {
  readonly type: WampMessageType.HELLO;
  readonly realm: WampUri;
  readonly details: HelloDetails;
}
export interface WelcomeMessage {
  readonly type: WampMessageType.WELCOME;
  readonly session: WampId;
  readonly details: WampDict;
}
export interface AbortMessage extends WampPayload {
  readonly type: WampMessageType.ABORT;
  readonly details: WampDict;
  readonly reason: WampUri;
}
export interface ChallengeMessage {
  readonly type: WampMessageType.CHALLENGE;
  readonly authMethod: string;
  readonly extra: WampDict;
}
export interface AuthenticateMessage {
  readonly type: WampMessageType.AUTHENTICATE;
  readonly signature: string;
  readonly extra: WampDict;
}
export interface GoodbyeMessage {
  readonly type: WampMessageType.GOODBYE;
  readonly details: WampDict;
  readonly reason: WampUri;
}
export interface ErrorMessage extends WampPayload {
  readonly type: WampMessageType.ERROR;
  readonly requestType: WampMessageType;
  readonly request: WampId;
  readonly details: WampDict;
  readonly error: WampUri;
}
export interface PublishMessage extends WampPayload {
  readonly type: WampMessageType.PUBLISH;
  readonly request: WampId;
  readonly options: PublishOptions;
  readonly topic: WampUri;
}
export interface PublishedMessage {
  readonly type: WampMessageType.PUBLISHED;
  readonly request: WampId;
  readonly publication: WampId;
}
export interface SubscribeMessage {
  readonly type: WampMessageType.SUBSCRIBE;
  readonly request: WampId;
  readonly options: SubscribeOptions;
  readonly topic: WampUri;
}
export interface SubscribedMessage {
  readonly type: WampMessageType.SUBSCRIBED;
  readonly request: WampId;
  readonly subscription: WampId;
}
export interface UnsubscribeMessage {
  readonly type: WampMessageType.UNSUBSCRIBE;
  readonly request: WampId;
  readonly subscription: WampId;
}
export interface UnsubscribedMessage {
  readonly type: WampMessageType.UNSUBSCRIBED;
  readonly request: WampId;
  readonly details?: WampDict;
}
export interface EventMessage extends WampPayload {
  readonly type: WampMessageType.EVENT;
  readonly subscription: WampId;
  readonly publication: WampId;
  readonly details: WampDict;
}
export interface CallMessage extends WampPayload {
  readonly type: WampMessageType.CALL;
  readonly request: WampId;
  readonly options: CallOptions;
  readonly procedure: WampUri;
}
export interface CancelMessage {
  readonly type: WampMessageType.CANCEL;
  readonly request: WampId;
  readonly options: CancelOptions;
}
export interface ResultMessage extends WampPayload {
  readonly type: WampMessageType.RESULT;
  readonly request: WampId;
  readonly details: WampDict;
}
export interface RegisterMessage {
  readonly type: WampMessageType.REGISTER;
  readonly request: WampId;
  readonly options: RegisterOptions;
  readonly procedure: WampUri;
}
export interface RegisteredMessage {
  readonly type: WampMessageType.REGISTERED;
  readonly request: WampId;
  readonly registration: WampId;
}
export interface UnregisterMessage {
  readonly type: WampMessageType.UNREGISTER;
  readonly request: WampId;
  readonly registration: WampId;
}
export interface UnregisteredMessage {
  readonly type: WampMessageType.UNREGISTERED;
  readonly request: WampId;
  readonly details?: WampDict;
}
export interface InvocationMessage extends WampPayload {
  readonly type: WampMessageType.INVOCATION;
  readonly request: WampId;
  readonly registration: WampId;
  readonly details: WampDict;
}
export interface InterruptMessage {
  readonly type: WampMessageType.INTERRUPT;
  readonly request: WampId;
  readonly options: WampDict;
}
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

import type { WampDict } from '../protocol/wamp-message.interface.js';

/**
 * What an application authenticator decides about a principal: the role (never the client's claim), and
 * optionally a different authid and extra details announced in WELCOME.
 */
export interface WampAuthResult {
  readonly authrole: string;
  /** Defaults to the authid the client sent. */
  readonly authid?: string;
  readonly authextra?: WampDict;
}

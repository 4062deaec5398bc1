import type { WampPeer } from './wamp-peer.interface.js';

/** What a session asks to do with a URI. */
export type WampAction = 'call' | 'register' | 'subscribe' | 'publish';

/**
 * Decides, before dispatch, whether `session` may perform `action` on `uri`. A synchronous answer costs
 * nothing on the hot path; a Promise holds the session's later messages until it settles, so their order
 * is kept. Denied requests get ERROR `wamp.error.not_authorized` (a PUBLISH only when acknowledged).
 */
export type WampAuthorizer = (
  session: WampPeer,
  action: WampAction,
  uri: string,
) => boolean | Promise<boolean>;

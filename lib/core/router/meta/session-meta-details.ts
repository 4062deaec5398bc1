import type { WampPeer } from '../wamp-peer.interface.js';

/** What the meta API tells about a session (`wamp.session.get`, `wamp.session.on_join`). */
export interface SessionMetaDetails {
  readonly session: number;
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly authprovider: string;
  /** The transport's kind, serializer and whether it is encrypted; never its headers or address. */
  readonly transport: { readonly type: string; readonly protocol: string; readonly secure: boolean };
}

/** The session's facts for the meta API. */
export function sessionMetaDetails(session: WampPeer): SessionMetaDetails {
  const identity = session.identity;
  return {
    session: session.id,
    authid: identity?.authid ?? '',
    authrole: identity?.authrole ?? '',
    authmethod: identity?.authmethod ?? '',
    authprovider: identity?.authprovider ?? '',
    transport: {
      type: session.transport.type,
      protocol: session.transport.protocol,
      secure: session.transport.secure,
    },
  };
}

import type { WampPeer } from '../wamp-peer.interface.js';
import type { WampRealm } from '../wamp-realm.js';
import { sessionMetaDetails, type SessionMetaDetails } from './session-meta-details.js';

/** How a session is ended by a kill procedure. */
export interface SessionKill {
  readonly reason: string;
  readonly message?: string;
  /** Not announced on `wamp.session.on_leave` (`kill_all`, as the spec says). */
  readonly silent: boolean;
}

/**
 * The sessions the session meta API tells about and ends: those of this instance, or of every instance of a
 * cluster. `kill` ends a session wherever it is connected.
 */
export interface SessionDirectory {
  /** How many sessions there are. */
  readonly size: number;
  /** Every session's facts. */
  values(): Iterable<SessionMetaDetails>;
  /** One session's facts. */
  get(id: number): SessionMetaDetails | undefined;
  /** Ends a session; false when there is no such session. */
  kill(id: number, how: SessionKill): boolean;
}

/** The sessions of one realm on this instance. */
export class LocalSessionDirectory implements SessionDirectory {
  constructor(
    private readonly realm: WampRealm,
    /** Ends a session of this instance (the session meta API's kill, which knows about silence). */
    private readonly end: (session: WampPeer, how: SessionKill) => void,
  ) {}

  get size(): number {
    return this.realm.sessions.size;
  }

  *values(): Iterable<SessionMetaDetails> {
    for (const session of this.realm.sessions.values()) yield sessionMetaDetails(session);
  }

  get(id: number): SessionMetaDetails | undefined {
    const session = this.realm.sessions.get(id);
    return session && sessionMetaDetails(session);
  }

  kill(id: number, how: SessionKill): boolean {
    const session = this.realm.sessions.get(id);
    if (!session) return false;
    this.end(session, how);
    return true;
  }
}

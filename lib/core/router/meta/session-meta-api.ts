import { WampCloseUri, WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampArgs } from '../../protocol/wamp-message.interface.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type { WampRealm } from '../wamp-realm.js';
import { idArgument, MetaArgumentError, MetaUriError, registerMetaProcedures } from './meta-procedure.js';
import { LocalSessionDirectory, type SessionDirectory, type SessionKill } from './session-directory.js';
import { sessionMetaDetails, type SessionMetaDetails } from './session-meta-details.js';

/** The session meta procedures and topics (WAMP advanced profile, "Session Meta API"). */
export const SessionMetaUri = {
  ON_JOIN: 'wamp.session.on_join',
  ON_LEAVE: 'wamp.session.on_leave',
  COUNT: 'wamp.session.count',
  LIST: 'wamp.session.list',
  GET: 'wamp.session.get',
  KILL: 'wamp.session.kill',
  KILL_BY_AUTHID: 'wamp.session.kill_by_authid',
  KILL_BY_AUTHROLE: 'wamp.session.kill_by_authrole',
  KILL_ALL: 'wamp.session.kill_all',
} as const;

/** What the meta API parts need from the router: its URI rules and where to report their own failures. */
export interface MetaApiOptions {
  /** Whether a URI argument (a `reason`, a testament's topic) is a valid URI under the router's rules. */
  readonly isValidUri: (uri: string) => boolean;
  readonly logger: WampLogger;
}

/**
 * The Session Meta API of one realm, built on the realm's own ports as the spec's meta API is meant to be: a
 * peer of the router that registers ordinary procedures with the dealer (`wamp.session.count`, `list`, `get`,
 * `kill`, `kill_by_authid`, `kill_by_authrole`, `kill_all`) and publishes ordinary events through the broker
 * (`wamp.session.on_join` once WELCOME was sent, `wamp.session.on_leave` once the session's state is released).
 * Calls and subscriptions go through the realm's authorization like any other.
 *
 * The `kill` procedures end other sessions, so they answer `wamp.error.not_authorized` in a realm without
 * authorization (rules or an authorizer): there, every anonymous session could otherwise end every other one.
 * Configure authorization to grant them.
 */
export class SessionMetaApi {
  /** Sessions killed by `kill_all`: their leaving is not announced, as the spec says. */
  private readonly silentlyLeaving = new WeakSet<WampPeer>();
  /** The sessions told about and ended: this instance's, unless a cluster directory is given. */
  private directory: SessionDirectory;

  constructor(
    private readonly realm: WampRealm,
    private readonly options: MetaApiOptions,
  ) {
    this.directory = new LocalSessionDirectory(realm, (session, how) => this.end(session, how));
  }

  /**
   * Answers for the sessions of `directory` (every instance of a cluster) instead of this instance's; the
   * directory calls {@link SessionMetaApi.end} for sessions of this instance it is asked to kill.
   */
  useDirectory(directory: SessionDirectory): void {
    this.directory = directory;
  }

  /** Ends a session of this instance as a kill procedure asked. */
  end(session: WampPeer, how: SessionKill): void {
    if (how.silent) this.silentlyLeaving.add(session);
    void session.close(how.reason, how.message);
  }

  /** Registers the meta procedures in the realm's dealer; returns a function that removes them. */
  install(): () => void {
    return registerMetaProcedures(
      this.realm.dealer,
      {
        [SessionMetaUri.COUNT]: (call) => call.result([this.count(call)]),
        [SessionMetaUri.LIST]: (call) => call.result([this.filtered(call).map((session) => session.session)]),
        [SessionMetaUri.GET]: (call) => this.get(call),
        [SessionMetaUri.KILL]: (call) => this.kill(call),
        [SessionMetaUri.KILL_BY_AUTHID]: (call) => this.killBy(call, 'authid'),
        [SessionMetaUri.KILL_BY_AUTHROLE]: (call) => this.killBy(call, 'authrole'),
        [SessionMetaUri.KILL_ALL]: (call) => this.killAll(call),
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
  }

  /** Announces a session that joined (called once WELCOME was sent). */
  joined(session: WampPeer): void {
    this.realm.broker.publishFromServer(SessionMetaUri.ON_JOIN, [sessionMetaDetails(session)]);
  }

  /** Announces a session that left (called once its subscriptions, registrations and calls are released). */
  left(session: WampPeer): void {
    if (this.silentlyLeaving.has(session)) return;
    const identity = session.identity;
    this.realm.broker.publishFromServer(SessionMetaUri.ON_LEAVE, [
      session.id,
      identity?.authid ?? '',
      identity?.authrole ?? '',
    ]);
  }

  /** How many sessions `wamp.session.count` reports: without a filter, without listing them (a count flood). */
  private count(call: WampCall): number {
    const filter = call.args[0];
    return filter === undefined || filter === null ? this.directory.size : this.filtered(call).length;
  }

  /** The realm's sessions, filtered by `filter_authroles` (args[0]) when given. */
  private filtered(call: WampCall): SessionMetaDetails[] {
    const filter = call.args[0];
    const sessions = [...this.directory.values()];
    if (filter === undefined || filter === null) return sessions;
    if (!Array.isArray(filter) || !filter.every((role) => typeof role === 'string')) {
      throw new MetaArgumentError('filter_authroles must be a list of strings.');
    }
    const roles = new Set<string>(filter as string[]);
    return sessions.filter((session) => roles.has(session.authrole));
  }

  private get(call: WampCall): void {
    const details = this.directory.get(sessionIdOf(call.args));
    if (!details) {
      call.error(WampErrorUri.NO_SUCH_SESSION, [`No session ${String(call.args[0])} in this realm.`]);
      return;
    }
    call.result([details]);
  }

  private kill(call: WampCall): void {
    if (!this.mayKill(call)) return;
    const how = this.closing(call, false);
    const id = sessionIdOf(call.args);
    // The caller's own session is not an *other* session with that ID: no_such_session, as the spec says.
    if (id === call.caller.id || !this.directory.kill(id, how)) {
      call.error(WampErrorUri.NO_SUCH_SESSION, [`No other session ${id} in this realm.`]);
      return;
    }
    call.result();
  }

  private killBy(call: WampCall, key: 'authid' | 'authrole'): void {
    if (!this.mayKill(call)) return;
    const how = this.closing(call, false);
    const value = call.args[0];
    if (typeof value !== 'string') throw new MetaArgumentError(`${key} must be a string.`);
    const killed = [...this.directory.values()]
      .filter((session) => session.session !== call.caller.id && session[key] === value)
      .filter((session) => this.directory.kill(session.session, how));
    call.result(key === 'authid' ? [killed.map((session) => session.session)] : [killed.length]);
  }

  private killAll(call: WampCall): void {
    if (!this.mayKill(call)) return;
    const how = this.closing(call, true);
    const killed = [...this.directory.values()]
      .filter((session) => session.session !== call.caller.id)
      .filter((session) => this.directory.kill(session.session, how));
    call.result([killed.length]);
  }

  /** Whether the realm has authorization, which the kill procedures require (see the class doc). */
  private mayKill(call: WampCall): boolean {
    if (this.realm.authorizer) return true;
    call.error(WampErrorUri.NOT_AUTHORIZED, [
      `${call.procedure} ends other sessions: it is only offered in a realm with authorization that grants it.`,
    ]);
    return false;
  }

  /** GOODBYE reason and message from the `reason` and `message` keyword arguments. */
  private closing(call: WampCall, silent: boolean): SessionKill {
    const { reason, message } = call.kwargs as { reason?: unknown; message?: unknown };
    if (reason !== undefined && (typeof reason !== 'string' || !this.options.isValidUri(reason))) {
      throw new MetaUriError(`reason must be a valid, non-empty URI; got ${JSON.stringify(reason)}.`);
    }
    if (message !== undefined && typeof message !== 'string') {
      throw new MetaArgumentError('message must be a string.');
    }
    return {
      reason: (reason as string | undefined) ?? WampCloseUri.KILLED,
      message: message as string | undefined,
      silent,
    };
  }
}

function sessionIdOf(args: WampArgs): number {
  return idArgument(args, 0, 'session');
}

import type { MessageDecoderOptions } from '../protocol/message-decoder.js';
import type { RandomIdGenerator } from '../protocol/id-generator.js';
import type { WampRealm } from './wamp-realm.js';
import type { WampRouterOptions } from './wamp-router-options.interface.js';
import type { WampPeer } from './wamp-peer.interface.js';

/** What a session needs from the router that owns it (kept narrow so sessions can be tested alone). */
export interface WampRouterContext {
  readonly options: WampRouterOptions;
  readonly ids: RandomIdGenerator;
  readonly realms: ReadonlyMap<string, WampRealm>;
  /** How every session decodes its messages (one object for all sessions, not one each). */
  readonly decoderOptions: MessageDecoderOptions;
  /** Called once when a session is disposed, however it ended. */
  sessionClosed(session: WampPeer): void;
}

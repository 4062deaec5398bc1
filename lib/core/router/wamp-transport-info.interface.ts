/**
 * What the router knows about the transport a session arrived on: the negotiated subprotocol and the
 * HTTP upgrade request. Authenticators (cookies, bearer tokens, client certificates) and handlers read it
 * through the session.
 */
export interface WampTransportInfo {
  /** Transport kind; `websocket` for now (RawSocket may follow). */
  readonly type: 'websocket';
  /** Negotiated WebSocket subprotocol, e.g. `wamp.2.json`. */
  readonly protocol: string;
  /** Remote IP address as seen by the socket. */
  readonly remoteAddress?: string;
  /** Remote port as seen by the socket. */
  readonly remotePort?: number;
  /** Whether the connection is TLS (`wss://`). */
  readonly secure: boolean;
  /** The upgrade request's URL (path and query). */
  readonly url: string;
  /**
   * The upgrade request's headers (lower-case names, as Node gives them), without the fields that only
   * serve the WebSocket handshake (`connection`, `upgrade`, `sec-websocket-key`, `-version`, `-extensions`).
   */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

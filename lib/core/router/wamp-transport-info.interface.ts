/** What every transport tells the router about a connection. */
interface TransportInfoBase {
  /** Serializer name the connection negotiated, e.g. `wamp.2.json` (a WebSocket subprotocol name). */
  readonly protocol: string;
  /** Remote IP address as seen by the socket (absent on Unix sockets). */
  readonly remoteAddress?: string;
  /** Remote port as seen by the socket. */
  readonly remotePort?: number;
  /** Whether the connection is TLS (`wss://`, or RawSocket over TLS). */
  readonly secure: boolean;
}

/** A WebSocket connection: the HTTP upgrade request is known. */
export interface WebSocketTransportInfo extends TransportInfoBase {
  readonly type: 'websocket';
  /** The upgrade request's URL (path and query). */
  readonly url: string;
  /**
   * The upgrade request's headers (lower-case names, as Node gives them), without the fields that only
   * serve the WebSocket handshake (`connection`, `upgrade`, `sec-websocket-key`, `-version`, `-extensions`).
   */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A RawSocket connection (TCP or a Unix socket): no HTTP request, so no URL or headers. */
export interface RawSocketTransportInfo extends TransportInfoBase {
  readonly type: 'rawsocket';
  /** The Unix socket path, when the listener is one. */
  readonly path?: string;
}

/**
 * A peer inside the router's own process: the application calling a procedure through `WampCaller`, so a
 * handler it reaches sees who called. No socket, no address.
 */
export interface InProcessTransportInfo {
  readonly type: 'in-process';
  /** Always `in-process`: nothing is serialized. */
  readonly protocol: 'in-process';
  /** Nothing leaves the process. */
  readonly secure: true;
  readonly remoteAddress?: undefined;
  readonly remotePort?: undefined;
}

/**
 * A caller on another instance of the cluster, whose call that instance forwarded here (only a client callee of
 * this instance sees it, through caller disclosure): its own transport is known where it is connected.
 */
export interface ClusterTransportInfo {
  readonly type: 'cluster';
  /** Always `cluster`: the call came over the backplane. */
  readonly protocol: 'cluster';
  /** The instance the caller is connected to (its backplane node ID). */
  readonly node: string;
  readonly secure: boolean;
  readonly remoteAddress?: undefined;
  readonly remotePort?: undefined;
}

/**
 * What the router knows about the transport a session arrived on, by kind. Authenticators (cookies, bearer
 * tokens, client certificates) and handlers read it through the session; narrow on `type` to reach the
 * fields of one kind.
 *
 * @example
 * if (session.transport.type === 'websocket') cookie = session.transport.headers.cookie;
 */
export type WampTransportInfo =
  WebSocketTransportInfo | RawSocketTransportInfo | InProcessTransportInfo | ClusterTransportInfo;

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server as HttpServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { quoteUri } from '../core/protocol/quote-uri.js';
import { ConnectionRegistry } from '../core/router/connection-registry.js';
import type { WampLogger } from '../core/router/wamp-logger.interface.js';
import type { WampRouter } from '../core/router/wamp-router.js';
import type { SerializerRegistry } from '../core/serializers/serializer-registry.js';
import type { WampSerializer } from '../core/serializers/wamp-serializer.interface.js';
import { rejectUpgrade, UpgradeRouter } from './upgrade-router.js';
import { WebSocketConnection } from './websocket-connection.js';
import type { MessageConnection } from '../connection/message-connection.js';

/** Settings of one WAMP-over-WebSocket endpoint. */
export interface WampWebSocketEndpointOptions {
  /** URL path served, e.g. `/ws`. */
  readonly path: string;
  /** Serializers offered, in the router's order of preference when several match. */
  readonly serializers: SerializerRegistry;
  /** Largest WebSocket message `ws` accepts before closing with 1009 (above the WAMP-level limit). */
  readonly socketMaxPayload: number;
  /** permessage-deflate on or off. */
  readonly perMessageDeflate: boolean;
  /** Allowed `Origin` header values; requests without `Origin` (non-browsers) are always allowed. */
  readonly allowedOrigins?: readonly (string | RegExp)[];
  /** Milliseconds of silence after which a keepalive ping is sent (0 disables keepalive). */
  readonly pingInterval: number;
  /** Milliseconds to wait for the pong before the connection is dropped. */
  readonly pingTimeout: number;
  /** Milliseconds allowed to receive the HTTP request headers (standalone server only). */
  readonly headersTimeout: number;
  /** Milliseconds to wait, after the sessions were sent GOODBYE, before the remaining sockets are cut. */
  readonly shutdownTimeout: number;
  /** Connections accepted at once; further upgrades get HTTP 503. */
  readonly maxConnections: number;
}

/**
 * Serves WAMP over WebSocket at one path: upgrade checks (path, origin, subprotocol), the `ws` server,
 * one session per connection, keepalive pings, and a graceful close. Nest-free; `WampGateway` wires it
 * to the Nest HTTP server, and it can listen on a port of its own for apps without one.
 */
export class WampWebSocketEndpoint {
  private readonly wss: WebSocketServer;
  /**
   * Open connections (each carries its session): limit, keepalive and graceful close. Shared with the
   * router's other transports when given (`maxConnections` then counts them all).
   */
  private readonly connections: ConnectionRegistry<MessageConnection>;
  private attachedTo?: HttpServer;
  private ownServer?: HttpServer;

  constructor(
    private readonly router: WampRouter,
    private readonly options: WampWebSocketEndpointOptions,
    private readonly logger: WampLogger,
    /** The registry the router's other transports use too; a registry of its own when omitted. */
    connections?: ConnectionRegistry<MessageConnection>,
  ) {
    this.connections = connections ?? new ConnectionRegistry(router, options);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.socketMaxPayload,
      perMessageDeflate: options.perMessageDeflate,
      handleProtocols: (protocols) => options.serializers.select(protocols)?.protocol ?? false,
    });
    this.wss.on('error', (error) =>
      this.logger.error(`WebSocket server error: ${error.message}`, error.stack),
    );
  }

  /** Number of open WebSocket connections. */
  get connectionCount(): number {
    return this.openConnections.length;
  }

  /** The open WebSocket connections (e.g. to read `droppedEvents` or `socket.bufferedAmount` when monitoring). */
  get openConnections(): WebSocketConnection[] {
    return this.connections.connections.filter((connection) => connection instanceof WebSocketConnection);
  }

  /** Serves the endpoint on an existing HTTP(S) server (the Nest app's), sharing its port. */
  attach(server: HttpServer): void {
    UpgradeRouter.for(server).register(this.options.path, this.handleUpgrade);
    this.attachedTo = server;
    this.connections.startKeepalive();
  }

  /**
   * Serves the endpoint on a server of its own (standalone mode), with slowloris-safe header timeouts.
   * Plain HTTP requests are answered 426 Upgrade Required. Resolves with the bound address.
   */
  async listen(port: number, host?: string): Promise<AddressInfo> {
    const server = createServer((_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
      response.end('This endpoint speaks WAMP over WebSocket.\n');
    });
    // Node checks headersTimeout only every connectionsCheckingInterval (30 s by default): without a
    // short interval a slowloris socket lives 30 s whatever the timeout says.
    server.headersTimeout = this.options.headersTimeout;
    server.requestTimeout = this.options.headersTimeout;
    (server as HttpServer & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 500;
    server.on('clientError', (_error, socket) => socket.destroy());
    this.ownServer = server;
    this.attach(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /**
   * Graceful close within `shutdownTimeout`: refuses new connections, lets calls in flight finish for half
   * of it (then ends the rest with ERROR `wamp.error.canceled`), sends every session GOODBYE
   * `wamp.close.system_shutdown` (ABORT to those still joining), waits for the replies, then cuts the rest.
   */
  async close(): Promise<void> {
    await this.connections.close();
    if (this.attachedTo) {
      UpgradeRouter.for(this.attachedTo).unregister(this.options.path);
      this.attachedTo = undefined;
    }
    if (this.ownServer) {
      const server = this.ownServer;
      this.ownServer = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** One listener for every socket rather than a closure each. */
  private readonly onWebSocketError = (error: Error): void => {
    this.logger.debug?.(`WebSocket error: ${error.message}`);
  };

  /**
   * Serves one upgrade request. Whatever goes wrong in it (a bug, an origin check that throws) is answered
   * with HTTP 500 and logged: this runs inside the HTTP server's `upgrade` event, where an exception would
   * end the process.
   */
  private readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      this.upgrade(request, socket, head);
    } catch (error) {
      this.logger.error(
        `WebSocket upgrade of ${request.url ?? '?'} failed`,
        error instanceof Error ? error.stack : String(error),
      );
      rejectUpgrade(socket, 500, 'The WAMP router could not accept this connection.');
    }
  };

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A socket with no 'error' listener takes the process down on its first error (ws adds its own once upgraded).
    const onSocketError = (): void => {
      socket.destroy();
    };
    socket.on('error', onSocketError);
    const refusal = this.router.refusal;
    if (refusal) {
      rejectUpgrade(socket, 503, refusal);
      return;
    }
    const origin = request.headers.origin;
    if (
      origin !== undefined &&
      this.options.allowedOrigins &&
      !originAllowed(origin, this.options.allowedOrigins)
    ) {
      // Quoted cut short: the header is the client's, up to Node's 16 KB limit.
      rejectUpgrade(socket, 403, `Origin ${quoteUri(origin)} is not allowed.`);
      return;
    }
    if (!this.options.serializers.selectFromHeader(request.headers['sec-websocket-protocol'])) {
      rejectUpgrade(
        socket,
        400,
        `No supported WAMP subprotocol offered. Supported: ${this.options.serializers.protocols.join(', ')}.`,
      );
      return;
    }
    // Counted from here: a burst of handshakes must not slip past the limit before any of them completes.
    const admission = this.connections.admit();
    if (!admission.accepted) {
      rejectUpgrade(
        socket,
        503,
        admission.reason === 'full'
          ? 'The WAMP router has reached its connection limit.'
          : (this.router.refusal ?? 'The WAMP router is shutting down.'),
      );
      return;
    }
    const settle = admission.release;
    socket.once('close', settle);
    try {
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        settle();
        // Left on the socket, these listeners would keep this scope, and with it the whole upgrade request,
        // alive as long as the connection: about 1 KB per session for nothing.
        socket.off('close', settle);
        socket.off('error', onSocketError);
        try {
          this.onConnection(ws, request);
        } catch (error) {
          this.logger.error(
            'Opening a WAMP session failed',
            error instanceof Error ? error.stack : String(error),
          );
          ws.terminate();
        }
      });
    } catch (error) {
      settle();
      throw error;
    }
  }

  private onConnection(ws: WebSocket, request: IncomingMessage): void {
    ws.on('error', this.onWebSocketError);
    const serializer = this.options.serializers.get(ws.protocol) as WampSerializer;
    const socket = request.socket;
    const connection = new WebSocketConnection(
      ws,
      serializer,
      {
        type: 'websocket',
        protocol: serializer.protocol,
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        secure: (socket as TLSSocket).encrypted === true,
        url: request.url ?? this.options.path,
        headers: withoutHandshakeFields(request.headers),
      },
      this.router.outboundFlow,
      socket,
    );
    this.connections.add(connection);
    connection.attach(this.router.openSession(connection), this.connections.remove);
  }
}

function originAllowed(origin: string, allowed: readonly (string | RegExp)[]): boolean {
  return allowed.some((entry) => (typeof entry === 'string' ? entry === origin : entry.test(origin)));
}

/** Request headers that only serve the WebSocket handshake itself: nothing to learn from them afterwards. */
const HANDSHAKE_FIELDS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
]);

/**
 * The upgrade request's headers as sessions keep them for their lifetime: a compact copy without the
 * handshake fields, so that an idle session does not hold Node's header dictionary and the 24-character key.
 */
function withoutHandshakeFields(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const kept: Record<string, string | string[] | undefined> = {};
  for (const name in headers) {
    // `__proto__` would set the copy's prototype rather than a field.
    if (!HANDSHAKE_FIELDS.has(name) && name !== '__proto__') kept[name] = headers[name];
  }
  return kept;
}

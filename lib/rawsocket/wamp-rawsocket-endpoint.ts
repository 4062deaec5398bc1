import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions, type TLSSocket } from 'node:tls';
import { ConnectionRegistry } from '../core/router/connection-registry.js';
import type { WampLogger } from '../core/router/wamp-logger.interface.js';
import type { WampRouter } from '../core/router/wamp-router.js';
import type { SerializerRegistry } from '../core/serializers/serializer-registry.js';
import { RawSocketConnection } from './rawsocket-connection.js';
import type { MessageConnection } from '../connection/message-connection.js';
import {
  RAWSOCKET_MAX_PAYLOAD,
  RAWSOCKET_SERIALIZERS,
  RawSocketHandshakeError,
  acceptReply,
  errorReply,
  lengthExponent,
  parseRawSocketHandshake,
} from './rawsocket-protocol.js';

/** Settings of one WAMP-over-RawSocket endpoint. */
export interface WampRawSocketEndpointOptions {
  /** Serializers offered (RawSocket knows JSON, MessagePack and CBOR by number). */
  readonly serializers: SerializerRegistry;
  /**
   * The largest WAMP message accepted (the router's `maxPayload`). The router announces the largest power of
   * two up to twice that (at most 16 MiB): a frame between the two gets ERROR `payload_size_exceeded` from the
   * session, as on WebSocket; a frame above the announced maximum closes the connection.
   */
  readonly maxPayload: number;
  /** Milliseconds a new connection may take to send its 4-octet handshake. */
  readonly handshakeTimeout: number;
  /** Milliseconds of silence after which a keepalive PING is sent (0 disables keepalive). */
  readonly pingInterval: number;
  /** Milliseconds to wait for the PONG before the connection is cut. */
  readonly pingTimeout: number;
  /** Milliseconds the graceful close may take before the remaining connections are cut. */
  readonly shutdownTimeout: number;
  /** Connections accepted at once; more get handshake error 4 (maximum connection count reached). */
  readonly maxConnections: number;
}

/** Where a RawSocket listener of its own listens: a TCP port (optionally TLS) or a Unix socket path. */
export type RawSocketListenTarget =
  { readonly port: number; readonly host?: string; readonly tls?: TlsOptions } | { readonly path: string };

/**
 * Serves WAMP over RawSocket: the 4-octet handshake (serializer, maximum lengths, the spec's error answers),
 * then one session per connection over {@link RawSocketConnection}. Listens on a TCP port (plain or TLS) or a
 * Unix socket path of its own, and can take connections another server sniffed as RawSocket (the Nest app's
 * HTTP port, see `SharedPortSniffer`). Nest-free, like the WebSocket endpoint, and sharing its connection layer.
 */
export class WampRawSocketEndpoint {
  /** Open connections: limit, keepalive, graceful close; shared with the router's other transports when given. */
  private readonly connections: ConnectionRegistry<MessageConnection>;
  private readonly servers: Server[] = [];
  /** Sockets still in their handshake, or refused and closing: cut when the endpoint closes. */
  private readonly pending = new Set<Socket>();
  /** The maximum this router announces, in octets. */
  readonly maxLength: number;

  constructor(
    private readonly router: WampRouter,
    private readonly options: WampRawSocketEndpointOptions,
    private readonly logger: WampLogger,
    /** The registry the router's other transports use too; a registry of its own when omitted. */
    connections?: ConnectionRegistry<MessageConnection>,
  ) {
    this.connections = connections ?? new ConnectionRegistry(router, options);
    this.maxLength = 2 ** (9 + lengthExponent(Math.min(RAWSOCKET_MAX_PAYLOAD + 1, 2 * options.maxPayload)));
  }

  /** Number of open RawSocket connections. */
  get connectionCount(): number {
    return this.openConnections.length;
  }

  /** The open RawSocket connections. */
  get openConnections(): RawSocketConnection[] {
    return this.connections.connections.filter((connection) => connection instanceof RawSocketConnection);
  }

  /** Listens on a port or Unix socket path of its own; resolves with the bound address (or the path). */
  async listen(target: RawSocketListenTarget): Promise<AddressInfo | string> {
    const server =
      'port' in target && target.tls
        ? createTlsServer(target.tls, (socket) => this.accept(socket, { secure: true }))
        : createTcpServer((socket) =>
            this.accept(socket, { secure: false, path: 'path' in target ? target.path : undefined }),
          );
    // A TLS handshake that fails is the client's problem, not the process's.
    server.on('tlsClientError', (_error: Error, socket: TLSSocket) => socket.destroy());
    server.on('error', (error) => this.logger.error(`RawSocket server error: ${error.message}`, error.stack));
    this.servers.push(server);
    this.connections.startKeepalive();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = (): void => {
        server.off('error', reject);
        resolve();
      };
      if ('path' in target) server.listen(target.path, done);
      else server.listen(target.port, target.host, done);
    });
    return server.address() as AddressInfo | string;
  }

  /**
   * Takes a new connection. `initial`: its first bytes when whoever sniffed it as RawSocket already read them
   * (possibly fewer than 4); `secure` when it arrived over TLS; `path` the Unix socket it came through.
   */
  accept(socket: Socket, arrival: { secure: boolean; path?: string; initial?: Buffer }): void {
    socket.on('error', this.onSocketError);
    socket.setNoDelay?.(true);
    this.connections.startKeepalive();
    this.pending.add(socket);
    socket.once('close', () => this.pending.delete(socket));
    let received = arrival.initial ?? Buffer.alloc(0);
    if (received.length >= 4) {
      socket.pause();
      this.handshake(socket, arrival, received.subarray(0, 4), received.subarray(4));
      return;
    }
    // A handshake trickled a byte at a time, or never sent, is cut at the timeout.
    const timer = setTimeout(() => socket.destroy(), this.options.handshakeTimeout);
    timer.unref();
    const onClose = (): void => clearTimeout(timer);
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      clearTimeout(timer);
      socket.pause();
      this.handshake(socket, arrival, received.subarray(0, 4), received.subarray(4));
    };
    socket.on('close', onClose);
    socket.on('data', onData);
  }

  private readonly onSocketError = (error: Error): void => {
    this.logger.debug?.(`RawSocket error: ${error.message}`);
  };

  private handshake(
    socket: Socket,
    arrival: { secure: boolean; path?: string },
    octets: Buffer,
    rest: Buffer,
  ): void {
    const parsed = parseRawSocketHandshake(octets);
    if (!parsed.ok) {
      if (parsed.error === 'not_rawsocket') socket.destroy();
      else this.refuse(socket, parsed.error);
      return;
    }
    const protocol = RAWSOCKET_SERIALIZERS[parsed.serializerId];
    const serializer = protocol === undefined ? undefined : this.options.serializers.get(protocol);
    if (!serializer) {
      this.refuse(socket, RawSocketHandshakeError.SERIALIZER_UNSUPPORTED);
      return;
    }
    const admission = this.connections.admit();
    if (!admission.accepted) {
      // The spec has no "shutting down" answer: the closest is the connection limit.
      this.refuse(socket, RawSocketHandshakeError.MAX_CONNECTIONS_REACHED);
      return;
    }
    admission.release();
    try {
      socket.write(acceptReply(this.maxLength, parsed.serializerId));
      const connection = new RawSocketConnection(
        socket,
        serializer,
        {
          type: 'rawsocket',
          protocol: serializer.protocol,
          remoteAddress: socket.remoteAddress,
          remotePort: socket.remotePort,
          secure: arrival.secure,
          path: arrival.path,
        },
        this.router.outboundFlow,
        { peerMaxLength: parsed.clientMaxLength, maxLength: this.maxLength },
      );
      this.pending.delete(socket);
      this.connections.add(connection);
      connection.attach(this.router.openSession(connection), this.connections.remove);
      if (rest.length > 0) connection.feed(rest);
      socket.resume();
    } catch (error) {
      this.logger.error(
        'Opening a WAMP session failed',
        error instanceof Error ? error.stack : String(error),
      );
      socket.destroy();
    }
  }

  /** Answers a handshake with one of the spec's errors, then closes. */
  private refuse(socket: Socket, error: RawSocketHandshakeError): void {
    socket.end(errorReply(error));
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  /**
   * Graceful close within `shutdownTimeout`, as the WebSocket endpoint does (the router's shutdown is shared:
   * whichever endpoint closes first runs it), then stops listening.
   */
  async close(): Promise<void> {
    await this.connections.close();
    // A server closes only once its last socket has: those that never became a session go now.
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
    await Promise.all(
      this.servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}

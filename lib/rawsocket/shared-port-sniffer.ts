import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { RAWSOCKET_MAGIC } from './rawsocket-protocol.js';
import type { WampRawSocketEndpoint } from './wamp-rawsocket-endpoint.js';

/**
 * Serves RawSocket on an HTTP(S) server's port, next to HTTP and WebSocket, by looking at each connection's
 * first byte: 0x7F starts every RawSocket handshake and never an HTTP request (a method name) or, on an HTTPS
 * port, a decrypted HTTP request. The byte is read, then given back (`unshift`) before the HTTP server sees
 * the connection, so HTTP requests and WebSocket upgrades are served as before. On an HTTPS server the sniffing
 * happens after TLS (`secureConnection`): RawSocket there runs over TLS.
 *
 * @example
 * const detach = SharedPortSniffer.attach(app.getHttpServer(), rawSocketEndpoint, 10_000);
 */
export class SharedPortSniffer {
  /**
   * Takes over `server`'s connection listeners; returns what gives them back. `timeout`: how long a new
   * connection may stay silent before it is cut (an HTTP client always speaks first).
   */
  static attach(server: HttpServer, endpoint: WampRawSocketEndpoint, timeout: number): () => void {
    const secure = server instanceof TlsServer;
    const event = secure ? 'secureConnection' : 'connection';
    const listeners = server.listeners(event) as ((socket: Socket) => void)[];
    server.removeAllListeners(event);
    const sniff = (socket: Socket): void => {
      const timer = setTimeout(() => socket.destroy(), timeout);
      timer.unref();
      // A connection that closes without a byte must not keep its timer (and this scope) for the timeout.
      socket.once('close', () => clearTimeout(timer));
      const onError = (): void => {
        clearTimeout(timer);
        socket.destroy();
      };
      socket.on('error', onError);
      socket.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.pause();
        if (chunk[0] === RAWSOCKET_MAGIC) {
          endpoint.accept(socket, { secure, initial: chunk });
          return;
        }
        socket.unshift(chunk);
        for (const listener of listeners) listener.call(server, socket);
        socket.resume();
      });
    };
    server.on(event, sniff);
    return () => {
      server.off(event, sniff);
      for (const listener of listeners) server.on(event, listener);
    };
  }
}

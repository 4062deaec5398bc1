import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';

/** Handles one upgrade request that the router matched to its path. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

type Emit = HttpServer['emit'];

const routers = new WeakMap<HttpServer, UpgradeRouter>();

/**
 * Routes HTTP `upgrade` requests of one server by path, before any other `upgrade` listener sees them.
 *
 * Nest's stock `WsAdapter` (and engine.io) put one `upgrade` listener on the server and destroy every
 * socket whose path they do not know, so a WAMP endpoint that merely added its own listener beside them
 * would see its connections killed right after the handshake. Intercepting `emit('upgrade')` lets the
 * WAMP paths be served first while every other path still reaches the other listeners untouched.
 *
 * @example
 * UpgradeRouter.for(httpServer).register('/ws', (request, socket, head) => wss.handleUpgrade(...));
 */
export class UpgradeRouter {
  private readonly handlers = new Map<string, UpgradeHandler>();
  private readonly originalEmit: Emit;

  private constructor(private readonly server: HttpServer) {
    this.originalEmit = server.emit;
    const route = (request: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
      const handler = this.handlers.get(pathOf(request.url));
      if (!handler) return false;
      try {
        handler(request, socket, head);
      } catch {
        // Handlers answer their own failures; this is the last guard, as a throw here would end the process.
        rejectUpgrade(socket, 500, 'Internal error.');
      }
      return true;
    };
    const originalEmit = this.originalEmit;
    server.emit = function (this: HttpServer, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'upgrade' && route(args[0] as IncomingMessage, args[1] as Duplex, args[2] as Buffer))
        return true;
      return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
    } as Emit;
    // Node treats a request as an upgrade only when the server has an `upgrade` listener.
    server.on('upgrade', this.onUnroutedUpgrade);
  }

  /** The router of `server`, created on first use. */
  static for(server: HttpServer): UpgradeRouter {
    let router = routers.get(server);
    if (!router) {
      router = new UpgradeRouter(server);
      routers.set(server, router);
    }
    return router;
  }

  /** Serves upgrades to `path` (exact match of the URL's path, query ignored) with `handler`. */
  register(path: string, handler: UpgradeHandler): void {
    if (this.handlers.has(path))
      throw new Error(`A WAMP endpoint is already attached at path "${path}" on this server.`);
    this.handlers.set(path, handler);
  }

  /** Stops serving `path`; the last one to leave restores the server as it was. */
  unregister(path: string): void {
    this.handlers.delete(path);
    if (this.handlers.size > 0) return;
    this.server.emit = this.originalEmit;
    this.server.removeListener('upgrade', this.onUnroutedUpgrade);
    routers.delete(this.server);
  }

  /** An upgrade for a path nobody serves: answer 404 unless another listener is there to handle it. */
  private readonly onUnroutedUpgrade = (_request: IncomingMessage, socket: Duplex): void => {
    if (this.server.listenerCount('upgrade') > 1) return;
    rejectUpgrade(socket, 404, 'No WebSocket endpoint at this path.');
  };
}

/** The path part of a request URL (`/ws?x=1` -> `/ws`). */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, body: string): void {
  if (socket.writable) {
    const text = `${body}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
        'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  Optional,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { Server as HttpServer } from 'node:http';
import { WampRouter } from '../core/router/wamp-router.js';
import { WampTransport } from '../transport/wamp.server.js';
import type { ResolvedWampOptions } from '../wamp-options.resolver.js';
import { WAMP_RESOLVED_OPTIONS } from '../wamp.constants.js';
import { WampWebSocketEndpoint } from '../websocket/wamp-websocket-endpoint.js';
import { WampRawSocketEndpoint } from '../rawsocket/wamp-rawsocket-endpoint.js';
import { SharedPortSniffer } from '../rawsocket/shared-port-sniffer.js';
import type { AddressInfo } from 'node:net';
import { ConnectionRegistry } from '../core/router/connection-registry.js';
import type { MessageConnection } from '../connection/message-connection.js';

/** How long after the server listens the transport may take to start before the gateway warns. */
const TRANSPORT_START_GRACE = 1000;

/**
 * The Nest side of the WebSocket gateway: at bootstrap it attaches the WAMP endpoint to the app's HTTP
 * server (Express or Fastify, sharing the port with HTTP routes and other WebSocket gateways) or, in
 * standalone mode, listens on its own port; on `app.close()` it says GOODBYE to every session before Nest
 * closes the HTTP server, so shutdown does not hang on open WebSockets.
 */
@Injectable()
export class WampGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WampGateway');
  /** The endpoint serving WAMP over WebSocket. */
  readonly endpoint: WampWebSocketEndpoint;
  /** The RawSocket endpoint, when the `rawSocket` option is set. */
  readonly rawSocketEndpoint?: WampRawSocketEndpoint;
  /** Where RawSocket listens on its own (`tcp://host:port`, `tcps://…`, `unix:/path`), once listening. */
  readonly rawSocketAddresses: string[] = [];
  private listening?: string;
  private stopSniffing?: () => void;

  constructor(
    @Inject(WAMP_RESOLVED_OPTIONS) private readonly options: ResolvedWampOptions,
    readonly router: WampRouter,
    private readonly moduleRef: ModuleRef,
    private readonly transport: WampTransport,
    @Optional() private readonly httpAdapterHost?: HttpAdapterHost,
  ) {
    // One registry for every transport: `maxConnections` counts WebSocket and RawSocket connections together.
    const connections = new ConnectionRegistry<MessageConnection>(router, options.endpoint);
    this.endpoint = new WampWebSocketEndpoint(router, options.endpoint, this.logger, connections);
    if (options.rawSocket) {
      this.rawSocketEndpoint = new WampRawSocketEndpoint(
        router,
        options.rawSocket.endpoint,
        this.logger,
        connections,
      );
    }
  }

  /** Where the endpoint can be reached, e.g. `/ws` on the app's server or `ws://127.0.0.1:9000/ws`. */
  get address(): string | undefined {
    return this.listening;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.checkAuthenticators();
    await this.listenRawSocket();
    const { port, host, endpoint } = this.options;
    if (port !== undefined) {
      const address = await this.endpoint.listen(port, host);
      this.listening = `ws://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}${endpoint.path}`;
      this.logger.log(`WAMP router listening on ${this.listening}`);
      this.expectTransportStarted();
      return;
    }
    const server = this.httpAdapterHost?.httpAdapter?.getHttpServer() as HttpServer | undefined;
    if (!server) {
      throw new Error(
        'WampModule: this application has no HTTP server to share (NestFactory.createMicroservice or ' +
          'createApplicationContext). Set the "port" option to let the WAMP router listen on its own port.',
      );
    }
    this.endpoint.attach(server);
    if (this.rawSocketEndpoint && this.options.rawSocket?.shareHttpPort) {
      this.stopSniffing = SharedPortSniffer.attach(
        server,
        this.rawSocketEndpoint,
        this.options.rawSocket.endpoint.handshakeTimeout,
      );
      this.logger.log("WAMP router serving RawSocket on the application's HTTP port too");
    }
    this.listening = endpoint.path;
    this.logger.log(
      `WAMP router serving WebSocket upgrades at ${endpoint.path} on the application's HTTP server`,
    );
    if (server.listening) this.expectTransportStarted();
    else server.once('listening', () => this.expectTransportStarted());
  }

  /**
   * Clients can connect as soon as the endpoint listens, but procedures are served only once Nest starts the
   * transport: a forgotten `connectMicroservice` / `startAllMicroservices` would leave every CALL answered
   * `no_such_procedure` without a word. Checked shortly after the server listens, as apps may start the
   * microservices just after `listen()`.
   */
  /** Listens for RawSocket on the port and/or Unix socket of its own the options name. */
  private async listenRawSocket(): Promise<void> {
    const settings = this.options.rawSocket;
    const rawSocket = this.rawSocketEndpoint;
    if (!settings || !rawSocket) return;
    if (settings.shareHttpPort && this.options.port !== undefined) {
      throw new Error(
        'WampModule: rawSocket.shareHttpPort needs the application\'s HTTP server, but "port" makes the router ' +
          'listen on a port of its own; set rawSocket.port instead.',
      );
    }
    if (settings.port !== undefined) {
      const address = (await rawSocket.listen({
        port: settings.port,
        host: settings.host,
        tls: settings.tls,
      })) as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      this.rawSocketAddresses.push(`${settings.tls ? 'tcps' : 'tcp'}://${host}:${address.port}`);
    }
    if (settings.path !== undefined) {
      await rawSocket.listen({ path: settings.path });
      this.rawSocketAddresses.push(`unix:${settings.path}`);
    }
    for (const address of this.rawSocketAddresses)
      this.logger.log(`WAMP router listening for RawSocket on ${address}`);
  }

  private expectTransportStarted(): void {
    const timer = setTimeout(() => {
      if (this.transport.isListening) return;
      this.transport.stopWatchingAppConfig();
      this.logger.warn(
        `WampTransport was never started: WAMP clients can connect to ${this.listening ?? 'the endpoint'}, but every ` +
          'CALL gets wamp.error.no_such_procedure and no @EventPattern or @WampSubscription handler runs. In main.ts, ' +
          'before app.listen(): app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true }); ' +
          'await app.startAllMicroservices();',
      );
    }, TRANSPORT_START_GRACE);
    timer.unref();
  }

  /** Fails at startup, not at the first HELLO, when an authenticator class is not a provider. */
  private checkAuthenticators(): void {
    for (const realm of this.options.realms) {
      for (const reference of [...Object.values(realm.auth ?? {}), realm.authorization?.authorizer]) {
        if (typeof reference !== 'function') continue;
        try {
          this.moduleRef.get(reference as Type<unknown>, { strict: false });
        } catch {
          throw new Error(
            `WampModule: realm "${realm.name}" uses authenticator ${(reference as Type<unknown>).name}, which is not ` +
              'a provider of any module; add it to the providers of a module of the application.',
          );
        }
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopSniffing?.();
    await Promise.all([this.endpoint.close(), this.rawSocketEndpoint?.close()]);
  }
}

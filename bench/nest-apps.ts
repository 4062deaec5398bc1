/**
 * The Nest applications the benchmark servers run, started the way the README tells users to: the WAMP
 * module on the app's HTTP server with the transport connected as a microservice, or a Socket.IO gateway
 * with `IoAdapter`; both on 127.0.0.1 with a free port, without logging.
 */
import 'reflect-metadata';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WampModule, WampTransport, type WampModuleOptions } from '../lib/index.js';

/** The port an app listens on. */
export function portOf(app: INestApplication): number {
  return ((app.getHttpServer() as Server).address() as AddressInfo).port;
}

/** A Nest app importing `WampModule.forRoot(options)`, serving `controllers` over WAMP, listening. */
export async function startWampApp(options: WampModuleOptions, controllers: Type[] = []): Promise<INestApplication> {
  @Module({ imports: [WampModule.forRoot(options)], controllers })
  class BenchWampModule {}
  const app = await NestFactory.create(BenchWampModule, { logger: false, abortOnError: false });
  app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  return app;
}

/** A Nest app with one Socket.IO `gateway` (Nest's `IoAdapter`), listening. */
export async function startSocketIoApp(gateway: Type): Promise<INestApplication> {
  @Module({ providers: [gateway] })
  class BenchSocketIoModule {}
  const app = await NestFactory.create(BenchSocketIoModule, { logger: false, abortOnError: false });
  app.useWebSocketAdapter(new IoAdapter(app));
  await app.listen(0, '127.0.0.1');
  return app;
}

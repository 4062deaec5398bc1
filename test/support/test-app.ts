import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WampModule, WampTransport, type WampModuleOptions } from '../../lib/index.js';

/** The HTTP platforms the e2e suites run on. */
export type Platform = 'express' | 'fastify';

/** A running Nest app with WAMP, bound to 127.0.0.1 on a free port. */
export interface RunningApp {
  readonly app: INestApplication;
  /** `ws://127.0.0.1:<port>` (append the path). */
  readonly baseUrl: string;
  /** `ws://127.0.0.1:<port>/ws` (or the configured path). */
  readonly url: string;
  readonly port: number;
}

/** What {@link startApp} builds. */
export interface TestAppSetup {
  readonly wamp?: WampModuleOptions;
  readonly platform?: Platform;
  readonly imports?: (Type | DynamicModule)[];
  readonly controllers?: Type[];
  readonly providers?: Provider[];
  /** Runs after the app is created and before it listens (e.g. `useWebSocketAdapter`). */
  readonly configure?: (app: INestApplication) => void;
  /** Connect the WAMP transport as a hybrid microservice (default true), with `inheritAppConfig`. */
  readonly transport?: boolean;
  /** `inheritAppConfig` for the transport (default true). */
  readonly inheritAppConfig?: boolean;
  /**
   * Serve HTTPS (and so `wss://`) with this key and certificate (PEM): Express gets them as
   * `httpsOptions`, Fastify as `new FastifyAdapter({ https })`. `url` and `baseUrl` then start with `wss://`.
   */
  readonly https?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

/**
 * Starts an existing root module (e.g. the sample app's `AppModule`) the way sample-app/src/main.ts
 * does: `NestFactory.create`, the WAMP transport connected as a hybrid microservice with
 * `inheritAppConfig` (unless `transport` is false), then `listen` - here on `platform`, on
 * 127.0.0.1:0, with `logger: false, abortOnError: false`. `path` is the WAMP path the module serves
 * (default `/ws`), used to build `url`. The app is closed if starting fails half-way.
 */
export async function startModule(
  module: Type,
  platform: Platform = 'express',
  { path = '/ws', transport = true }: { path?: string; transport?: boolean } = {},
): Promise<RunningApp> {
  const options = { logger: false as const, abortOnError: false };
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  try {
    if (transport) {
      app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
      await app.startAllMicroservices();
    }
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  const baseUrl = `ws://127.0.0.1:${port}`;
  return { app, baseUrl, url: `${baseUrl}${path}`, port };
}

/** Starts a Nest app importing `WampModule.forRoot(wamp)` on `platform`, listening on 127.0.0.1:0. */
export async function startApp(setup: TestAppSetup = {}): Promise<RunningApp> {
  const options = setup.wamp ?? {};
  @Module({
    imports: [WampModule.forRoot(options), ...(setup.imports ?? [])],
    controllers: setup.controllers ?? [],
    providers: setup.providers ?? [],
  })
  class TestAppModule {}
  const https = setup.https ? { key: setup.https.key, cert: setup.https.cert } : undefined;
  const app =
    setup.platform === 'fastify'
      ? await NestFactory.create(TestAppModule, new FastifyAdapter(https ? { https } : undefined), {
          logger: false,
          abortOnError: false,
        })
      : await NestFactory.create(TestAppModule, {
          logger: false,
          abortOnError: false,
          ...(https ? { httpsOptions: https } : {}),
        });
  try {
    setup.configure?.(app);
    if (setup.transport !== false) {
      app.connectMicroservice(
        { strategy: app.get(WampTransport) },
        { inheritAppConfig: setup.inheritAppConfig ?? true },
      );
      await app.startAllMicroservices();
    }
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  const baseUrl = `${https ? 'wss' : 'ws'}://127.0.0.1:${port}`;
  return { app, baseUrl, url: `${baseUrl}${options.path ?? '/ws'}`, port };
}

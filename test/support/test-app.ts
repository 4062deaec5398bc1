import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WampModule, type WampModuleOptions } from '../../lib/index.js';

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
  readonly providers?: Type[];
  /** Runs after the app is created and before it listens (e.g. `useWebSocketAdapter`). */
  readonly configure?: (app: INestApplication) => void;
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
  const app =
    setup.platform === 'fastify'
      ? await NestFactory.create(TestAppModule, new FastifyAdapter(), { logger: false, abortOnError: false })
      : await NestFactory.create(TestAppModule, { logger: false, abortOnError: false });
  setup.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  const baseUrl = `ws://127.0.0.1:${port}`;
  return { app, baseUrl, url: `${baseUrl}${options.path ?? '/ws'}`, port };
}

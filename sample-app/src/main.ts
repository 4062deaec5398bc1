import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WampGateway, WampTransport } from '../../lib/index.js';
import { AppModule } from './app.module.js';
import { AppConfig } from './config/app-config.js';

/**
 * Starts the sample app: HTTP (the page at `/`) and WAMP (`/ws`, realm `realm1`) on one port, RawSocket on
 * that port too and on `RAWSOCKET_PORT`.
 */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks(); // Ctrl-C closes WAMP sessions politely and flushes the database
  const { port, host } = app.get(AppConfig);

  // The three lines that make the Nest app a WAMP router:
  app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(port, host);

  const url = await app.getUrl(); // the port actually bound (PORT=0 picks a free one)
  new Logger('SampleApp').log(
    `Page at ${url}/, WAMP router at ${url.replace(/^http/, 'ws')}/ws, realm "realm1"; RawSocket at ` +
      `${[...app.get(WampGateway).rawSocketAddresses, url.replace(/^http/, 'tcp')].join(' and ')}`,
  );
}

void bootstrap();

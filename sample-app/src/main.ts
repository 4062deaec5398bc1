import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WampTransport } from '../../lib/index.js';
import { AppModule } from './app.module.js';

/** Starts the sample app: HTTP and WAMP (`ws://127.0.0.1:PORT/ws`, realm `realm1`) on one port. */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  const port = Number(process.env.PORT ?? 8080);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  new Logger('SampleApp').log(`WAMP router at ws://127.0.0.1:${port}/ws, realm "realm1"`);
}

void bootstrap();

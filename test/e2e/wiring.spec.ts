import 'reflect-metadata';
import { Controller, Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, type AsyncMicroserviceOptions } from '@nestjs/microservices';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WampModule, WampTransport, WampGateway } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';

/**
 * Mis-wiring is reported at startup: a transport that was never started (every CALL would get
 * no_such_procedure) and handlers built without the app's global enhancers (no ValidationPipe, no guards, no
 * exception mapping). A correctly wired app, in any order Nest allows, gets no warning.
 */

@Controller()
class HelloController {
  @MessagePattern('wiring.hello')
  hello(): string {
    return 'hello';
  }
}

@Module({ imports: [WampModule.forRoot()], controllers: [HelloController] })
class WiringModule {}

@Module({ imports: [WampModule.forRoot({ port: 0, host: '127.0.0.1' })], controllers: [HelloController] })
class StandaloneModule {}

/** Keeps every warning Nest and the module log. */
function warningLogger(): LoggerService & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    log: () => undefined,
    error: () => undefined,
    warn: (message: unknown) => {
      warnings.push(String(message));
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const NEVER_STARTED = /WampTransport was never started/;
const NO_ENHANCERS = /WAMP handlers were built without the application's global pipes/;

type Wiring = 'inherit' | 'no-inherit' | 'listen-first' | 'never';

async function start(wiring: Wiring) {
  const logger = warningLogger();
  const app = await NestFactory.create(WiringModule, { logger, abortOnError: false });
  if (wiring === 'inherit' || wiring === 'no-inherit') {
    app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: wiring === 'inherit' });
    await app.startAllMicroservices();
  }
  await app.listen(0, '127.0.0.1');
  if (wiring === 'listen-first') {
    app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  return { app, logger, url: `ws://127.0.0.1:${port}/ws` };
}

describe('mis-wiring is reported at startup', () => {
  it.each<[Wiring, RegExp[], boolean]>([
    ['inherit', [], true],
    ['listen-first', [], true],
    ['no-inherit', [NO_ENHANCERS], true],
    ['never', [NEVER_STARTED], false],
  ])('%s: warnings %p, procedure served: %p', async (wiring, expected, served) => {
    const { app, logger, url } = await start(wiring);
    try {
      await sleep(1300); // the gateway's grace for the transport to start
      const relevant = logger.warnings.filter(
        (warning) => NEVER_STARTED.test(warning) || NO_ENHANCERS.test(warning),
      );
      expect(relevant).toHaveLength(expected.length);
      expected.forEach((pattern, index) => expect(relevant[index]).toMatch(pattern));
      const { client } = await RawWampClient.join(url);
      client.send([48, 1, {}, 'wiring.hello']);
      const answer = (await client.next()) as unknown[];
      expect(answer[0] === 50 ? 'served' : answer[4]).toBe(
        served ? 'served' : 'wamp.error.no_such_procedure',
      );
      client.terminate();
    } finally {
      await app.close();
    }
  });

  it('a standalone microservice (own port) gets no warning', async () => {
    const logger = warningLogger();
    const app = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(StandaloneModule, {
      logger,
      abortOnError: false,
      inject: [WampTransport],
      useFactory: (transport: WampTransport) => ({ strategy: transport }),
    });
    await app.listen();
    try {
      await sleep(1300);
      expect(
        logger.warnings.filter((warning) => NEVER_STARTED.test(warning) || NO_ENHANCERS.test(warning)),
      ).toEqual([]);
      const { client } = await RawWampClient.join(app.get(WampGateway).address as string);
      client.send([48, 1, {}, 'wiring.hello']);
      expect(((await client.next()) as unknown[])[0]).toBe(50);
      client.terminate();
    } finally {
      await app.close();
    }
  });
});

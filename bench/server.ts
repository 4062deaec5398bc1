/**
 * One benchmark server, run as its own process by bench/run.ts:
 *   node --import @swc-node/register/esm-register bench/server.ts <variant>
 * Listens on 127.0.0.1 (free port), prints `READY <port>` on stdout, and exits when its stdin closes (the
 * runner went away) or after a watchdog. Every variant answers the same call, `bench.echo` with kwargs
 * `{ name, n }`, with `n`.
 */
import 'reflect-metadata';
import {
  Controller,
  Injectable,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { IsInt, IsString } from 'class-validator';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { map, type Observable } from 'rxjs';
import WebSocket, { WebSocketServer } from 'ws';
import {
  WampContract,
  type WampCallPayload,
  type WampContext,
  type WampContractPayload,
  type WampProcedureContract,
} from '../lib/index.js';
import { PrometheusWampMetrics } from '../lib/prometheus/index.js';
import { announceReady, exitWithOrchestrator, runServerMain } from './child-process.js';
import { portOf, startSocketIoApp, startWampApp } from './nest-apps.js';

export const VARIANTS = [
  'raw-ws',
  'raw-ws-corked',
  'sio-nest',
  'sio-pipeline',
  'fox-routed',
  'wamp-routed',
  'wamp-bare',
  'wamp-pipeline',
  'wamp-guard',
  'wamp-pipe',
  'wamp-interceptor',
  'wamp-schema',
  'wamp-zod',
  'wamp-metrics',
] as const;
export type ServerVariant = (typeof VARIANTS)[number];

export const PROCEDURE = 'bench.echo';
export const REALM = 'realm1';

class EchoDto {
  @IsString()
  name!: string;

  @IsInt()
  n!: number;
}

@Injectable()
class AnonymousGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToRpc().getContext<WampContext>().session.authrole === 'anonymous';
  }
}

/** The same check for Socket.IO: the client socket is connected. */
@Injectable()
class ConnectedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToWs().getClient<{ connected: boolean }>().connected;
  }
}

@Injectable()
class PassThroughInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => value));
  }
}

/** The full Nest pipeline: a guard, a ValidationPipe DTO and an interceptor. */
@Controller()
class PipelineController {
  @MessagePattern(PROCEDURE)
  @UseGuards(AnonymousGuard)
  @UseInterceptors(PassThroughInterceptor)
  echo(@Payload('kwargs', new ValidationPipe({ whitelist: true })) dto: EchoDto): number {
    return dto.n;
  }
}

/** The guard alone (to split the pipeline's cost). */
@Controller()
class GuardOnlyController {
  @MessagePattern(PROCEDURE)
  @UseGuards(AnonymousGuard)
  echo(@Payload() payload: WampCallPayload): number {
    return (payload.kwargs as { n: number }).n;
  }
}

/** The ValidationPipe DTO alone. */
@Controller()
class PipeOnlyController {
  @MessagePattern(PROCEDURE)
  echo(@Payload('kwargs', new ValidationPipe({ whitelist: true })) dto: EchoDto): number {
    return dto.n;
  }
}

/** The same check as EchoDto, as a JSON Schema contract (compiled once by ajv, checked before the pipeline). */
const EchoJsonSchema = {
  kwargs: {
    type: 'object',
    properties: { name: { type: 'string' }, n: { type: 'integer' } },
    required: ['name', 'n'],
  },
} satisfies WampProcedureContract;

/** The same check as a zod contract (a Standard Schema validator). */
const EchoZod = {
  kwargs: z.object({ name: z.string(), n: z.number().int() }),
} satisfies WampProcedureContract;

/** A contract validated by a compiled JSON Schema (ajv). */
@Controller()
class SchemaController {
  @MessagePattern(PROCEDURE)
  @WampContract(EchoJsonSchema)
  echo(@Payload() payload: WampCallPayload): number {
    return (payload.kwargs as { n: number }).n;
  }
}

/** A contract validated by zod. */
@Controller()
class ZodController {
  @MessagePattern(PROCEDURE)
  @WampContract(EchoZod)
  echo(@Payload() { kwargs }: WampContractPayload<typeof EchoZod>): number {
    return kwargs.n;
  }
}

/** The interceptor alone. */
@Controller()
class InterceptorOnlyController {
  @MessagePattern(PROCEDURE)
  @UseInterceptors(PassThroughInterceptor)
  echo(@Payload() payload: WampCallPayload): number {
    return (payload.kwargs as { n: number }).n;
  }
}

/** A bare handler. */
@Controller()
class BareController {
  @MessagePattern(PROCEDURE)
  echo(@Payload() payload: WampCallPayload): number {
    return (payload.kwargs as { n: number }).n;
  }
}

@WebSocketGateway()
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: { n: number }): number {
    return data.n;
  }
}

/** The Socket.IO gateway with the same pipeline as the WAMP one: guard, ValidationPipe DTO, interceptor. */
@WebSocketGateway()
class PipelineGateway {
  @SubscribeMessage('echo')
  @UseGuards(ConnectedGuard)
  @UseInterceptors(PassThroughInterceptor)
  echo(@MessageBody(new ValidationPipe({ whitelist: true })) dto: EchoDto): number {
    return dto.n;
  }
}

async function startWamp(controller: Type): Promise<number> {
  return portOf(await startWampApp({ realms: [REALM] }, [controller]));
}

async function startSocketIoNest(gateway: Type): Promise<number> {
  return portOf(await startSocketIoApp(gateway));
}

/**
 * The limit: raw `ws`, JSON parse + stringify, answering the CALL-shaped frame with a RESULT-shaped one.
 * `corked`: the answers of one tick leave in one write (the socket corked until the next tick), as
 * nestjs-wamp does, so that the comparison with the router is not only about system calls.
 */
function startRawWs(corked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (socket, request) => {
      const wire = request.socket;
      let isCorked = false;
      const uncork = (): void => {
        isCorked = false;
        wire.uncork();
      };
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as [
          number,
          number,
          object,
          string,
          unknown[],
          { n: number },
        ];
        if (corked && !isCorked) {
          isCorked = true;
          wire.cork();
          process.nextTick(uncork);
        }
        socket.send(JSON.stringify([50, message[1], {}, [message[5].n]]));
      });
    });
    server.on('listening', () => resolve((server.address() as AddressInfo).port));
  });
}

interface FoxRouter {
  listenWAMP(options: { host: string; port: number }): WebSocketServer;
}

/**
 * fox-wamp 0.7.28 from bench/fox-wamp/node_modules (installed there with --ignore-scripts: its sqlite3 is
 * never loaded by the in-memory router), routing to a callee that is a separate WAMP session over ws. The
 * callee is a thin raw-ws peer living in this same process (so on the server's core).
 */
async function startFoxRouted(): Promise<number> {
  const require = createRequire(new URL('./fox-wamp/package.json', import.meta.url));
  const FoxRouterClass = require('fox-wamp') as new () => FoxRouter;
  const router = new FoxRouterClass();
  const server = router.listenWAMP({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const callee = new WebSocket(`ws://127.0.0.1:${port}`, 'wamp.2.json', { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    callee.once('error', reject);
    callee.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as unknown[];
      switch (message[0]) {
        case 2: // WELCOME
          callee.send(JSON.stringify([64, 1, {}, PROCEDURE]));
          return;
        case 65: // REGISTERED
          resolve();
          return;
        case 68: // INVOCATION [68, request, registration, details, args, kwargs]
          callee.send(JSON.stringify([70, message[1], {}, [(message[5] as { n: number }).n]]));
          return;
        default:
          reject(new Error(`fox-wamp callee got ${data.toString()}`));
      }
    });
    callee.once('open', () => callee.send(JSON.stringify([1, REALM, { roles: { callee: {} } }])));
  });
  return port;
}

/**
 * nestjs-wamp routing to a client callee: no handler for `bench.echo` in the app; a separate process
 * (bench/routed-callee.ts, on the server's core like fox-wamp's callee, since it inherits the pinning)
 * registers it over WebSocket and answers each INVOCATION. Server CPU counts the router process only.
 */
async function startWampRouted(): Promise<number> {
  const port = portOf(await startWampApp({ realms: [REALM] }, []));
  const callee = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(new URL('./routed-callee.ts', import.meta.url)), String(port)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  process.on('exit', () => callee.kill());
  await new Promise<void>((resolve, reject) => {
    callee.once('exit', (code) => reject(new Error(`routed callee exited with ${code}`)));
    callee.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('REGISTERED')) resolve();
    });
  });
  return port;
}

async function main(): Promise<void> {
  const variant = process.argv[2] as ServerVariant;
  let port: number;
  switch (variant) {
    case 'raw-ws':
      port = await startRawWs(false);
      break;
    case 'raw-ws-corked':
      port = await startRawWs(true);
      break;
    case 'sio-nest':
      port = await startSocketIoNest(EchoGateway);
      break;
    case 'sio-pipeline':
      port = await startSocketIoNest(PipelineGateway);
      break;
    case 'fox-routed':
      port = await startFoxRouted();
      break;
    case 'wamp-routed':
      port = await startWampRouted();
      break;
    case 'wamp-bare':
      port = await startWamp(BareController);
      break;
    case 'wamp-pipeline':
      port = await startWamp(PipelineController);
      break;
    case 'wamp-guard':
      port = await startWamp(GuardOnlyController);
      break;
    case 'wamp-pipe':
      port = await startWamp(PipeOnlyController);
      break;
    case 'wamp-schema':
      port = await startWamp(SchemaController);
      break;
    case 'wamp-zod':
      port = await startWamp(ZodController);
      break;
    case 'wamp-metrics':
      // The bare handler with every metric on (prom-client counters, the call duration histogram).
      port = portOf(
        await startWampApp(
          { realms: [REALM], metrics: new PrometheusWampMetrics({ registry: new Registry() }) },
          [BareController],
        ),
      );
      break;
    case 'wamp-interceptor':
      port = await startWamp(InterceptorOnlyController);
      break;
    default:
      throw new Error(`unknown server variant ${String(variant)}; one of ${VARIANTS.join(', ')}`);
  }
  announceReady(port);
}

// Exits when the runner goes away (stdin closed), and after 30 min at most (BENCH_SERVER_MAX_MS overrides it).
exitWithOrchestrator(30 * 60_000);
runServerMain(main);

/**
 * The server of the connection-storm scenario, run as its own process by bench/scenarios/connection-storm.ts:
 *   node --import @swc-node/register/esm-register bench/scenarios/connection-storm-server.ts <variant>
 * Listens on 127.0.0.1 (free port), prints `READY <port>` on stdout, and exits when its stdin closes (the
 * orchestrator went away) or after a watchdog. Variants:
 * - `raw-ws`: a raw `ws` WebSocketServer (perMessageDeflate off) echoing each message, the baseline;
 * - `wamp`: a Nest app with `WampModule` sharing the app's HTTP server, the WAMP endpoint at `/ws`;
 * - `sio-nest`: a Nest app with a Socket.IO gateway (`IoAdapter`).
 */
import 'reflect-metadata';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { announceReady, exitWithOrchestrator, runServerMain } from '../child-process.js';
import { portOf, startSocketIoApp, startWampApp } from '../nest-apps.js';

/** The server variants this process can run (import only the type elsewhere: this module starts a server). */
export const STORM_SERVER_VARIANTS = ['raw-ws', 'wamp', 'sio-nest'] as const;
/** One of {@link STORM_SERVER_VARIANTS}. */
export type StormServerVariant = (typeof STORM_SERVER_VARIANTS)[number];

/** The realm the WAMP sessions join. */
const STORM_REALM = 'realm1';

// A gateway needs at least one handler for IoAdapter to serve it; the storm only connects and leaves.
@WebSocketGateway()
class StormGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }
}

/**
 * The WAMP router as an application would run it: the transport connected as a microservice (no handlers
 * here, only sessions opening and closing) and the endpoint on the app's HTTP server. maxConnections is
 * raised above the default 10,000 so that the limit never decides the result.
 */
async function startWamp(): Promise<number> {
  return portOf(await startWampApp({ realms: [STORM_REALM], maxConnections: 20_000 }));
}

async function startSocketIoNest(): Promise<number> {
  return portOf(await startSocketIoApp(StormGateway));
}

/** The baseline: raw `ws`, echoing every message as it came (no parsing: the handshake is what is measured). */
function startRawWs(): Promise<number> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
    });
    server.on('listening', () => resolve((server.address() as AddressInfo).port));
  });
}

async function main(): Promise<void> {
  const variant = process.argv[2] as StormServerVariant;
  let port: number;
  switch (variant) {
    case 'raw-ws':
      port = await startRawWs();
      break;
    case 'wamp':
      port = await startWamp();
      break;
    case 'sio-nest':
      port = await startSocketIoNest();
      break;
    default:
      throw new Error(`unknown server variant ${String(variant)}; one of ${STORM_SERVER_VARIANTS.join(', ')}`);
  }
  announceReady(port);
}

// Exits when the orchestrator goes away (stdin closed), and after 5 min at most (BENCH_SERVER_MAX_MS overrides it).
exitWithOrchestrator(5 * 60_000);
runServerMain(main);

/**
 * The fan-out scenario's server, run as its own process by bench/scenarios/fan-out.ts:
 *   node --import @swc-node/register/esm-register bench/scenarios/fan-out-server.ts <raw-ws|wamp>
 * Listens on 127.0.0.1 (free port), prints `READY <port>` on stdout, and exits when its stdin closes (the
 * orchestrator went away) or after a watchdog.
 *
 * - `raw-ws`: the baseline. Any socket that sends a frame is the publisher: its PUBLISH-shaped frame is
 *   answered by ONE EVENT-shaped frame, serialized once, written to every other socket, then a
 *   PUBLISHED-shaped ack to the publisher (the same order as the WAMP broker: deliver, then acknowledge).
 * - `wamp`: a Nest app with nestjs-wamp; subscribers and the publisher are WAMP sessions on /ws and the
 *   broker does the fan-out. No handler or hook is registered on the topic: the broker's plain path.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { announceReady, exitWithOrchestrator, runServerMain } from '../child-process.js';
import { portOf, startWampApp } from '../nest-apps.js';

/** The server variants of the fan-out scenario. */
export const FAN_OUT_VARIANTS = ['raw-ws', 'wamp'] as const;
/** One of {@link FAN_OUT_VARIANTS}. */
export type FanOutVariant = (typeof FAN_OUT_VARIANTS)[number];

/** The realm of the WAMP variant (the generator, bench/scenarios/fan-out-load.ts, joins it). */
const REALM = 'realm1';

/** Subscription ID the raw baseline puts in its EVENT frames (it has one implicit subscription). */
const RAW_SUBSCRIPTION_ID = 1;

/**
 * The baseline: raw `ws`, one `JSON.stringify` and one `Buffer` per publication, then the same bytes written
 * to every other socket. Converting to a Buffer once spares `ws` a UTF-8 encoding per socket: this is the
 * cheapest broadcast `ws` allows without pre-framing, i.e. the limit the router is compared against.
 */
function startRawWs(): Promise<number> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    let publicationId = 0;
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        // [16, request, options, topic, args]
        const message = JSON.parse(data.toString()) as [number, number, object, string, unknown[]];
        const id = ++publicationId;
        const frame = Buffer.from(JSON.stringify([36, RAW_SUBSCRIPTION_ID, id, {}, message[4]]));
        for (const client of server.clients) {
          if (client !== socket && client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
        }
        socket.send(JSON.stringify([17, message[1], id]));
      });
    });
    server.on('listening', () => resolve((server.address() as AddressInfo).port));
  });
}

/** nestjs-wamp as documented: the module on the app's HTTP server, the broker doing the fan-out. */
async function startWamp(): Promise<number> {
  // maxConnections above the 1,000 subscribers (+ publisher) of the full run, so the limit never interferes.
  return portOf(await startWampApp({ realms: [REALM], maxConnections: 20_000 }));
}

async function main(): Promise<void> {
  const variant = process.argv[2] as FanOutVariant;
  let port: number;
  switch (variant) {
    case 'raw-ws':
      port = await startRawWs();
      break;
    case 'wamp':
      port = await startWamp();
      break;
    default:
      throw new Error(`unknown fan-out variant ${String(variant)}; one of ${FAN_OUT_VARIANTS.join(', ')}`);
  }
  announceReady(port);
}

// Exits when the orchestrator goes away (stdin closed), and after 10 min at most (BENCH_SERVER_MAX_MS overrides it).
exitWithOrchestrator(10 * 60_000);
runServerMain(main);

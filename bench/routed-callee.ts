/**
 * The client callee of the `wamp-routed` benchmark variant, as its own process (a backend service as users run
 * one): joins the router at `ws://127.0.0.1:<port>/ws` over `wamp.2.json`, registers `bench.echo`, answers
 * every INVOCATION with YIELD `[n]`, prints `REGISTERED`, and exits when its stdin closes (the server that
 * started it went away) or its socket does.
 *
 *   node --import @swc-node/register/esm-register bench/routed-callee.ts <port>
 */
import WebSocket from 'ws';
import { exitWithOrchestrator, runServerMain } from './child-process.js';

const PROCEDURE = 'bench.echo';
const REALM = 'realm1';

async function main(): Promise<void> {
  exitWithOrchestrator(15 * 60_000);
  const port = Number(process.argv[2]);
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, 'wamp.2.json', { perMessageDeflate: false });
  socket.on('close', () => process.exit(0));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as unknown[];
      switch (message[0]) {
        case 2: // WELCOME
          socket.send(JSON.stringify([64, 1, {}, PROCEDURE]));
          return;
        case 65: // REGISTERED
          process.stdout.write('REGISTERED\n');
          resolve();
          return;
        case 68: // INVOCATION [68, request, registration, details, args, kwargs]
          socket.send(JSON.stringify([70, message[1], {}, [(message[5] as { n: number }).n]]));
          return;
        default:
          reject(new Error(`routed callee got ${data.toString()}`));
      }
    });
    socket.once('open', () => socket.send(JSON.stringify([1, REALM, { roles: { callee: {} } }])));
  });
}

runServerMain(main);

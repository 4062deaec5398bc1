/**
 * The cross-instance scenario's server, run as its own process by bench/scenarios/cross-instance.ts:
 *   node --import @swc-node/register/esm-register bench/scenarios/cross-instance-server.ts <alone|redis@URL|nats@URL>
 * A Nest app with nestjs-wamp, alone or as one instance of a cluster on the Redis or NATS backplane at URL. Prints
 * `READY <port>` and exits when its stdin closes (the orchestrator went away) or after a watchdog.
 */
import type { WampBackplane } from '../../lib/core/index.js';
import { NatsBackplane } from '../../lib/nats/index.js';
import { RedisBackplane } from '../../lib/redis/index.js';
import { announceReady, exitWithOrchestrator, runServerMain } from '../child-process.js';
import { portOf, startWampApp } from '../nest-apps.js';

async function main(): Promise<void> {
  const variant = process.argv[2] ?? '';
  let backplane: WampBackplane | undefined;
  if (variant.startsWith('redis@')) {
    backplane = new RedisBackplane({ url: variant.slice('redis@'.length) });
  } else if (variant.startsWith('nats@')) {
    backplane = new NatsBackplane({ servers: variant.slice('nats@'.length) });
  } else if (variant !== 'alone') {
    throw new Error(`unknown cross-instance variant ${variant}; alone, redis@<url> or nats@<url>`);
  }
  announceReady(portOf(await startWampApp({ realms: ['realm1'], backplane })));
}

exitWithOrchestrator(10 * 60_000);
runServerMain(main);

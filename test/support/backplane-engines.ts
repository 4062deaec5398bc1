import { MemoryBackplane, MemoryBackplaneHub, type WampBackplane } from '../../lib/core/index.js';
import { SERVER_ENGINES, type BackplaneServer } from './backplane-servers.js';

/** A backplane engine for a cluster suite: how to make one instance's backplane, and what to start and stop. */
export interface BackplaneEngine {
  readonly name: string;
  /** Why the suite is skipped on this engine (its server is not installed). */
  readonly skip?: string;
  start(): Promise<void>;
  /** The backplane of instance `node` of cluster `cluster` (instances of different clusters never hear each other). */
  backplane(node: string, cluster?: string): WampBackplane;
  stop(): Promise<void>;
}

/**
 * The engines every cluster suite runs on: in memory, then Redis and NATS on a server of the suite's own (each
 * skipped with the reason when its server is not installed). `name` keeps the suite's keys and subjects apart
 * from other suites'.
 */
export function backplaneEngines(name: string): BackplaneEngine[] {
  const hubs = new Map<string, MemoryBackplaneHub>();
  const memory: BackplaneEngine = {
    name: 'in memory',
    start: async () => undefined,
    backplane: (node, cluster = 'default') => {
      let hub = hubs.get(cluster);
      if (!hub) hubs.set(cluster, (hub = new MemoryBackplaneHub()));
      return new MemoryBackplane(hub, node);
    },
    stop: async () => undefined,
  };
  const withServers = SERVER_ENGINES.map((engine): BackplaneEngine => {
    let server: BackplaneServer | undefined;
    return {
      name: engine.name,
      skip: engine.skip,
      start: async () => {
        server = await engine.start();
      },
      backplane: (node, cluster = 'default') =>
        engine.backplane(server!.url, {
          nodeId: node,
          // Letters, digits, "-" and "_" only: a NATS subject prefix takes nothing else.
          prefix: `${name}-${cluster}`.replace(/[^A-Za-z0-9_-]/g, '_'),
        }),
      stop: async () => {
        await server?.kill();
      },
    };
  });
  return [memory, ...withServers];
}

import { NatsBackplane } from '../../lib/nats/index.js';
import { recordingLogger } from '../support/router-options.js';
import { natsSkipReason, startNats, type NatsProcess } from '../support/nats-server.js';
import { describeBackplaneContract } from './backplane-contract.js';

/**
 * The NATS engine against a real nats-server (with JetStream) on a loopback port: the contract every engine
 * passes.
 */

if (natsSkipReason) {
  it.skip(`[skipped: ${natsSkipReason}] NATS backplane`, () => undefined);
} else {
  let nats: NatsProcess;
  let run = 0;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats.kill();
  });

  it('a server killed during the first connection: the engine connects once it is back (the handshake does not hang)', async () => {
    // Found by the detached test under load: a connection the server dropped during its handshake waited 20 s.
    for (const wait of [0, 2, 8]) {
      const server = await startNats();
      const backplane = new NatsBackplane({ servers: server.url, logger: recordingLogger() });
      try {
        await new Promise((resolve) => setTimeout(resolve, wait));
        await server.kill();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await server.restart();
        const deadline = Date.now() + 5000;
        while (!backplane.connected && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 20));
        expect({ wait, connected: backplane.connected }).toEqual({ wait, connected: true });
      } finally {
        await backplane.close();
        await server.kill();
      }
    }
  }, 30_000);

  describeBackplaneContract('NATS', async (size) => {
    // A prefix per cluster: the runs share one server and must not hear each other.
    const subjectPrefix = `contract-${++run}`;
    const nodes = Array.from(
      { length: size },
      (_, index) =>
        new NatsBackplane({
          servers: nats.url,
          subjectPrefix,
          nodeId: `node-${index}`,
          logger: recordingLogger(),
        }),
    );
    return {
      nodes,
      close: async () => {
        await Promise.all(nodes.map((node) => node.close()));
      },
    };
  });
}

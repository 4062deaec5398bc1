import { MemoryBackplane, MemoryBackplaneHub } from '../../lib/core/index.js';
import { describeBackplaneContract } from './backplane-contract.js';

/** The in-memory engine passes the contract every engine must pass. */
describeBackplaneContract('in memory', async (size) => {
  const hub = new MemoryBackplaneHub();
  const nodes = Array.from({ length: size }, () => new MemoryBackplane(hub));
  return {
    nodes,
    close: async () => {
      await Promise.all(nodes.map((node) => node.close()));
    },
  };
});

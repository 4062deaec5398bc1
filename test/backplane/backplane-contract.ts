import type { WampBackplane } from '../../lib/core/index.js';

/** A cluster of engines for one contract run: `size` instances, and how to tear them down. */
export interface BackplaneCluster {
  readonly nodes: readonly WampBackplane[];
  close(): Promise<void>;
}

/** Collects what `node` receives on `channel`. */
function collect(node: WampBackplane, channel: string): { received: [string, string][]; stop: () => void } {
  const received: [string, string][] = [];
  const stop = node.subscribe(channel, (payload, from) =>
    received.push([Buffer.from(payload).toString(), from]),
  );
  return { received, stop };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the backplane.');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * What every backplane engine must do, whatever carries the bytes (in memory, Redis, NATS). Each engine's spec
 * calls this with a factory of clusters; the engine-specific specs add what only that engine has (reconnects).
 */
export function describeBackplaneContract(
  engine: string,
  createCluster: (size: number) => Promise<BackplaneCluster>,
): void {
  describe(`backplane contract: ${engine}`, () => {
    let cluster: BackplaneCluster;
    beforeEach(async () => {
      cluster = await createCluster(3);
    });
    afterEach(async () => {
      await cluster.close();
    });

    it('every node has its own ID', () => {
      const ids = cluster.nodes.map((node) => node.nodeId);
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(id.length).toBeGreaterThan(0);
    });

    it('a broadcast reaches every node, the sender included, with the sender named, never inside the call', async () => {
      const [a, b, c] = cluster.nodes;
      const receivers = [a, b, c].map((node) => collect(node, 'contract/one'));
      const sent = a.broadcast('contract/one', Buffer.from('hello'));
      // Delivery is not synchronous: as over a network, the sender's call returns first.
      expect(receivers.map(({ received }) => received.length)).toEqual([0, 0, 0]);
      await sent;
      await until(() => receivers.every(({ received }) => received.length === 1));
      for (const { received } of receivers) expect(received).toEqual([['hello', a.nodeId]]);
    });

    it("one sender's broadcasts arrive in order at every node; other channels are not mixed in", async () => {
      const [a, b, c] = cluster.nodes;
      const receivers = [a, b, c].map((node) => collect(node, 'contract/ordered'));
      const other = collect(b, 'contract/other');
      const sends: Promise<void>[] = [];
      for (let index = 0; index < 500; index++)
        sends.push(a.broadcast('contract/ordered', Buffer.from(String(index))));
      sends.push(c.broadcast('contract/other', Buffer.from('elsewhere')));
      await Promise.all(sends);
      await until(
        () => receivers.every(({ received }) => received.length === 500) && other.received.length === 1,
      );
      const expected = Array.from({ length: 500 }, (_, index) => [String(index), a.nodeId]);
      for (const { received } of receivers) expect(received).toEqual(expected);
      expect(other.received).toEqual([['elsewhere', c.nodeId]]);
    });

    it('bytes arrive as sent (binary, empty, 1 MiB)', async () => {
      const [a, b] = cluster.nodes;
      const received: Uint8Array[] = [];
      b.subscribe('contract/bytes', (payload) => received.push(Uint8Array.from(payload)));
      const binary = Uint8Array.from({ length: 256 }, (_, index) => index);
      const large = new Uint8Array(1024 * 1024).fill(7);
      await a.broadcast('contract/bytes', binary);
      await a.broadcast('contract/bytes', new Uint8Array(0));
      await a.broadcast('contract/bytes', large);
      await until(() => received.length === 3);
      expect(received[0]).toEqual(binary);
      expect(received[1]).toEqual(new Uint8Array(0));
      // Compared as buffers: a deep equality of a million elements would take seconds.
      expect(received[2].byteLength).toBe(large.byteLength);
      expect(Buffer.from(received[2]).equals(Buffer.from(large))).toBe(true);
    });

    it('a stopped subscription receives nothing more; a closed node neither sends nor receives', async () => {
      const [a, b, c] = cluster.nodes;
      const fromB = collect(b, 'contract/stop');
      const fromC = collect(c, 'contract/stop');
      const control = collect(a, 'contract/stop');
      fromB.stop();
      await c.close();
      await a.broadcast('contract/stop', Buffer.from('after'));
      await until(() => control.received.length === 1);
      expect(fromB.received).toEqual([]);
      expect(fromC.received).toEqual([]);
      await expect(c.broadcast('contract/stop', Buffer.from('closed'))).rejects.toThrow();
    });

    it('retained events are shared: what one node retains, another finds', async () => {
      const [a, b] = cluster.nodes;
      a.retentionStore('realm1').retain({
        topic: 'contract.retained',
        id: 1,
        args: ['kept'],
        options: { retain: true },
      });
      const subscriber = { id: 99, identity: { authid: 'x', authrole: 'y' } } as never;
      await until(
        () => b.retentionStore('realm1').eventsFor('contract.retained', 'exact', subscriber).length === 1,
      );
      expect(b.retentionStore('realm1').eventsFor('contract.retained', 'exact', subscriber)[0].args).toEqual([
        'kept',
      ]);
      expect(b.retentionStore('realm2').eventsFor('contract.retained', 'exact', subscriber)).toEqual([]);
    });

    it('an exclusive claim has one holder; its holder renews it; released, another takes it', async () => {
      const [a, b, c] = cluster.nodes;
      const key = `contract/exclusive/${Math.random()}`;
      // Three at once: exactly one wins, the others are told the winner's tag.
      const outcomes = await Promise.all([a, b, c].map((node) => node.claim(key, 'single', true, 10_000)));
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'single')).toHaveLength(2);
      const winner = [a, b, c][outcomes.indexOf(undefined)];
      const other = [a, b, c].find((node) => node !== winner) as WampBackplane;
      expect(await winner.claim(key, 'single', true, 10_000)).toBeUndefined();
      expect(await other.claim(key, 'roundrobin', false, 10_000)).toBe('single');
      await other.release(key); // holds nothing: no effect
      expect(await other.claim(key, 'single', true, 10_000)).toBe('single');
      await winner.release(key);
      expect(await other.claim(key, 'single', true, 10_000)).toBeUndefined();
    });

    it('a shared claim has holders of one tag; another tag or an exclusive claim is refused', async () => {
      const [a, b, c] = cluster.nodes;
      const key = `contract/shared/${Math.random()}`;
      expect(await a.claim(key, 'roundrobin', false, 10_000)).toBeUndefined();
      expect(await b.claim(key, 'roundrobin', false, 10_000)).toBeUndefined();
      expect(await c.claim(key, 'random', false, 10_000)).toBe('roundrobin');
      expect(await c.claim(key, 'roundrobin', true, 10_000)).toBe('roundrobin');
      await a.release(key);
      expect(await c.claim(key, 'random', false, 10_000)).toBe('roundrobin');
      await b.release(key);
      expect(await c.claim(key, 'random', false, 10_000)).toBeUndefined();
    });

    it('a claim its holder stops renewing lapses after its lease', async () => {
      const [a, b] = cluster.nodes;
      const key = `contract/lease/${Math.random()}`;
      expect(await a.claim(key, 'single', true, 300)).toBeUndefined();
      expect(await b.claim(key, 'single', true, 300)).toBe('single');
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await b.claim(key, 'single', true, 300)).toBeUndefined();
      expect(await a.claim(key, 'single', true, 300)).toBe('single');
    });
  });
}

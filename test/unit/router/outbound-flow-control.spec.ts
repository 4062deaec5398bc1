import { OutboundFlowControl } from '../../../lib/core/router/outbound/outbound-flow-control.js';
import type { OutboundQueueOwner } from '../../../lib/core/router/outbound/outbound-account.js';
import type { OutboundFlowOptions } from '../../../lib/core/router/outbound/outbound-flow.options.js';

const KIB = 1024;
const OPTIONS: OutboundFlowOptions = {
  highWaterMark: 100 * KIB,
  lowWaterMark: 20 * KIB,
  slowConsumerTimeout: 1000,
  slowConsumerPolicy: 'drop',
  bufferLimit: 400 * KIB,
  memoryBudget: 1000 * KIB,
};

/** A connection whose queue the test sets by hand, recording what the flow control decided for it. */
class FakeOwner implements OutboundQueueOwner {
  queuedBytes = 0;
  closed?: { reason: string; immediately: boolean };
  resumed = 0;
  closeSlow(reason: string, immediately: boolean): void {
    this.closed = { reason, immediately };
  }
  resumeReading(): void {
    this.resumed++;
  }
}

function setup(options: Partial<OutboundFlowOptions> = {}) {
  let now = 1;
  const flow = new OutboundFlowControl({ ...OPTIONS, ...options }, () => now);
  const open = () => {
    const owner = new FakeOwner();
    return { owner, account: flow.open(owner) };
  };
  /** Sends `count` EVENTs of `size` to `peer` as a transport would, the kernel taking nothing. */
  const events = (peer: ReturnType<typeof open>, count: number, size: number): number => {
    let sent = 0;
    for (let index = 0; index < count; index++) {
      if (flow.admitEvent(peer.account, peer.owner.queuedBytes, size)) {
        peer.owner.queuedBytes += size;
        sent++;
      }
    }
    return sent;
  };
  const advance = (ms: number): void => {
    now += ms;
  };
  return { flow, open, events, advance };
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OutboundFlowControl', () => {
  it('a connection above the high-water mark holds publishers back until it is under the low-water mark', async () => {
    const { flow, open, events } = setup();
    const reader = open();
    const publisher = open();
    expect(events(reader, 10, 10 * KIB)).toBe(10);
    expect(flow.holdsPublishers).toBe(false);
    events(reader, 1, 10 * KIB); // 110 KiB > 100 KiB
    expect(flow.holdsPublishers).toBe(true);
    flow.hold(publisher.account);
    // Drains to 30 KiB: still above the low-water mark, still held.
    flow.observe(reader.account, 30 * KIB);
    expect(flow.holdsPublishers).toBe(true);
    flow.observe(reader.account, 20 * KIB);
    expect(flow.holdsPublishers).toBe(false);
    expect(publisher.owner.resumed).toBe(0); // not from inside the send that noticed it
    await immediate();
    expect(publisher.owner.resumed).toBe(1);
    expect(flow.whenClear()).resolves.toBeUndefined();
    flow.stop();
  });

  it("'drop': above the low-water mark for slowConsumerTimeout is slow: EVENTs dropped until it catches up, no more holding", async () => {
    const { flow, open, events, advance } = setup();
    const stalled = open();
    events(stalled, 12, 10 * KIB);
    expect(flow.holdsPublishers).toBe(true);
    let cleared = false;
    void flow.whenClear().then(() => (cleared = true));
    // It reads, a little: it goes on holding publishers back until its time is up.
    for (let step = 0; step < 9; step++) {
      advance(111);
      stalled.owner.queuedBytes -= KIB;
      flow.sweep();
      expect(flow.holdsPublishers).toBe(true);
    }
    advance(1);
    flow.sweep();
    expect(flow.holdsPublishers).toBe(false);
    await immediate();
    expect(cleared).toBe(true);
    expect(events(stalled, 5, 10 * KIB)).toBe(0);
    expect(stalled.account.droppedEvents).toBe(5);
    expect(stalled.owner.closed).toBeUndefined();
    // Caught up: EVENTs again.
    stalled.owner.queuedBytes = 0;
    expect(events(stalled, 1, 10 * KIB)).toBe(1);
    // Found slow once, it gets no second grace: behind again means slow at once, publishers never held.
    events(stalled, 10, 10 * KIB);
    expect(flow.holdsPublishers).toBe(false);
    expect(events(stalled, 1, 10 * KIB)).toBe(0);
    expect(stalled.account.droppedEvents).toBe(6);
    flow.stop();
  });

  it('a connection behind that stops reading holds publishers back only for the stall window (half the timeout)', async () => {
    const { flow, open, events, advance } = setup();
    const stalled = open();
    const publisher = open();
    events(stalled, 12, 10 * KIB);
    flow.hold(publisher.account);
    advance(499);
    flow.sweep();
    expect(flow.holdsPublishers).toBe(true);
    advance(1);
    flow.sweep();
    expect(flow.holdsPublishers).toBe(false);
    await immediate();
    expect(publisher.owner.resumed).toBe(1);
    // Not slow yet: its EVENTs are still queued until its time is up (or the cap).
    expect(events(stalled, 1, 10 * KIB)).toBe(1);
    // It reads again: behind and holding again.
    stalled.owner.queuedBytes -= KIB;
    flow.sweep();
    expect(flow.holdsPublishers).toBe(true);
    advance(500);
    flow.sweep();
    expect(flow.holdsPublishers).toBe(false);
    expect(stalled.account.droppedEvents).toBe(0);
    advance(1000);
    flow.sweep();
    expect(events(stalled, 1, 10 * KIB)).toBe(0);
    expect(stalled.account.droppedEvents).toBe(1);
    flow.stop();
  });

  it("'disconnect': the slow consumer is closed after the timeout and no longer counted", () => {
    const { flow, open, events, advance } = setup({ slowConsumerPolicy: 'disconnect' });
    const stalled = open();
    events(stalled, 3, 10 * KIB); // 30 KiB: above low, under high
    expect(flow.holdsPublishers).toBe(false);
    advance(1000);
    flow.sweep();
    expect(stalled.owner.closed).toEqual({ reason: 'slow consumer', immediately: false });
    expect(flow.totalQueued).toBe(0);
    flow.stop();
  });

  it('the frequent sweep looks only at connections that hold publishers back; the full one at every queue', () => {
    const { flow, open, events, advance } = setup({ slowConsumerPolicy: 'disconnect' });
    const quiet = open();
    events(quiet, 3, 10 * KIB); // above low, under high: holds nobody back
    const behind = open();
    events(behind, 11, 10 * KIB);
    advance(1000);
    flow.sweep(true);
    expect(quiet.owner.closed).toBeUndefined();
    expect(behind.owner.closed?.reason).toBe('slow consumer');
    flow.sweep();
    expect(quiet.owner.closed?.reason).toBe('slow consumer');
    flow.stop();
  });

  it('the hard cap applies at once: an EVENT past it is dropped, a message that cannot be dropped closes past 4x', () => {
    const { flow, open, events } = setup();
    const peer = open();
    expect(events(peer, 50, 10 * KIB)).toBe(40); // 400 KiB
    expect(peer.account.droppedEvents).toBe(10);
    expect(flow.admitMessage(peer.account, peer.owner.queuedBytes, 1000 * KIB)).toBe(true);
    peer.owner.queuedBytes += 1000 * KIB;
    expect(flow.admitMessage(peer.account, peer.owner.queuedBytes, 300 * KIB)).toBe(false);
    expect(peer.owner.closed?.reason).toBe('outbound buffer overflow');
    flow.stop();
  });

  it('RPC messages waiting above the low-water mark for the timeout close the connection under either policy', () => {
    const { flow, open, advance } = setup();
    const caller = open();
    caller.owner.queuedBytes = 30 * KIB;
    expect(flow.admitMessage(caller.account, caller.owner.queuedBytes, KIB)).toBe(true);
    caller.owner.queuedBytes += KIB;
    advance(500);
    flow.sweep();
    expect(caller.owner.closed).toBeUndefined();
    // Drained meanwhile: the clock starts over.
    caller.owner.queuedBytes = 0;
    flow.sweep();
    caller.owner.queuedBytes = 30 * KIB;
    flow.admitMessage(caller.account, caller.owner.queuedBytes, KIB);
    advance(999);
    flow.sweep();
    expect(caller.owner.closed).toBeUndefined();
    advance(1);
    flow.sweep();
    expect(caller.owner.closed?.reason).toBe('slow consumer');
    flow.stop();
  });

  it('over the memory budget: publishers held, nothing grows past the low-water mark, slow ones and then the largest are cut', () => {
    const { flow, open, events, advance } = setup({ memoryBudget: 200 * KIB, highWaterMark: 150 * KIB });
    const peers = [open(), open(), open()];
    for (const peer of peers) events(peer, 7, 10 * KIB); // 70 KiB each: above low, under high
    expect(flow.totalQueued).toBe(210 * KIB);
    expect(flow.holdsPublishers).toBe(true);
    // Above the low-water mark: not queued any more.
    expect(events(peers[0], 1, 10 * KIB)).toBe(0);
    const small = open();
    expect(events(small, 1, 10 * KIB)).toBe(1); // under the low-water mark: still queued
    flow.sweep();
    expect(peers.every((peer) => peer.owner.closed === undefined)).toBe(true);
    // A reader drains; the others do not. After the timeout, the largest queue goes, until under budget.
    small.owner.queuedBytes = 0;
    peers[1].owner.queuedBytes = 75 * KIB;
    flow.observe(peers[1].account, 75 * KIB);
    advance(1000);
    flow.sweep();
    const cut = [...peers, small].filter((peer) => peer.owner.closed);
    expect(cut.map((peer) => peer.owner.closed)).toEqual([
      { reason: 'outbound memory budget exceeded', immediately: true },
    ]);
    expect(peers[1].owner.closed).toBeDefined();
    expect(flow.totalQueued).toBeLessThanOrEqual(200 * KIB);
    expect(flow.holdsPublishers).toBe(false);
    flow.stop();
  });

  it('a closed connection no longer holds anyone back', async () => {
    const { flow, open, events } = setup();
    const behind = open();
    const publisher = open();
    events(behind, 11, 10 * KIB);
    flow.hold(publisher.account);
    flow.forget(behind.account);
    expect(flow.holdsPublishers).toBe(false);
    expect(flow.totalQueued).toBe(0);
    await immediate();
    expect(publisher.owner.resumed).toBe(1);
    flow.stop();
  });

  it('stop() lets everyone go and holds nobody back afterwards (shutdown reads the GOODBYE replies)', async () => {
    const { flow, open, events } = setup();
    const behind = open();
    events(behind, 11, 10 * KIB);
    let cleared = false;
    void flow.whenClear().then(() => (cleared = true));
    flow.stop();
    expect(flow.holdsPublishers).toBe(false);
    await immediate();
    expect(cleared).toBe(true);
  });
});

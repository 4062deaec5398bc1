import WebSocket from 'ws';
import { WebSocketConnection } from '../../../lib/websocket/websocket-connection.js';
import { READ_BUDGET_MS, type CorkableSocket } from '../../../lib/connection/message-connection.js';
import type { WampSession } from '../../../lib/core/router/wamp-session.js';
import { OutboundFlowControl } from '../../../lib/core/router/outbound/outbound-flow-control.js';
import { DEFAULT_OUTBOUND_FLOW } from '../../../lib/core/router/outbound/outbound-flow.options.js';
import { decodeMessage, type WampMessage } from '../../../lib/core/index.js';
import { DEFAULT_DECODER_OPTIONS } from '../../../lib/core/protocol/message-decoder.js';
import { fakeJsonSerializer } from '../../support/fake-connection.js';

/** A wire array as the typed message the router would hand to the connection. */
const typed = (raw: unknown[]): WampMessage => decodeMessage(raw, DEFAULT_DECODER_OPTIONS);

/** The slice of a `ws` socket WebSocketConnection uses, recording every frame and the cork depth at send time. */
class FakeWebSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly frames: { data: string; corked: boolean }[] = [];
  constructor(private readonly wire: FakeWire) {}
  send(data: Buffer | string): void {
    this.frames.push({ data: data.toString(), corked: this.wire.depth > 0 });
  }
}

class FakeWire implements CorkableSocket {
  depth = 0;
  corks = 0;
  cork(): void {
    this.depth++;
    this.corks++;
  }
  uncork(): void {
    this.depth--;
  }
}

/** High-water mark 1 KiB: a connection holds at most 256 bytes corked. */
const LIMITS = new OutboundFlowControl({
  ...DEFAULT_OUTBOUND_FLOW,
  bufferLimit: 4096,
  highWaterMark: 1024,
  lowWaterMark: 256,
});
const TRANSPORT = {
  type: 'websocket' as const,
  protocol: 'wamp.2.json',
  secure: false,
  url: '/ws',
  headers: {},
};

function connection(): { wire: FakeWire; socket: FakeWebSocket; connection: WebSocketConnection } {
  const wire = new FakeWire();
  const socket = new FakeWebSocket(wire);
  return {
    wire,
    socket,
    connection: new WebSocketConnection(
      socket as unknown as WebSocket,
      fakeJsonSerializer,
      TRANSPORT,
      LIMITS,
      wire,
    ),
  };
}

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('WebSocketConnection write coalescing', () => {
  it('holds every frame sent in one tick in one cork, released on the next tick', async () => {
    const { wire, socket, connection: subject } = connection();
    subject.send(typed([50, 1, {}, [1]]));
    subject.send(typed([50, 2, {}, [2]]));
    subject.sendEvent('[36,5,6,{},["e"]]');
    expect(wire.corks).toBe(1);
    expect(wire.depth).toBe(1);
    expect(socket.frames).toEqual([
      { data: '[50,1,{},[1]]', corked: true },
      { data: '[50,2,{},[2]]', corked: true },
      { data: '[36,5,6,{},["e"]]', corked: true },
    ]);
    await nextTick();
    expect(wire.depth).toBe(0);
  });

  it('includes the RESULTs of promise continuations of the same turn, and corks again on a later turn', async () => {
    const { wire, connection: subject } = connection();
    subject.send(typed([50, 1, {}]));
    await Promise.resolve();
    subject.send(typed([50, 2, {}]));
    expect(wire.corks).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(wire.depth).toBe(0);
    subject.send(typed([50, 3, {}]));
    expect(wire.corks).toBe(2);
    await nextTick();
    expect(wire.depth).toBe(0);
  });

  it('hands the held frames to the socket once a quarter of the high-water mark is held, and keeps holding', async () => {
    const wire = new FakeWire();
    const socket = new FakeWebSocket(wire);
    const limits = LIMITS;
    const subject = new WebSocketConnection(
      socket as unknown as WebSocket,
      fakeJsonSerializer,
      TRANSPORT,
      limits,
      wire,
    );
    const frame = `[36,1,2,{},["${'x'.repeat(90)}"]]`; // 104 bytes: the third one passes 256
    subject.sendEvent(frame);
    subject.sendEvent(frame);
    expect(wire.corks).toBe(1);
    subject.sendEvent(frame);
    // Released (one write of the three) and corked again for the rest of the tick.
    expect(wire.corks).toBe(2);
    expect(wire.depth).toBe(1);
    subject.sendEvent(frame);
    expect(socket.frames.every((sent) => sent.corked)).toBe(true);
    await nextTick();
    expect(wire.depth).toBe(0);
  });

  it('releases every other connection when one socket throws on release, and keeps coalescing afterwards', async () => {
    const broken = connection();
    const healthy = connection();
    broken.wire.uncork = () => {
      throw new Error('socket gone');
    };
    broken.connection.send(typed([50, 1, {}]));
    healthy.connection.send(typed([50, 2, {}]));
    await nextTick();
    expect(healthy.wire.depth).toBe(0);
    healthy.connection.send(typed([50, 3, {}]));
    expect(healthy.wire.corks).toBe(2);
    await nextTick();
    expect(healthy.wire.depth).toBe(0);
  });

  it('sends without corking when no wire is given, and not at all on a socket that is not open', () => {
    const socket = new FakeWebSocket(new FakeWire());
    const subject = new WebSocketConnection(
      socket as unknown as WebSocket,
      fakeJsonSerializer,
      TRANSPORT,
      LIMITS,
    );
    subject.send(typed([50, 1, {}]));
    expect(socket.frames).toEqual([{ data: '[50,1,{}]', corked: false }]);
    socket.readyState = WebSocket.CLOSED;
    subject.send(typed([50, 2, {}]));
    expect(socket.frames).toHaveLength(1);
  });
});

/** A `ws` socket for reading: records pause/resume and lets the test deliver messages as ws would. */
class ReadableFakeWebSocket extends FakeWebSocket {
  readonly calls: string[] = [];
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener.apply(this, args);
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

/** The session end of a connection: records frames and keeps the loop busy `costMs` for each. */
class BusySession {
  readonly handled: string[] = [];
  readonly violations: string[] = [];
  constructor(private readonly costMs: number) {}
  handleFrame(frame: Buffer): void {
    this.handled.push(frame.toString());
    const until = performance.now() + this.costMs;
    while (performance.now() < until) {
      // busy, as a costly message keeps the event loop
    }
  }
  protocolViolation(reason: string): void {
    this.violations.push(reason);
  }
  transportClosed(): void {}
}

function reading(costMs: number): {
  socket: ReadableFakeWebSocket;
  session: BusySession;
  deliver: (count: number, prefix: string) => string[];
} {
  const socket = new ReadableFakeWebSocket(new FakeWire());
  const session = new BusySession(costMs);
  const subject = new WebSocketConnection(
    socket as unknown as WebSocket,
    fakeJsonSerializer,
    TRANSPORT,
    LIMITS,
  );
  subject.attach(session as unknown as WampSession, () => {});
  const deliver = (count: number, prefix: string): string[] => {
    const sent = Array.from({ length: count }, (_, index) => `${prefix}${index}`);
    for (const message of sent) socket.emit('message', Buffer.from(message), false);
    return sent;
  };
  return { socket, session, deliver };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WebSocketConnection read fairness', () => {
  it('handles messages as they arrive while a connection stays within its budget', () => {
    const { socket, session, deliver } = reading(0);
    const sent = deliver(50, 'm');
    expect(session.handled).toEqual(sent);
    expect(socket.calls).toEqual([]);
  });

  it('pauses a connection past its budget in one turn, and handles the rest in order in later turns', async () => {
    const cost = READ_BUDGET_MS / 2.5;
    const { socket, session, deliver } = reading(cost);
    // What ws emits from one chunk: 20 messages at once, 2 ms each, 40 ms for the lot.
    const sent = deliver(20, 'm');
    // Within the budget: about budget / cost messages, never all of them. At least one: the budget is measured
    // by the clock, and on a loaded machine (CI with other workers) one message's 2 ms can take the whole budget.
    expect(session.handled.length).toBeGreaterThanOrEqual(1);
    expect(session.handled.length).toBeLessThan(sent.length);
    expect(socket.calls).toEqual(['pause']);
    let turns = 0;
    while (session.handled.length < sent.length && turns < 100) {
      const before = session.handled.length;
      await nextTurn();
      turns++;
      // Each later turn gets a budget of its own, not more.
      expect(session.handled.length - before).toBeLessThanOrEqual(Math.ceil(READ_BUDGET_MS / cost) + 1);
    }
    expect(session.handled).toEqual(sent);
    expect(turns).toBeGreaterThan(1);
    expect(socket.calls).toEqual(['pause', 'resume']);
  });

  it('keeps messages that arrive while deferred behind the backlog, and reads another connection meanwhile', async () => {
    const busy = reading(READ_BUDGET_MS / 2.5);
    const other = reading(0);
    const first = busy.deliver(10, 'a');
    // The busy connection is deferred; the other one's message in the same turn is handled at once.
    const handledBefore = busy.session.handled.length;
    expect(handledBefore).toBeLessThan(first.length);
    expect(other.deliver(1, 'b')).toEqual(other.session.handled);
    const late = busy.deliver(3, 'late');
    expect(busy.session.handled.length).toBe(handledBefore);
    for (let turn = 0; turn < 100 && busy.socket.calls.length < 2; turn++) await nextTurn();
    expect(busy.session.handled).toEqual([...first, ...late]);
    expect(busy.socket.calls).toEqual(['pause', 'resume']);
  });

  it('answers a frame of the wrong type in the backlog in its turn, after the frames before it', async () => {
    const { session, socket, deliver } = reading(READ_BUDGET_MS / 2.5);
    const sent = deliver(8, 'm');
    socket.emit('message', Buffer.from([0x91, 0x01]), true);
    expect(session.violations).toEqual([]);
    for (let turn = 0; turn < 100 && socket.calls.length < 2; turn++) await nextTurn();
    expect(session.handled).toEqual(sent);
    expect(session.violations).toEqual(['wamp.2.json messages travel in text frames; got a binary frame.']);
  });

  it('drops the backlog and stays paused once the socket has closed', async () => {
    const { session, socket, deliver } = reading(READ_BUDGET_MS / 2.5);
    deliver(10, 'm');
    const handled = session.handled.length;
    expect(handled).toBeLessThan(10);
    socket.emit('close');
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(session.handled).toHaveLength(handled);
    expect(socket.calls).toEqual(['pause']);
  });
});

import WebSocket from 'ws';
import { WebSocketConnection, type CorkableSocket } from '../../../lib/websocket/websocket-connection.js';
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

const LIMITS = { bufferLimit: 1024, slowConsumerPolicy: 'drop' as const };
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

  it('hands the held frames to the socket once a quarter of the outbound limit is held, and keeps holding', async () => {
    const wire = new FakeWire();
    const socket = new FakeWebSocket(wire);
    const limits = { bufferLimit: 1024, slowConsumerPolicy: 'drop' as const };
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

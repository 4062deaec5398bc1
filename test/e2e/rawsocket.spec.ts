import { Controller } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import {
  WampGateway,
  WampProcedure,
  WampPublisher,
  WampRouter,
  type WampAuthResult,
  type WampTicketAuthenticator,
} from '../../lib/index.js';
import type { MessageConnection } from '../../lib/connection/message-connection.js';
import { makeCertificate } from '../support/self-signed-certificate.js';
import { startApp, type Platform, type RunningApp } from '../support/test-app.js';

/**
 * WAMP over RawSocket, byte-exact: the handshake and its error answers, framing, PING/PONG, limits, on a port
 * of its own and on the application's HTTP port (Express and Fastify) next to HTTP and WebSocket.
 */

@Controller()
class BigController {
  @WampProcedure('raw.big')
  big(): string {
    return 'x'.repeat(4096);
  }
}

/** A RawSocket client written by hand: every byte is the test's. */
class RawSocketPeer {
  private buffer = Buffer.alloc(0);
  private waiter?: () => void;
  private handshakeDone = false;
  closed = false;
  readonly whenClosed: Promise<void>;
  /** Set to answer the router's PINGs (keepalive) as they arrive, ahead of any waiting read. */
  onPing?: (payload: Buffer) => void;

  /** Wraps a socket already connected (TCP, TLS or Unix). */
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.dispatchPings();
      this.waiter?.();
    });
    this.whenClosed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.waiter?.();
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawSocketPeer> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSocketPeer(socket);
  }

  /** Connects to a Unix socket path. */
  static async openPath(path: string): Promise<RawSocketPeer> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSocketPeer(socket);
  }

  private dispatchPings(): void {
    while (this.handshakeDone && this.onPing && this.buffer.length >= 4 && this.buffer[0] === 1) {
      const length = (this.buffer[1] << 16) | (this.buffer[2] << 8) | this.buffer[3];
      if (this.buffer.length < 4 + length) return;
      const payload = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      this.onPing(payload);
    }
  }

  /** Waits for `count` bytes (or the close); resolves with them, or with what there was at the close. */
  async take(count: number, timeout = 2000): Promise<Buffer> {
    const deadline = Date.now() + timeout;
    while (this.buffer.length < count && !this.closed) {
      if (Date.now() > deadline) throw new Error(`expected ${count} bytes, got ${this.buffer.length}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    const taken = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(taken.length);
    return taken;
  }

  /** Handshake for JSON with the largest maximum; resolves with the router's answer. */
  async handshake(octets = [0x7f, 0xf1, 0, 0]): Promise<Buffer> {
    this.socket.write(Buffer.from(octets));
    const answer = await this.take(4);
    this.handshakeDone = true;
    return answer;
  }

  send(message: unknown, type = 0): void {
    const payload = Buffer.from(JSON.stringify(message));
    this.frame(type, payload);
  }

  frame(type: number, payload: Buffer): void {
    const header = Buffer.from([
      type,
      payload.length >> 16,
      (payload.length >> 8) & 0xff,
      payload.length & 0xff,
    ]);
    this.socket.write(Buffer.concat([header, payload]));
  }

  /** The next frame: its type and payload. */
  async next(): Promise<{ type: number; payload: Buffer }> {
    const header = await this.take(4);
    if (header.length < 4) throw new Error('closed');
    const length = (header[1] << 16) | (header[2] << 8) | header[3];
    return { type: header[0], payload: await this.take(length) };
  }

  async message(): Promise<unknown[]> {
    const frame = await this.next();
    expect(frame.type).toBe(0);
    return JSON.parse(frame.payload.toString()) as unknown[];
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function rawSocketPort(running: RunningApp): number {
  const address = running.app.get(WampGateway).rawSocketAddresses.find((entry) => entry.startsWith('tcp://'));
  return Number(address?.split(':').at(-1));
}

describe.each<Platform>(['express', 'fastify'])('RawSocket (%s)', (platform) => {
  let running: RunningApp;
  const peers: RawSocketPeer[] = [];

  async function open(port: number): Promise<RawSocketPeer> {
    const peer = await RawSocketPeer.open(port);
    peers.push(peer);
    return peer;
  }

  beforeAll(async () => {
    running = await startApp({
      platform,
      wamp: { rawSocket: { port: 0, host: '127.0.0.1', shareHttpPort: true, handshakeTimeout: 500 } },
      controllers: [BigController],
    });
  });
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy();
  });
  afterAll(async () => {
    await running.app.close();
  });

  it.each([
    ['its own port', () => rawSocketPort(running)],
    ['the HTTP port', () => running.port],
  ])('on %s: handshake, HELLO/WELCOME, a call to the meta API, GOODBYE', async (_where, port) => {
    const peer = await open(port());
    // The router's maximum: 2 x maxPayload (1 MiB) = 2 MiB = 2^(9+12).
    expect([...(await peer.handshake())]).toEqual([0x7f, 0xc1, 0, 0]);
    peer.send([1, 'realm1', { roles: { caller: {} } }]);
    const welcome = await peer.message();
    expect(welcome[0]).toBe(2);
    peer.send([48, 1, {}, 'wamp.session.count']);
    expect(await peer.message()).toEqual([50, 1, {}, [expect.any(Number)]]);
    peer.send([6, {}, 'wamp.close.close_realm']);
    expect(await peer.message()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    await peer.whenClosed;
  });

  it('answers PING with a PONG carrying the same payload', async () => {
    const peer = await open(rawSocketPort(running));
    await peer.handshake();
    peer.frame(1, Buffer.from('are you there'));
    expect(await peer.next()).toEqual({ type: 2, payload: Buffer.from('are you there') });
  });

  it.each([
    ['an unsupported serializer (15)', [0x7f, 0xff, 0, 0], [0x7f, 0x10, 0, 0]],
    ['serializer 0', [0x7f, 0xf0, 0, 0], [0x7f, 0x10, 0, 0]],
    ['reserved octets set', [0x7f, 0xf1, 0, 1], [0x7f, 0x30, 0, 0]],
  ])('refuses %s with the spec error, then closes', async (_name, octets, reply) => {
    const peer = await open(rawSocketPort(running));
    expect([...(await peer.handshake(octets))]).toEqual(reply);
    await peer.whenClosed;
  });

  it('closes a connection whose first octet is not 0x7F without answering (own port)', async () => {
    const peer = await open(rawSocketPort(running));
    peer.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00]));
    await peer.whenClosed;
    expect((await peer.take(1)).length).toBe(0);
  });

  it('cuts a handshake that never completes at handshakeTimeout', async () => {
    const peer = await open(rawSocketPort(running));
    peer.socket.write(Buffer.from([0x7f]));
    const started = Date.now();
    await peer.whenClosed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('closes a connection that sends a frame above the announced maximum, or a reserved frame type', async () => {
    const big = await open(rawSocketPort(running));
    await big.handshake();
    big.socket.write(Buffer.from([0, 0x20, 0, 1])); // 2 MiB + 1 announced, nothing else sent
    await big.whenClosed;
    const reserved = await open(rawSocketPort(running));
    await reserved.handshake();
    reserved.frame(3, Buffer.from('x'));
    await reserved.whenClosed;
  });

  it('a client announcing 2 KiB gets ERROR payload_size_exceeded instead of a 4 KiB RESULT, and stays', async () => {
    const peer = await open(rawSocketPort(running));
    expect([...(await peer.handshake([0x7f, 0x21, 0, 0]))]).toEqual([0x7f, 0xc1, 0, 0]);
    peer.send([1, 'realm1', { roles: { caller: {} } }]);
    expect((await peer.message())[0]).toBe(2);
    peer.send([48, 7, {}, 'raw.big']);
    expect(await peer.message()).toEqual([
      8,
      48,
      7,
      {},
      'wamp.error.payload_size_exceeded',
      ['The answer is larger than the 2048 octets this client accepts.'],
    ]);
    peer.send([48, 8, {}, 'wamp.session.count']);
    expect(await peer.message()).toEqual([50, 8, {}, [expect.any(Number)]]);
  });

  it('the HTTP port still serves HTTP and WebSocket next to RawSocket', async () => {
    const response = await fetch(`http://127.0.0.1:${running.port}/nothing-here`);
    expect(response.status).toBe(404);
    const socket = new WebSocket(`${running.url}`, 'wamp.2.json');
    const welcome = await new Promise<unknown[]>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify([1, 'realm1', { roles: { caller: {} } }])));
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as unknown[]));
    });
    expect(welcome[0]).toBe(2);
    socket.terminate();
  });
});

describe('RawSocket listeners: TLS, a Unix socket; keepalive; what the meta API shows', () => {
  const certificate = makeCertificate();
  const skip = 'skip' in certificate ? certificate.skip : undefined;
  let running: RunningApp;
  let directory: string;
  let unixPath: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'nestjs-wamp-rs-'));
    unixPath = join(directory, 'wamp.sock');
    running = await startApp({
      wamp: {
        rawSocket: {
          port: 0,
          host: '127.0.0.1',
          tls: 'skip' in certificate ? undefined : certificate,
          path: unixPath,
        },
        pingInterval: 300,
        pingTimeout: 300,
      },
    });
  });
  afterAll(async () => {
    await running.app.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Handshake, HELLO; resolves with the WELCOME and the peer. */
  async function joinRealm(peer: RawSocketPeer): Promise<{ welcome: unknown[]; frames: RawSocketPeer }> {
    expect([...(await peer.handshake())]).toEqual([0x7f, 0xc1, 0, 0]);
    peer.send([1, 'realm1', { roles: { caller: {} } }]);
    return { welcome: await peer.message(), frames: peer };
  }

  (skip ? it.skip : it)(
    `over TLS: WELCOME, and the session is secure${skip ? ` [${skip}]` : ''}`,
    async () => {
      const address = running.app
        .get(WampGateway)
        .rawSocketAddresses.find((entry) => entry.startsWith('tcps://'));
      expect(address).toBeDefined();
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: Number(address?.split(':').at(-1)),
        ca: (certificate as { cert: string }).cert,
      });
      socket.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      const { welcome, frames } = await joinRealm(new RawSocketPeer(socket));
      expect(welcome[0]).toBe(2);
      frames.send([48, 1, {}, 'wamp.session.get', [welcome[1]]]);
      const [, , , [details]] = (await frames.message()) as [
        number,
        number,
        object,
        [Record<string, unknown>],
      ];
      expect(details.transport).toEqual({ type: 'rawsocket', protocol: 'wamp.2.json', secure: true });
      socket.destroy();
    },
  );

  it('over a Unix socket: WELCOME, and the session knows the path', async () => {
    expect(running.app.get(WampGateway).rawSocketAddresses).toContain(`unix:${unixPath}`);
    const peer = await RawSocketPeer.openPath(unixPath);
    const { welcome } = await joinRealm(peer);
    expect(welcome[0]).toBe(2);
    const session = running.app
      .get(WampRouter)
      .realms.get('realm1')
      ?.sessions.get(welcome[1] as number);
    expect(session?.transport).toMatchObject({ type: 'rawsocket', path: unixPath, secure: false });
    peer.destroy();
  });

  it('keepalive: the router PINGs a silent connection; one that answers stays, one that does not is cut', async () => {
    // Over the Unix socket (the port here is TLS): keepalive is the same on every listener.
    const answering = await RawSocketPeer.openPath(unixPath);
    const silent = await RawSocketPeer.openPath(unixPath);
    const a = await joinRealm(answering);
    await joinRealm(silent);
    // The answering one echoes every PING as a PONG.
    let pings = 0;
    a.frames.onPing = (payload) => {
      pings++;
      a.frames.frame(2, payload);
    };
    const started = Date.now();
    while (!silent.closed && Date.now() - started < 3000)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(silent.closed).toBe(true);
    expect(pings).toBeGreaterThan(0);
    expect(answering.closed).toBe(false);
    answering.destroy();
  });
});

/** Accepts one user: `joe` with the ticket `joe-secret`. */
class JoeTicket implements WampTicketAuthenticator {
  async verifyTicket(authid: string, ticket: string): Promise<WampAuthResult | null> {
    return authid === 'joe' && ticket === 'joe-secret' ? { authid, authrole: 'user' } : null;
  }
}

describe('RawSocket under the same rules as WebSocket: auth, slow consumers, graceful shutdown', () => {
  let running: RunningApp;
  let port: number;

  beforeAll(async () => {
    running = await startApp({
      wamp: {
        realms: ['realm1', { name: 'private', auth: { ticket: new JoeTicket() } }],
        rawSocket: { port: 0, host: '127.0.0.1' },
        outboundBufferLimit: 256 * 1024,
        slowConsumerTimeout: 300,
        shutdownTimeout: 2000,
      },
    });
    port = rawSocketPort(running);
  });

  it('ticket: CHALLENGE, AUTHENTICATE, WELCOME with the identity; a wrong ticket gets ABORT', async () => {
    const peer = await RawSocketPeer.open(port);
    await peer.handshake();
    peer.send([1, 'private', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    expect(await peer.message()).toEqual([4, 'ticket', {}]);
    peer.send([5, 'joe-secret', {}]);
    const welcome = await peer.message();
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authid: 'joe', authrole: 'user', authmethod: 'ticket' });
    peer.destroy();
    const wrong = await RawSocketPeer.open(port);
    await wrong.handshake();
    wrong.send([1, 'private', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    await wrong.message();
    wrong.send([5, 'nope', {}]);
    expect((await wrong.message()).slice(0, 1)).toEqual([3]);
    await wrong.whenClosed;
  });

  it('a subscriber that stops reading loses EVENTs at its cap, its queue stays bounded, a reader gets all', async () => {
    const stalled = await RawSocketPeer.open(port);
    const reader = await RawSocketPeer.open(port);
    for (const peer of [stalled, reader]) {
      await peer.handshake();
      peer.send([1, 'realm1', { roles: { subscriber: {} } }]);
      await peer.message();
      peer.send([32, 1, {}, 'rs.flood']);
      expect((await peer.message())[0]).toBe(33);
    }
    stalled.socket.pause();
    const session = [...(running.app.get(WampRouter).realms.get('realm1')?.sessions.values() ?? [])].find(
      (candidate) =>
        (candidate as { connection?: { socket?: Socket } }).connection?.socket?.remotePort ===
        stalled.socket.localPort,
    ) as unknown as { connection: MessageConnection };
    const publisher = running.app.get(WampPublisher);
    const payload = 'x'.repeat(16 * 1024);
    let peak = 0;
    for (let index = 0; index < 600; index++) {
      publisher.publish('rs.flood', [index, payload]);
      peak = Math.max(peak, session.connection.queuedBytes);
      if (index % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    let received = 0;
    while (received < 600) {
      const event = await reader.message();
      expect((event[4] as number[])[0]).toBe(received++);
    }
    expect(session.connection.droppedEvents).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(256 * 1024 + 16 * 1024 + 64);
    stalled.destroy();
    reader.destroy();
  });

  it('graceful shutdown: an established RawSocket session gets GOODBYE system_shutdown, then the socket ends', async () => {
    const peer = await RawSocketPeer.open(port);
    await peer.handshake();
    peer.send([1, 'realm1', { roles: { caller: {} } }]);
    expect((await peer.message())[0]).toBe(2);
    const closing = running.app.close();
    expect(await peer.message()).toEqual([
      6,
      { message: 'The router is shutting down.' },
      'wamp.close.system_shutdown',
    ]);
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await peer.whenClosed;
    await closing;
  });
});

describe('maxConnections counts WebSocket and RawSocket connections together', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ wamp: { maxConnections: 1, rawSocket: { port: 0, host: '127.0.0.1' } } });
  });
  afterAll(async () => {
    await running.app.close();
  });

  it('a RawSocket handshake gets error 4 while a WebSocket holds the only slot, and the other way round HTTP 503', async () => {
    const socket = new WebSocket(running.url, 'wamp.2.json');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const refused = await RawSocketPeer.open(rawSocketPort(running));
    expect([...(await refused.handshake())]).toEqual([0x7f, 0x40, 0, 0]);
    await refused.whenClosed;
    socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));

    const holder = await RawSocketPeer.open(rawSocketPort(running));
    expect([...(await holder.handshake())]).toEqual([0x7f, 0xc1, 0, 0]);
    const status = await new Promise<number>((resolve) => {
      const second = new WebSocket(running.url, 'wamp.2.json');
      second.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      second.once('open', () => {
        second.terminate();
        resolve(101);
      });
      second.once('error', () => undefined);
    });
    expect(status).toBe(503);
    holder.destroy();
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WampGateway } from '../../lib/index.js';
import { WampRouter } from '../../lib/core/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type Platform, type RunningApp } from '../support/test-app.js';
import { CanaryController, startCanary, type Canary, type CanaryReport } from './support/canary.js';

/**
 * Malformed WebSocket frames, hand-made on raw TCP sockets after a valid handshake and a joined WAMP
 * session, while a canary keeps calling and receiving events. Each attack must end the offending socket
 * with the close code `ws` (8.23, lib/receiver.js) and RFC 6455 give it, dispose its WAMP session, and
 * leave the canary and a bystander session undisturbed.
 */

/** WAMP-level limit of the app under test; `ws` cuts WebSocket messages over twice this (close 1009). */
const MAX_PAYLOAD = 4096;
const SOCKET_LIMIT = 2 * MAX_PAYLOAD;
/** Keepalive of the app under test: a silent socket is pinged after this, dropped after as long again. */
const PING_INTERVAL = 500;
/** Canary p99 bound on this 2-core machine (measured well under it; see the report). */
const CANARY_P99_BOUND_MS = 50;

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HELLO = JSON.stringify([1, 'realm1', { roles: { caller: {}, subscriber: {} } }]);

/** Opcodes (RFC 6455 §5.2). */
const CONTINUATION = 0x0;
const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;

interface FrameSpec {
  readonly opcode: number;
  readonly payload?: Buffer | string;
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly rsv2?: boolean;
  readonly rsv3?: boolean;
  /** Client frames must be masked; `false` sends it in the clear. */
  readonly masked?: boolean;
  /** Header only: declares this length (as a 64-bit length) and sends no payload. */
  readonly declaredLength?: bigint;
}

/** Encodes one client frame exactly as specified (RFC 6455 §5.2), masked unless told otherwise. */
function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.masked ?? true;
  const first =
    (spec.fin === false ? 0 : 0x80) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (spec.declaredLength !== undefined) {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(spec.declaredLength, 2);
    // The mask (if any) follows; no payload is sent.
    return masked ? Buffer.concat([header, randomBytes(4)]) : header;
  }
  if (payload.length < 126) {
    header = Buffer.from([first, maskBit | payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.alloc(payload.length);
  for (let index = 0; index < payload.length; index++) body[index] = payload[index] ^ mask[index & 3];
  return Buffer.concat([header, mask, body]);
}

/** A close frame payload: 2-byte code and a reason (bytes as given). */
function closePayload(code: number, reason: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, reason]);
}

/** One frame from the server (never masked). */
interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/**
 * A WebSocket client on a raw TCP socket: writes the upgrade request itself, checks the 101 answer, then
 * sends whatever bytes a test hands it and parses the server's frames. Every wait is bounded.
 */
class RawWebSocket {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly frames: ServerFrame[] = [];
  private wake?: () => void;
  /** Bytes received after the handshake (frames included). */
  receivedBytes = 0;
  /** Pongs received. */
  pongs = 0;
  readonly ended: Promise<void>;
  private isEnded = false;

  private constructor(readonly socket: Socket) {
    this.ended = new Promise((resolve) =>
      socket.once('close', () => {
        this.isEnded = true;
        this.wake?.();
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  static async open(port: number, path = '/ws', protocol = 'wamp.2.json'): Promise<RawWebSocket> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const client = new RawWebSocket(socket);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64');
    const response = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
      let received = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('no handshake answer within 3 s'));
      }, 3000);
      const onData = (chunk: Buffer): void => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (end === -1) return;
        clearTimeout(timer);
        socket.off('data', onData);
        resolve({ head: received.subarray(0, end).toString('latin1'), rest: received.subarray(end + 4) });
      };
      socket.on('data', onData);
      socket.once('connect', () =>
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
        ),
      );
      socket.once('close', () => reject(new Error('socket closed during the handshake')));
    });
    const lines = response.head.split('\r\n');
    if (!lines[0].startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${lines[0]}`);
    const headers = new Map(
      lines.slice(1).map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
      }),
    );
    if (headers.get('sec-websocket-accept') !== accept) throw new Error('wrong Sec-WebSocket-Accept');
    if (headers.get('sec-websocket-protocol') !== protocol) throw new Error('subprotocol not chosen');
    socket.on('data', (chunk: Buffer) => client.onData(chunk));
    if (response.rest.length > 0) client.onData(response.rest);
    return client;
  }

  /** Opens, sends HELLO in a valid masked text frame and waits for WELCOME. */
  static async join(port: number): Promise<{ ws: RawWebSocket; sessionId: number }> {
    const ws = await RawWebSocket.open(port);
    ws.write(frame({ opcode: TEXT, payload: HELLO }));
    const welcome = JSON.parse((await ws.nextFrame()).payload.toString('utf8')) as unknown[];
    if (welcome[0] !== 2) throw new Error(`expected WELCOME, got ${JSON.stringify(welcome)}`);
    return { ws, sessionId: welcome[1] as number };
  }

  write(data: Buffer): boolean {
    return this.socket.write(data);
  }

  get isClosed(): boolean {
    return this.isEnded;
  }

  private onData(chunk: Buffer): void {
    this.receivedBytes += chunk.length;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseServerFrame(this.buffer);
      if (!parsed) break;
      this.buffer = this.buffer.subarray(parsed.size);
      if (parsed.frame.opcode === 0xa) this.pongs++;
      else this.frames.push(parsed.frame);
    }
    this.wake?.();
  }

  /** The next frame other than a pong; rejects after `timeout` ms or when the socket ends first. */
  async nextFrame(timeout = 2000): Promise<ServerFrame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const next = this.frames.shift();
      if (next) return next;
      if (this.isEnded) throw new Error('socket ended without a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeout} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  /** Skips to the server's close frame; `undefined` if the socket ended without one. */
  async closeFrame(timeout = 3000): Promise<{ code: number; reason: string } | undefined> {
    const deadline = Date.now() + timeout;
    for (;;) {
      let next: ServerFrame;
      try {
        next = await this.nextFrame(Math.max(1, deadline - Date.now()));
      } catch (error) {
        if (this.isEnded) return undefined;
        throw error;
      }
      if (next.opcode !== CLOSE) continue;
      return {
        code: next.payload.length >= 2 ? next.payload.readUInt16BE(0) : 1005,
        reason: next.payload.subarray(2).toString('utf8'),
      };
    }
  }

  /** Resolves when the server has closed the TCP connection; rejects after `timeout` ms. */
  async waitEnded(timeout = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ended,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`TCP connection still open after ${timeout} ms`)),
            timeout,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function parseServerFrame(buffer: Buffer): { frame: ServerFrame; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  const fin = (buffer[0] & 0x80) !== 0;
  const opcode = buffer[0] & 0x0f;
  if ((buffer[1] & 0x80) !== 0) throw new Error('server frame is masked (RFC 6455 §5.1 forbids it)');
  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return undefined;
  return { frame: { fin, opcode, payload: buffer.subarray(offset, offset + length) }, size: offset + length };
}

async function until(condition: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Heap plus off-heap buffers after a full GC (the suite runs with --expose-gc). */
function memoryInUse(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Expected outcome: the close code the server sends, or `'cut'` for a connection dropped without one. */
type Outcome = number | 'cut';

interface FrameAttack {
  readonly name: string;
  readonly expected: Outcome;
  /** Sends the attack on a joined session. */
  readonly send: (ws: RawWebSocket) => unknown;
  /** How long the server may take to react (default 2 s). */
  readonly within?: number;
}

const invalidUtf8Samples: [string, Buffer][] = [
  ['a lone continuation byte', Buffer.from([0x5b, 0x80, 0x5d])],
  ['an overlong encoding of "/"', Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
  ['a UTF-16 surrogate (U+D800) encoded in UTF-8', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
  ['a code point above U+10FFFF', Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22])],
  ['a sequence truncated at the end of the message', Buffer.from([0x5b, 0x22, 0xe2, 0x82])],
];

const attacks: FrameAttack[] = [
  ...[0x3, 0x4, 0x5, 0x6, 0x7].map((opcode): FrameAttack => ({
    name: `reserved non-control opcode 0x${opcode.toString(16)}`,
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode, payload: '[]' })),
  })),
  ...[0xb, 0xc, 0xd, 0xe, 0xf].map((opcode): FrameAttack => ({
    name: `reserved control opcode 0x${opcode.toString(16)}`,
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode, payload: 'x' })),
  })),
  {
    name: 'RSV1 set on a text frame (permessage-deflate not negotiated)',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: TEXT, rsv1: true, payload: '[6,{},"wamp.close.close_realm"]' })),
  },
  {
    name: 'RSV2 set',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: TEXT, rsv2: true, payload: '[]' })),
  },
  {
    name: 'RSV3 set',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: TEXT, rsv3: true, payload: '[]' })),
  },
  {
    name: 'RSV1 set on a ping',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: PING, rsv1: true, payload: 'x' })),
  },
  {
    name: 'unmasked client text frame',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: TEXT, masked: false, payload: '[48,1,{},"canary.echo",[1]]' })),
  },
  {
    name: 'unmasked client ping',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: PING, masked: false, payload: 'x' })),
  },
  {
    name: 'fragmented control frame (ping with FIN=0)',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: PING, fin: false, payload: 'part' })),
  },
  {
    name: 'ping payload of 126 bytes (> 125)',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: PING, payload: Buffer.alloc(126, 0x61) })),
  },
  {
    name: 'close frame payload of 126 bytes (> 125)',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: CLOSE, payload: closePayload(1000, Buffer.alloc(124, 0x61)) })),
  },
  {
    name: 'continuation frame without a start',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: CONTINUATION, payload: '[]' })),
  },
  {
    name: 'new text frame while a fragmented message is open',
    expected: 1002,
    send: (ws) => {
      ws.write(frame({ opcode: TEXT, fin: false, payload: '[48,1,{},' }));
      ws.write(frame({ opcode: TEXT, payload: '"canary.echo"]' }));
    },
  },
  {
    name: 'new binary frame while a fragmented text message is open',
    expected: 1002,
    send: (ws) => {
      ws.write(frame({ opcode: TEXT, fin: false, payload: '[48,1,{},' }));
      ws.write(frame({ opcode: BINARY, payload: Buffer.from([0x93]) }));
    },
  },
  ...invalidUtf8Samples.map(([what, bytes]): FrameAttack => ({
    name: `invalid UTF-8 in a text frame: ${what}`,
    expected: 1007,
    send: (ws) => ws.write(frame({ opcode: TEXT, payload: bytes })),
  })),
  {
    name: 'invalid UTF-8 split across the fragments of a text message',
    expected: 1007,
    send: (ws) => {
      ws.write(frame({ opcode: TEXT, fin: false, payload: Buffer.from([0x5b, 0x22, 0xe2]) }));
      ws.write(frame({ opcode: CONTINUATION, payload: Buffer.from([0x28, 0xa1, 0x22, 0x5d]) }));
    },
  },
  {
    name: 'invalid UTF-8 in a close frame reason',
    expected: 1007,
    send: (ws) => ws.write(frame({ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0xc3, 0x28])) })),
  },
  {
    name: 'close frame with a 1-byte payload',
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: CLOSE, payload: Buffer.from([0x03]) })),
  },
  ...[999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535].map((code): FrameAttack => ({
    name: `close frame with invalid code ${code}`,
    expected: 1002,
    send: (ws) => ws.write(frame({ opcode: CLOSE, payload: closePayload(code) })),
  })),
  {
    name: `single frame declaring ${SOCKET_LIMIT + 1} bytes (over the socket limit), payload never sent`,
    expected: 1009,
    send: (ws) => ws.write(frame({ opcode: TEXT, declaredLength: BigInt(SOCKET_LIMIT + 1) })),
  },
  {
    name: 'single frame over the socket limit, payload sent',
    expected: 1009,
    send: (ws) =>
      ws.write(frame({ opcode: TEXT, payload: `[48,1,{},"canary.echo",["${'x'.repeat(SOCKET_LIMIT)}"]]` })),
  },
  {
    name: '64-bit length with the most significant bit set (lying length 2^63)',
    expected: 1009,
    send: (ws) => ws.write(frame({ opcode: BINARY, declaredLength: 1n << 63n })),
  },
  {
    name: '64-bit length 2^53 (beyond what ws can represent)',
    expected: 1009,
    send: (ws) => ws.write(frame({ opcode: TEXT, declaredLength: 1n << 53n })),
  },
  {
    name: 'never-ending fragmented message growing past the socket limit',
    expected: 1009,
    send: (ws) => {
      ws.write(frame({ opcode: TEXT, fin: false, payload: '["' }));
      // 1000-byte fragments: the ninth crosses 2 x maxPayload. Sent until the server cuts (bounded count).
      for (let index = 0; index < 64; index++)
        ws.write(frame({ opcode: CONTINUATION, fin: false, payload: 'y'.repeat(1000) }));
    },
  },
  {
    name: 'too many fragments: 16,385 empty continuation frames (ws maxFragments 16,384)',
    expected: 1008,
    send: (ws) => {
      const fragments: Buffer[] = [frame({ opcode: TEXT, fin: false, payload: '[' })];
      for (let index = 0; index < 16_385; index++)
        fragments.push(frame({ opcode: CONTINUATION, fin: false }));
      ws.write(Buffer.concat(fragments));
    },
  },
  {
    name: 'a frame header promising 1,000 bytes, 10 sent, then silence (dropped by the keepalive)',
    expected: 'cut',
    within: 3 * PING_INTERVAL + 1000,
    send: (ws) => {
      const whole = frame({ opcode: TEXT, payload: 'z'.repeat(1000) });
      ws.write(whole.subarray(0, 2 + 2 + 4 + 10));
    },
  },
];

describe.each<Platform>(['express', 'fastify'])('malformed WebSocket frames on %s', (platform) => {
  let running: RunningApp;
  let router: WampRouter;
  let gateway: WampGateway;
  let canary: Canary;
  let bystander: RawWampClient;
  let bystanderSubscription: number;
  /** Sessions and connections of the canary and the bystander: what every attack must return to. */
  let baseSessions: number;
  let baseConnections: number;
  const atBaseline = (): boolean =>
    router.sessionCount === baseSessions && gateway.endpoint.connectionCount === baseConnections;
  const suiteStarted = Date.now();
  const observed: string[] = [];

  beforeAll(async () => {
    running = await startApp({
      wamp: { maxPayload: MAX_PAYLOAD, pingInterval: PING_INTERVAL, pingTimeout: PING_INTERVAL },
      controllers: [CanaryController],
      platform,
    });
    router = running.app.get(WampRouter);
    gateway = running.app.get(WampGateway);
    canary = await startCanary(running.url);
    bystander = (await RawWampClient.join(running.url)).client;
    bystander.send([32, 1, {}, 'bystander.topic']);
    const subscribed = (await bystander.next()) as unknown[];
    expect(subscribed.slice(0, 2)).toEqual([33, 1]);
    bystanderSubscription = subscribed[2] as number;
    baseSessions = router.sessionCount;
    baseConnections = gateway.endpoint.connectionCount;
    expect({ baseSessions, baseConnections }).toEqual({ baseSessions: 3, baseConnections: 3 });
  });

  afterAll(async () => {
    await canary?.stop();
    bystander?.terminate();
    await running?.app.close();
  });

  it('the raw client speaks valid WebSocket: fragmented HELLO with a ping in between is served', async () => {
    const ws = await RawWebSocket.open(running.port);
    try {
      ws.write(frame({ opcode: TEXT, fin: false, payload: HELLO.slice(0, 10) }));
      ws.write(frame({ opcode: PING, payload: 'between' }));
      ws.write(frame({ opcode: CONTINUATION, fin: false, payload: HELLO.slice(10, 20) }));
      ws.write(frame({ opcode: CONTINUATION, payload: HELLO.slice(20) }));
      const welcome = JSON.parse((await ws.nextFrame()).payload.toString('utf8')) as unknown[];
      expect(welcome[0]).toBe(2);
      expect(ws.pongs).toBe(1);
      ws.write(frame({ opcode: TEXT, payload: '[48,1,{},"canary.echo",["raw"]]' }));
      expect((await ws.nextFrame()).payload.toString('utf8')).toBe('[50,1,{},["raw"]]');
      // A clean close: the server echoes 1000 and ends the TCP connection.
      ws.write(frame({ opcode: CLOSE, payload: closePayload(1000, Buffer.from('bye')) }));
      expect(await ws.closeFrame()).toEqual({ code: 1000, reason: 'bye' });
      await ws.waitEnded();
    } finally {
      ws.destroy();
    }
  });

  it(`has at least 13 kinds of malformed frame (${attacks.length} cases)`, () => {
    expect(new Set(attacks.map((attack) => attack.name)).size).toBe(attacks.length);
    expect(attacks.length).toBeGreaterThanOrEqual(13);
  });

  it.each(attacks.map((attack) => [attack.name, attack] as const))('%s', async (_name, attack) => {
    // The previous attack's socket may still be closing on the server side.
    await until(atBaseline, 3000, 'the previous connection to be gone');
    const { ws } = await RawWebSocket.join(running.port);
    try {
      expect(router.sessionCount).toBe(baseSessions + 1);
      const started = Date.now();
      await attack.send(ws);
      const within = attack.within ?? 2000;
      const close = await ws.closeFrame(within);
      await ws.waitEnded(within);
      const took = Date.now() - started;
      observed.push(
        `${attack.name}: ${close ? `close ${close.code}` : 'cut without a close frame'} (${took} ms)`,
      );
      if (attack.expected === 'cut') expect(close).toBeUndefined();
      else expect(close?.code).toBe(attack.expected);
      // The WAMP session and the connection are gone.
      await until(atBaseline, 2000, 'the session and connection to be disposed');
      const snapshot = canary.snapshot();
      expect({ failures: snapshot.failures, errors: snapshot.errors }).toEqual({ failures: 0, errors: [] });
    } finally {
      ws.destroy();
    }
  });

  it('a ping flood without reading is cut (pending pongs capped) with bounded memory', async () => {
    await until(atBaseline, 3000, 'the previous connection to be gone');
    const { ws } = await RawWebSocket.join(running.port);
    let sampler: NodeJS.Timeout | undefined;
    try {
      ws.socket.pause(); // never read: pongs can only pile up on the server
      const baseline = memoryInUse();
      let peak = 0;
      sampler = setInterval(() => {
        const usage = process.memoryUsage();
        peak = Math.max(peak, usage.heapUsed + usage.arrayBuffers);
      }, 2);
      const pings = 20_000;
      const one = frame({ opcode: PING, payload: Buffer.alloc(125, 0x70) });
      const started = Date.now();
      // 20,000 pings of 125 bytes (2.6 MB) in chunks of 500, as fast as the socket takes them.
      for (let sent = 0; sent < pings && !ws.isClosed; sent += 500) {
        ws.write(Buffer.concat(new Array<Buffer>(500).fill(one)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await until(atBaseline, 3000, 'the flooder to be cut');
      const cutAfter = Date.now() - started;
      clearInterval(sampler);
      ws.socket.resume();
      await ws.waitEnded(3000);
      const after = memoryInUse();
      const peakGrowth = Math.max(0, peak - baseline);
      observed.push(
        `ping flood: ${pings} pings offered, cut after ${cutAfter} ms, ${ws.pongs} pongs reached the client, ` +
          `peak memory growth ${(peakGrowth / 1048576).toFixed(1)} MB, after GC ${((after - baseline) / 1048576).toFixed(1)} MB`,
      );
      // ws terminates the socket (no close frame) once 60 pongs are pending.
      expect(ws.pongs).toBeLessThan(pings);
      expect(peakGrowth).toBeLessThan(64 * 1048576);
      expect(after - baseline).toBeLessThan(16 * 1048576);
    } finally {
      clearInterval(sampler);
      ws.destroy();
    }
  });

  it('the bystander session and the canary were undisturbed; the process is alive', async () => {
    // The bystander still calls and still receives events on its subscription.
    bystander.send([48, 2, {}, 'canary.echo', ['still here']]);
    expect(await bystander.next()).toEqual([50, 2, {}, ['still here']]);
    const publisher = (await RawWampClient.join(running.url)).client;
    publisher.send([16, 1, { acknowledge: true }, 'bystander.topic', ['hello']]);
    expect(((await publisher.next()) as unknown[])[0]).toBe(17);
    expect(await bystander.next()).toEqual([36, bystanderSubscription, expect.any(Number), {}, ['hello']]);
    publisher.terminate();
    expect(process.exitCode).toBeUndefined();

    const report: CanaryReport = await canary.stop();
    const runtime = Date.now() - suiteStarted;
    console.log(
      [
        `frames.spec on ${platform}: ${attacks.length} frame attacks + ping flood in ${runtime} ms`,
        ...observed,
        `canary: ${JSON.stringify(report)}`,
      ].join('\n'),
    );
    expect(report.failures).toBe(0);
    expect(report.errors).toEqual([]);
    expect(report.eventGaps).toBe(0);
    expect(report.calls).toBeGreaterThan(100);
    expect(report.events).toBeGreaterThan(50);
    expect(report.p99).toBeLessThan(CANARY_P99_BOUND_MS);
  });
});

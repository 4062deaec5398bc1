import { Decoder as CborDecoder, Encoder as CborEncoder } from 'cbor-x';
import { Packr } from 'msgpackr';
import WebSocket from 'ws';

/** A frame as received: decoded WAMP message (when decodable) plus the raw data. */
export interface ReceivedFrame {
  readonly message: unknown;
  readonly raw: Buffer;
  readonly isBinary: boolean;
}

/** How the socket closed. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const cborEncoder = new CborEncoder({ useRecords: false, mapsAsObjects: true });
// `int64AsNumber` works in cbor-x but is missing from its typings.
const cborDecoder = new CborDecoder({
  useRecords: false,
  mapsAsObjects: true,
  int64AsNumber: true,
} as ConstructorParameters<typeof CborDecoder>[0]);

/**
 * A deliberately dumb WAMP peer over a raw `ws` socket: sends exactly the bytes a test asks for and
 * queues every frame received, so tests can assert frame by frame. Encodes and decodes with the
 * underlying libraries directly (not the project's serializers), so the project is checked against them.
 */
export class RawWampClient {
  private readonly inbox: ReceivedFrame[] = [];
  private waiter?: (frame: ReceivedFrame) => void;
  readonly closed: Promise<CloseInfo>;

  private constructor(
    readonly socket: WebSocket,
    readonly protocol: string,
  ) {
    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      const frame = { message: decodeFrame(protocol, raw), raw, isBinary };
      if (this.waiter) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter(frame);
      } else {
        this.inbox.push(frame);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
  }

  /**
   * Opens a socket offering `protocols` (first is preferred). Rejects when the handshake fails.
   * `options` go to the `ws` client as is (e.g. `headers`, `origin`, or `ca` for `wss://`).
   */
  static connect(
    url: string,
    protocols: string | string[] = 'wamp.2.json',
    options?: WebSocket.ClientOptions,
  ): Promise<RawWampClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, options);
      socket.once('open', () => resolve(new RawWampClient(socket, socket.protocol)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${response.statusCode}`), {
              statusCode: response.statusCode,
              body,
            }),
          ),
        );
      });
    });
  }

  /** Connects and completes HELLO/WELCOME; resolves with the client and the WELCOME message. */
  static async join(
    url: string,
    realm = 'realm1',
    protocol = 'wamp.2.json',
    options?: WebSocket.ClientOptions,
  ): Promise<{ client: RawWampClient; welcome: unknown[] }> {
    const client = await RawWampClient.connect(url, protocol, options);
    client.send([1, realm, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }]);
    const welcome = (await client.next()) as unknown[];
    if (!Array.isArray(welcome) || welcome[0] !== 2)
      throw new Error(`Expected WELCOME, got ${JSON.stringify(welcome)}`);
    return { client, welcome };
  }

  /** Encodes `message` with the negotiated serializer and sends it. */
  send(message: unknown): void {
    this.socket.send(encodeFrame(this.protocol, message), {
      binary: !this.protocol.startsWith('wamp.2.json'),
    });
  }

  /** Sends exact bytes or text as given. */
  sendRaw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.socket.send(data, { binary });
  }

  /** The next decoded message; rejects after `timeout` ms. */
  async next(timeout = 2000): Promise<unknown> {
    return (await this.nextFrame(timeout)).message;
  }

  /** The next frame with its raw bytes; rejects after `timeout` ms. */
  nextFrame(timeout = 2000): Promise<ReceivedFrame> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`No message within ${timeout} ms`));
      }, timeout);
      this.waiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
    });
  }

  /** Resolves with the close info, or rejects if the socket stays open longer than `timeout` ms. */
  async waitClosed(timeout = 3000): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Socket still open after ${timeout} ms`)), timeout);
    });
    try {
      return await Promise.race([this.closed, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Messages received so far and not yet consumed. */
  get pending(): readonly ReceivedFrame[] {
    return this.inbox;
  }

  /** Closes the socket abruptly. */
  terminate(): void {
    this.socket.terminate();
  }
}

function encodeFrame(protocol: string, message: unknown): string | Buffer {
  switch (protocol) {
    case 'wamp.2.json':
      return JSON.stringify(message);
    case 'wamp.2.json.batched':
      return JSON.stringify(message) + '\x1e';
    case 'wamp.2.msgpack':
      return packr.pack(message);
    case 'wamp.2.cbor':
      return cborEncoder.encode(message);
    case 'wamp.2.msgpack.batched':
    case 'wamp.2.cbor.batched': {
      const body = protocol.startsWith('wamp.2.msgpack') ? packr.pack(message) : cborEncoder.encode(message);
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(body.length);
      return Buffer.concat([prefix, body]);
    }
    default:
      throw new Error(`Test client cannot encode ${protocol}`);
  }
}

/**
 * Sends CALL `request` of `procedure` and resolves with the next frame (its RESULT or ERROR, when nothing else is
 * on the way). Arguments go on the wire only when given (kwargs with an empty list before them), as clients send
 * them.
 */
export async function callFrame(
  client: RawWampClient,
  request: number,
  procedure: string,
  args?: unknown[],
  kwargs?: object,
): Promise<unknown[]> {
  client.send([
    48,
    request,
    {},
    procedure,
    ...(args || kwargs ? [args ?? []] : []),
    ...(kwargs ? [kwargs] : []),
  ]);
  return (await client.next()) as unknown[];
}

function decodeFrame(protocol: string, raw: Buffer): unknown {
  try {
    switch (protocol) {
      case 'wamp.2.json':
        return JSON.parse(raw.toString('utf8'));
      case 'wamp.2.json.batched': {
        const text = raw.toString('utf8');
        if (!text.endsWith('\x1e')) return undefined;
        return JSON.parse(text.slice(0, -1));
      }
      case 'wamp.2.msgpack':
        return packr.unpack(raw);
      case 'wamp.2.cbor':
        return cborDecoder.decode(raw);
      case 'wamp.2.msgpack.batched':
      case 'wamp.2.cbor.batched': {
        const length = raw.readUInt32BE(0);
        const body = raw.subarray(4, 4 + length);
        return protocol.startsWith('wamp.2.msgpack') ? packr.unpack(body) : cborDecoder.decode(body);
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

import {
  encodeMessage,
  type ConnectionCloseReason,
  type WampConnection,
  type WampMessage,
  type WampSerializer,
} from '../../lib/core/index.js';
import { type WampTransportInfo } from '../../lib/index.js';

/** A serializer for unit tests: JSON text, one message per frame. */
export const fakeJsonSerializer: WampSerializer = {
  protocol: 'wamp.2.json',
  binary: false,
  batched: false,
  encode: (message) => JSON.stringify(message),
  decode: (frame) => [JSON.parse(frame.toString('utf8')) as unknown],
};

/** A {@link WampConnection} that records what the router sends, for unit tests of the core without sockets. */
export class FakeConnection implements WampConnection {
  readonly sent: unknown[][] = [];
  readonly encoded: (Buffer | string)[] = [];
  closedWith?: { reason: ConnectionCloseReason; message: string };
  readonly transport: WampTransportInfo = {
    type: 'websocket',
    protocol: 'wamp.2.json',
    remoteAddress: '127.0.0.1',
    secure: false,
    url: '/ws',
    headers: {},
  };

  constructor(readonly serializer: WampSerializer = fakeJsonSerializer) {}

  send(message: WampMessage): void {
    // Round-trip through JSON so tests see what a peer would see, not shared object references.
    this.sent.push(JSON.parse(JSON.stringify(encodeMessage(message))) as unknown[]);
  }

  sendEvent(frame: Buffer | string): void {
    this.encoded.push(frame);
    this.sent.push(JSON.parse(frame.toString()) as unknown[]);
  }

  close(reason: ConnectionCloseReason, message: string): void {
    this.closedWith ??= { reason, message };
  }

  /** Removes and returns everything sent so far. */
  take(): unknown[][] {
    return this.sent.splice(0, this.sent.length);
  }
}

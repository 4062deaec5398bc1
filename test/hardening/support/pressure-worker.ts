/**
 * The client side of the delivery-under-pressure tests, in a child process of its own (forked by
 * pressure-clients.ts) so that the router's process memory, which the tests bound, holds only the router: a
 * publisher whose burst the router must hold back, subscribers that read (recording the order of what they
 * got), and subscribers that never read after subscribing. Plain `ws` peers, JSON or msgpack.
 */
import { Packr } from 'msgpackr';
import WebSocket from 'ws';
import type { PressureReport, PressureRequest } from './pressure-clients.js';

type Message = unknown[];
const packr = new Packr({ useRecords: false });

function encode(protocol: string, message: Message): string | Buffer {
  return protocol === 'wamp.2.msgpack' ? packr.pack(message) : JSON.stringify(message);
}

function decode(protocol: string, data: Buffer): Message {
  return (protocol === 'wamp.2.msgpack' ? packr.unpack(data) : JSON.parse(data.toString())) as Message;
}

interface Subscriber {
  readonly socket: WebSocket;
  received: number;
  inOrder: boolean;
  closeCode?: number;
}

/** Joins `realm1` and subscribes to `topic`; resolves once SUBSCRIBED arrived (rejects after 10 s). */
function subscriber(
  request: PressureRequest,
  onEvent?: (entry: Subscriber, sequence: number) => void,
): Promise<Subscriber> {
  const socket = new WebSocket(request.url, request.protocol);
  const entry: Subscriber = { socket, received: 0, inOrder: true };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('subscriber not ready within 10 s')), 10_000);
    socket.on('error', (error) => reject(error));
    socket.on('close', (code) => {
      entry.closeCode = code;
    });
    socket.on('open', () =>
      socket.send(encode(request.protocol, [1, 'realm1', { roles: { subscriber: {} } }])),
    );
    socket.on('message', (data: Buffer) => {
      const message = decode(request.protocol, data);
      if (message[0] === 2) socket.send(encode(request.protocol, [32, 1, {}, request.topic]));
      else if (message[0] === 33) {
        clearTimeout(timer);
        resolve(entry);
      } else if (message[0] === 36) onEvent?.(entry, (message[4] as number[])[0]);
    });
  });
}

/** Opens `count` subscribers, `concurrency` handshakes at a time. */
async function many(
  count: number,
  request: PressureRequest,
  onEvent?: (entry: Subscriber, sequence: number) => void,
): Promise<Subscriber[]> {
  const opened: Subscriber[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Math.min(100, count - start);
    opened.push(...(await Promise.all(Array.from({ length: batch }, () => subscriber(request, onEvent)))));
  }
  return opened;
}

async function run(request: PressureRequest): Promise<PressureReport> {
  const onEvent = (entry: Subscriber, sequence: number): void => {
    if (sequence !== entry.received) entry.inOrder = false;
    entry.received++;
  };
  const stalled = await many(request.stalled, request);
  // Stalled from now on: nothing more is read from the socket, so the kernel's buffers fill and the router's
  // queue for it grows.
  for (const entry of stalled) entry.socket.pause();
  const readers = await many(request.readers, request, onEvent);
  const publisher = new WebSocket(request.url, request.protocol);
  await new Promise<void>((resolve, reject) => {
    publisher.on('error', reject);
    publisher.on('open', () =>
      publisher.send(encode(request.protocol, [1, 'realm1', { roles: { publisher: {} } }])),
    );
    publisher.once('message', () => resolve());
  });
  const payload = 'x'.repeat(request.eventBytes);
  const started = performance.now();
  // One burst, in one turn of this process's event loop: the router holds it back by not reading.
  for (let sequence = 0; sequence < request.events; sequence++) {
    publisher.send(encode(request.protocol, [16, sequence + 1, {}, request.topic, [sequence, payload]]));
  }
  const deadline = started + request.timeoutMs;
  while (performance.now() < deadline && readers.some((entry) => entry.received < request.events)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const elapsedMs = Math.round(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, request.settleMs));
  const report: PressureReport = {
    kind: 'report',
    elapsedMs,
    readers: readers.map((entry) => ({ received: entry.received, inOrder: entry.inOrder })),
    stalledClosed: stalled.filter((entry) => entry.closeCode !== undefined).length,
    stalledCloseCodes: [...new Set(stalled.map((entry) => entry.closeCode ?? 0))],
  };
  // Open until the parent has looked at the router: closes from here on are this side's, not the router's.
  finishing = () => {
    for (const entry of [...stalled, ...readers]) entry.socket.terminate();
    publisher.terminate();
    process.exit(0);
  };
  return report;
}

let finishing = (): void => process.exit(0);

process.on('message', (message: PressureRequest | { kind: 'finish' }) => {
  if ('kind' in message) {
    finishing();
    return;
  }
  run(message).then(
    (report) => process.send?.(report),
    (error: unknown) =>
      process.send?.({ kind: 'failed', error: error instanceof Error ? error.stack : String(error) }, () =>
        process.exit(1),
      ),
  );
});
process.on('disconnect', () => process.exit(0));
// The parent bounds every run; this is the last resort if it did not.
setTimeout(() => process.exit(2), 170_000).unref();
process.send?.({ kind: 'online' });

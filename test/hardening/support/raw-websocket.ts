import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Attackers' WebSocket clients built by hand, so the attack controls every byte it sends and reads. */

const HOST = '127.0.0.1';

/** A client frame (masked, as RFC 6455 requires from clients). */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : (() => {
            const big = Buffer.alloc(10);
            big[0] = 0x80 | opcode;
            big[1] = 0x80 | 127;
            big.writeBigUInt64BE(BigInt(length), 2);
            return big;
          })();
  const masked = Buffer.alloc(length);
  for (let index = 0; index < length; index++) masked[index] = payload[index] ^ mask[index & 3];
  return Buffer.concat([header, mask, masked]);
}

/**
 * A WebSocket handshake done by hand on a raw TCP socket, so the attacker controls every byte it sends and
 * never reads what the router answers (the socket is paused once the 101 arrived).
 */
export async function rawUpgrade(port: number, protocol = 'wamp.2.json'): Promise<Socket> {
  const socket = connect(port, HOST);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no 101 within 2 s')), 2000);
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
      else resolve();
    };
    socket.on('data', onData);
  });
  return socket;
}

import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Encoder } from 'cbor-x';
import { Packr } from 'msgpackr';
import { connect } from 'node:net';
import type { WampAuthResult, WampTicketAuthenticator } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import type { RunningApp } from '../support/test-app.js';
import {
  countBy,
  failOnUnhandledRejections,
  figuresTable,
  judge,
  measured,
  typeAndUri,
  type Figure,
} from './support/attack-control.js';

/**
 * The neighbours of the red team's attacks (issue 12): the same tricks one step aside. Deep and wide
 * msgpack/CBOR values, CBOR tags (dates, typed arrays, sets, indefinite-length items), huge black/white lists,
 * a huge `authmethods` list in HELLO, and header abuse during the HTTP upgrade. Each runs against a control of
 * the same byte volume without the trick, with the canary going (verdict in attack-control.ts).
 */

const figures: Figure[] = [];

failOnUnhandledRejections();

afterAll(() => {
  process.stdout.write(figuresTable('Neighbouring attacks', figures));
});

const packr = new Packr({ useRecords: false, variableMapSize: true });
const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: true });
const ROLES = { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } };

/** A ticket authenticator that knows nobody: the realm requires a ticket, and no HELLO here has a valid one. */
@Injectable()
class NobodyTicketAuthenticator implements WampTicketAuthenticator {
  async verifyTicket(): Promise<WampAuthResult | null> {
    return null;
  }
}

/** An encoded `value` wrapped as `[48, 1, {}, "canary.echo", [1, <value>]]` in msgpack. */
function msgpackCall(value: Buffer): Buffer {
  // 0x95 [48, 1, {}, "canary.echo", [1, value]]
  return Buffer.concat([
    Buffer.from([0x95, 0x30, 0x01, 0x80, 0xab]),
    Buffer.from('canary.echo'),
    Buffer.from([0x92, 0x01]),
    value,
  ]);
}

/** The same wrapper in CBOR. */
function cborCall(value: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([0x85, 0x18, 0x30, 0x01, 0xa0, 0x6b]),
    Buffer.from('canary.echo'),
    Buffer.from([0x82, 0x01]),
    value,
  ]);
}

/** A msgpack bin 32 of `size` bytes: the control's payload, as cheap to decode as bytes can be. */
function msgpackBinary(size: number): Buffer {
  const head = Buffer.from([0xc6, 0, 0, 0, 0]);
  head.writeUInt32BE(size, 1);
  return Buffer.concat([head, Buffer.alloc(size, 0x61)]);
}

/** A CBOR byte string of `size` bytes. */
function cborBinary(size: number): Buffer {
  const head = Buffer.from([0x5a, 0, 0, 0, 0]);
  head.writeUInt32BE(size, 1);
  return Buffer.concat([head, Buffer.alloc(size, 0x61)]);
}

/** Opens `count` connections on `protocol`, sends each `frame` after HELLO, and returns what each got back. */
async function oneFrameEach(
  running: RunningApp,
  protocol: string,
  frames: readonly Buffer[],
): Promise<{ answer: unknown[]; code?: number }[]> {
  const outcomes: { answer: unknown[]; code?: number }[] = [];
  for (const frame of frames) {
    const { client } = await RawWampClient.join(running.url, 'realm1', protocol);
    client.sendRaw(frame);
    const answer = (await client.next(10_000)) as unknown[];
    const code = answer[0] === 3 ? (await client.waitClosed(5000)).code : undefined;
    client.terminate();
    outcomes.push({ answer, code });
  }
  return outcomes;
}

const abortMessage = (outcome: { answer: unknown[] }): string =>
  (outcome.answer[1] as { message?: string } | undefined)?.message ?? JSON.stringify(outcome.answer);

describe('neighbouring attacks, each against its control', () => {
  it('values nested a million levels deep (msgpack, CBOR definite and indefinite): ABORT at the edge, no recursion', async () => {
    const depth = 1_000_000;
    const frames: [string, Buffer][] = [
      ['wamp.2.msgpack', msgpackCall(Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0x01])]))],
      [
        'wamp.2.msgpack',
        msgpackCall(Buffer.concat([Buffer.alloc(depth, 0x81).fill(0xa0, 1, 2), Buffer.from([0x01])])),
      ],
      ['wamp.2.cbor', cborCall(Buffer.concat([Buffer.alloc(depth, 0x81), Buffer.from([0x01])]))],
      // Indefinite-length arrays need a break each: half as deep, the same size.
      [
        'wamp.2.cbor',
        cborCall(Buffer.concat([Buffer.alloc(depth / 2, 0x9f), Buffer.alloc(depth / 2, 0xff)])),
      ],
    ];
    const controls: [string, Buffer][] = [
      ['wamp.2.msgpack', msgpackCall(msgpackBinary(depth))],
      ['wamp.2.msgpack', msgpackCall(msgpackBinary(depth))],
      ['wamp.2.cbor', cborCall(cborBinary(depth))],
      ['wamp.2.cbor', cborCall(cborBinary(depth))],
    ];
    const outcomes: { answer: unknown[]; code?: number }[] = [];
    const under = await measured({}, async (running) => {
      for (const [protocol, frame] of frames)
        outcomes.push(...(await oneFrameEach(running, protocol, [frame])));
    });
    for (const outcome of outcomes) {
      expect(outcome.answer[2]).toBe('wamp.error.protocol_violation');
      expect(abortMessage(outcome)).toMatch(/nested deeper than 256 levels|invalid MessagePack|invalid CBOR/);
      expect(outcome.code).toBe(1002);
    }
    const control = await measured({}, async (running) => {
      for (const [protocol, frame] of controls) {
        const [outcome] = await oneFrameEach(running, protocol, [frame]);
        expect(outcome.answer[0]).toBe(50);
      }
    });
    judge(
      figures,
      'values nested 10^6 deep (msgpack, CBOR, indefinite CBOR)',
      'ABORT protocol_violation, close 1002',
      under,
      control,
    );
  }, 120_000);

  it('wide maps: CALLs whose kwargs hold 60,000 keys cost no more over msgpack and CBOR than over JSON', async () => {
    // Building a JS object of 60,000 keys costs V8 about 0.5 µs a key whoever parses it (JSON.parse too):
    // the fair control is the same data on the baseline serializer, and the figure is in the README. 60,000
    // keys is what fits in maxPayload as JSON.
    const kwargs: Record<string, number> = {};
    for (let index = 0; index < 60_000; index++) kwargs[`k${index}`] = index;
    const message = [48, 7, {}, 'canary.echo', [1], kwargs];
    const run =
      (frames: [string, Buffer | string][]) =>
      async (running: RunningApp): Promise<void> => {
        for (const [protocol, frame] of frames) {
          const { client } = await RawWampClient.join(running.url, 'realm1', protocol);
          for (let round = 0; round < 3; round++) {
            client.sendRaw(frame);
            expect(((await client.next(10_000)) as unknown[])[0]).toBe(50);
          }
          client.terminate();
        }
      };
    const wide: [string, Buffer][] = [
      ['wamp.2.msgpack', packr.pack(message)],
      ['wamp.2.cbor', cborEncoder.encode(message)],
    ];
    const json = JSON.stringify(message);
    const under = await measured({}, run(wide));
    const control = await measured(
      {},
      run([
        ['wamp.2.json', json],
        ['wamp.2.json', json],
      ]),
    );
    judge(
      figures,
      `6 CALLs with 60,000 kwargs keys (msgpack ${Math.round(wide[0][1].length / 1024)} KB, CBOR; control: JSON)`,
      '6 RESULTs',
      under,
      control,
    );
  });

  it('frames dense with 128-bit CBOR bignums (the largest accepted) cost what frames of small maps of the same size do', async () => {
    // Bignums of up to 16 bytes pass since issue 14 (values keep their size between binary peers). Each costs
    // a BigInt, built in constant time: a frame full of them must cost in proportion to its size, like the
    // control, a frame of the same size full of one-entry maps (the costliest ordinary content per byte).
    const publishFrame = (item: Buffer, count: number): Buffer => {
      const header = Buffer.alloc(5);
      header[0] = 0x9a; // an array with a 4-byte length
      header.writeUInt32BE(count, 1);
      // [16, request, {"acknowledge": true}, "bulk", [items]]
      return Buffer.concat([
        Buffer.from([
          0x85,
          0x10,
          0x01,
          0xa1,
          0x6b,
          ...Buffer.from('acknowledge'),
          0xf5,
          0x64,
          ...Buffer.from('bulk'),
        ]),
        header,
        Buffer.concat(Array.from({ length: count }, () => item)),
      ]);
    };
    const bignum = Buffer.concat([Buffer.from([0xc2, 0x50]), Buffer.alloc(16, 0xfe)]); // 18 bytes
    const smallMap = Buffer.from([0xa1, 0x61, 0x61, 0x01]); // {"a": 1}, 4 bytes
    const budget = 1024 * 1024 - 64;
    const dense = publishFrame(bignum, Math.floor(budget / bignum.length));
    const maps = publishFrame(smallMap, Math.floor(budget / smallMap.length));
    const run =
      (frame: Buffer) =>
      async (running: RunningApp): Promise<void> => {
        const { client } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.cbor');
        for (let round = 0; round < 10; round++) {
          client.sendRaw(frame);
          expect(((await client.next(10_000)) as unknown[])[0]).toBe(17); // PUBLISHED
        }
        client.terminate();
      };
    const under = await measured({}, run(dense));
    const control = await measured({}, run(maps));
    judge(
      figures,
      `10 PUBLISHes of ${Math.round(dense.length / 1024)} KB of 128-bit bignums (control: of one-entry maps)`,
      '10 PUBLISHED',
      under,
      control,
    );
  });

  it('CBOR tags (dates, typed arrays, sets, maps, regexps, shared references, indefinite strings): ABORT naming the tag', async () => {
    const size = 200_000;
    const tagged: [string, Buffer][] = [
      ['tag 1', Buffer.concat([Buffer.from([0x82, 0xc1, 0x1a, 0, 0, 0, 1]), cborBinary(size)])],
      ['tag 0', Buffer.concat([Buffer.from([0x82, 0xc0, 0x64]), Buffer.from('2020'), cborBinary(size)])],
      ['tag 69', Buffer.concat([Buffer.from([0x81, 0xd8, 0x45]), cborBinary(size)])],
      [
        'tag 258',
        Buffer.concat([
          Buffer.from([0x81, 0xd9, 0x01, 0x02]),
          cborEncoder.encode(Array.from({ length: 20_000 }, (_, i) => i)),
        ]),
      ],
      ['tag 259', Buffer.concat([Buffer.from([0x81, 0xd9, 0x01, 0x03, 0xa1, 0x01]), cborBinary(size)])],
      [
        'tag 27',
        Buffer.concat([
          Buffer.from([0x81, 0xd8, 0x1b, 0x82, 0x66]),
          Buffer.from('RegExp'),
          Buffer.from([0x7a, 0, 3, 0x0d, 0x40]),
          Buffer.alloc(size, 0x61),
        ]),
      ],
      ['tag 28', Buffer.concat([Buffer.from([0x81, 0xd8, 0x1c]), cborBinary(size)])],
      [
        'indefinite',
        Buffer.concat([
          Buffer.from([0x81, 0x5f]),
          Buffer.alloc(2 * 50_000, 0).fill(Buffer.from([0x41, 0x61])),
          Buffer.from([0xff]),
        ]),
      ],
    ];
    const outcomes: [string, string][] = [];
    const under = await measured({}, async (running) => {
      for (const [name, value] of tagged) {
        const [outcome] = await oneFrameEach(running, 'wamp.2.cbor', [cborCall(value)]);
        expect(outcome.answer[2]).toBe('wamp.error.protocol_violation');
        outcomes.push([name, abortMessage(outcome)]);
      }
    });
    for (const [name, message] of outcomes) {
      if (name === 'indefinite') expect(message).toMatch(/indefinite-length strings/);
      else expect(message).toMatch(new RegExp(`CBOR ${name} is not supported`));
    }
    const control = await measured({}, async (running) => {
      for (const [, value] of tagged) {
        const [outcome] = await oneFrameEach(running, 'wamp.2.cbor', [cborCall(cborBinary(value.length))]);
        expect(outcome.answer[0]).toBe(50);
      }
    });
    judge(
      figures,
      '8 CBOR tags around 200 KB values',
      'ABORT protocol_violation naming the tag',
      under,
      control,
    );
  });

  it('huge black/white lists: PUBLISH with 60,000-entry exclude and eligible lists costs what its size does', async () => {
    const ids = Array.from({ length: 60_000 }, (_, index) => 1_000_000 + index);
    const authids = Array.from({ length: 20_000 }, (_, index) => `a${index}`);
    const listed = packr.pack([
      16,
      5,
      { acknowledge: true, exclude: ids, eligible: ids, exclude_authid: authids },
      'lists.t',
      [],
    ]);
    const plain = packr.pack([
      16,
      5,
      { acknowledge: true },
      'lists.t',
      [Buffer.alloc(listed.length - 30, 0x61)],
    ]);
    const run =
      (frame: Buffer) =>
      async (running: RunningApp): Promise<void> => {
        const { client: subscriber } = await RawWampClient.join(running.url);
        subscriber.send([32, 1, {}, 'lists.t']);
        await subscriber.next();
        const { client } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.msgpack');
        for (let round = 0; round < 5; round++) {
          client.sendRaw(frame);
          expect(((await client.next(10_000)) as unknown[])[0]).toBe(17);
        }
        client.terminate();
        subscriber.terminate();
      };
    const under = await measured({}, run(listed));
    const control = await measured({}, run(plain));
    judge(
      figures,
      `5 PUBLISHes with 140,000 list entries (${Math.round(listed.length / 1024)} KB each)`,
      '5 PUBLISHED',
      under,
      control,
    );
  });

  it('wildcard registrations shaped so that every CALL walks them all: bounded by the limits, canary unaffected', async () => {
    // 1,000 wildcard patterns of 64 components (the default maxUriComponents), each component "a" or empty by
    // the bits of a pseudo-random number, ending in "z": a CALL of "a.a. ... .a.y" matches every one of them up
    // to the last component, so the trie walk visits all their distinct prefixes and finds nothing. The
    // control registers the same number of exact URIs.
    const patterns = Array.from({ length: 1000 }, (_, index) => {
      // xorshift32 seeded by the index: distinct, evenly mixed patterns.
      let state = (index + 1) * 0x9e3779b9;
      const components: string[] = [];
      for (let position = 0; position < 63; position++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        components.push(state & 0x80000000 ? '' : 'a');
      }
      return [...components, 'z'].join('.');
    });
    const called = [...Array.from({ length: 63 }, () => 'a'), 'y'].join('.');
    const run =
      (match: 'wildcard' | 'exact') =>
      async (running: RunningApp): Promise<void> => {
        const { client: callee } = await RawWampClient.join(running.url);
        for (const [index, pattern] of patterns.entries()) {
          callee.send([
            64,
            index + 1,
            { match },
            match === 'exact'
              ? pattern
                  .split('.')
                  .map((component) => component || 'b')
                  .join('.')
              : pattern,
          ]);
        }
        const registered: unknown[][] = [];
        for (const _pattern of patterns) registered.push((await callee.next(10_000)) as unknown[]);
        expect(countBy(registered, typeAndUri)).toEqual({ '65': 1000 });
        const { client: caller } = await RawWampClient.join(running.url);
        for (let request = 1; request <= 2000; request++) {
          caller.send([48, request, {}, called]);
          if (request % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        const answers: unknown[][] = [];
        for (let count = 0; count < 2000; count++) answers.push((await caller.next(20_000)) as unknown[]);
        expect(countBy(answers, typeAndUri)).toEqual({
          'ERROR wamp.error.no_such_procedure': 2000,
        });
        caller.terminate();
        callee.terminate();
      };
    const under = await measured({}, run('wildcard'));
    const control = await measured({}, run('exact'));
    judge(
      figures,
      '1,000 wildcard REGISTERs of 64 components, then 2,000 CALLs walking every pattern (control: exact URIs)',
      '2,000 ERROR no_such_procedure',
      under,
      control,
    );
  });

  it('a HELLO offering 60,000 authmethods: one lookup per name, and the ABORT does not echo them', async () => {
    const offered = Array.from({ length: 60_000 }, (_, index) => `method${index}`);
    // realm1 stays open for the canary; `secure` requires a ticket.
    const realms = ['realm1', { name: 'secure', auth: { ticket: NobodyTicketAuthenticator } }];
    const aborts: unknown[][] = [];
    const run =
      (details: Record<string, unknown>, answer: (message: unknown[]) => void) =>
      async (running: RunningApp): Promise<void> => {
        for (let round = 0; round < 5; round++) {
          const client = await RawWampClient.connect(running.url);
          client.send([1, 'secure', { ...ROLES, ...details }]);
          answer((await client.next(10_000)) as unknown[]);
          client.terminate();
        }
      };
    const app = { wamp: { realms }, providers: [NobodyTicketAuthenticator] };
    const under = await measured(
      app,
      run({ authmethods: offered }, (message) => aborts.push(message)),
    );
    for (const abort of aborts) {
      expect(abort[2]).toBe('wamp.error.no_matching_auth_method');
      const message = (abort[1] as { message: string }).message;
      expect(message).toMatch(
        /method0, method1, .* and 59992 more\) is accepted; this realm accepts ticket\./,
      );
      expect(message.length).toBeLessThan(400);
    }
    const control = await measured(
      app,
      run({ authmethods: ['ticket'], authid: 'nobody', x_padding: offered.join(',') }, (message) =>
        expect(message[0]).toBe(4),
      ),
    );
    judge(
      figures,
      '5 HELLOs offering 60,000 authmethods (0.8 MB)',
      'ABORT no_matching_auth_method, message < 400 chars',
      under,
      control,
    );
  });

  it('header abuse during the upgrade: a 15 KB protocol list, a 20 KB header, a 15 KB Origin', async () => {
    const allowedOrigins = ['https://app.example.com'];
    const handshake = (port: number, extra: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('utf8');
          if (received.includes('\r\n\r\n')) socket.destroy();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(received));
        socket.write(
          'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
            `${extra}\r\n`,
        );
      });
    const junkProtocols = Array.from({ length: 1500 }, (_, index) => `x${index}`).join(', ');
    const cases: [string, string, RegExp][] = [
      ['protocol list', `Sec-WebSocket-Protocol: ${junkProtocols}, wamp.2.json\r\n`, /^HTTP\/1\.1 101 /],
      [
        '20 KB header',
        `X-Big: ${'a'.repeat(20_000)}\r\nSec-WebSocket-Protocol: wamp.2.json\r\n`,
        /^HTTP\/1\.1 431 /,
      ],
      [
        'long origin',
        `Origin: https://${'a'.repeat(15_000)}.example\r\nSec-WebSocket-Protocol: wamp.2.json\r\n`,
        /^HTTP\/1\.1 403 [^]*Origin "https:\/\/a{112}…" \(15016 characters\) is not allowed/,
      ],
    ];
    const answers: [string, string][] = [];
    const under = await measured({ wamp: { allowedOrigins } }, async (running) => {
      for (let round = 0; round < 20; round++) {
        for (const [name, extra] of cases) answers.push([name, await handshake(running.port, extra)]);
      }
      // The session behind the long protocol list works.
      const client = await RawWampClient.connect(running.url, ['x1', 'wamp.2.json']);
      client.send([1, 'realm1', ROLES]);
      expect(((await client.next()) as unknown[])[0]).toBe(2);
      client.terminate();
    });
    for (const [name, answer] of answers) {
      const [, , pattern] = cases.find(([candidate]) => candidate === name) as [string, string, RegExp];
      expect({ name, answer: answer.slice(0, 300) }).toEqual({
        name,
        answer: expect.stringMatching(pattern),
      });
      expect(answer.length).toBeLessThan(1000);
    }
    const control = await measured({ wamp: { allowedOrigins } }, async (running) => {
      for (let round = 0; round < 60; round++) {
        const answer = await handshake(
          running.port,
          `X-Pad: ${'a'.repeat(10_000)}\r\nSec-WebSocket-Protocol: wamp.2.json\r\n`,
        );
        expect(answer).toMatch(/^HTTP\/1\.1 101 /);
      }
    });
    judge(
      figures,
      '60 handshakes with 15-20 KB of header abuse',
      '101 / 431 / 403 with a short body',
      under,
      control,
    );
  });
});

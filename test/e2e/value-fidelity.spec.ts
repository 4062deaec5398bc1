import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CborSerializer,
  JsonSerializer,
  MsgpackSerializer,
  type WampSerializer,
} from '../../lib/core/index.js';
import { WampProcedure, WampPublisher, type WampCallPayload } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * Integers keep their value across the router: exact between msgpack and CBOR peers (64-bit integers, and
 * bignums of up to 128 bits for CBOR), the nearest number for JSON peers (what JavaScript clients would parse
 * anyway). Frames are sent as bytes and read back with the library's own serializers, which keep bigints (the
 * test client's own decoders would round them).
 */

@Controller()
class EchoController {
  @WampProcedure('fidelity.echo')
  echo(@Payload() payload: WampCallPayload): unknown {
    return payload.args[0];
  }
}

const codecs: Record<string, WampSerializer> = {
  'wamp.2.json': new JsonSerializer(),
  'wamp.2.msgpack': new MsgpackSerializer(),
  'wamp.2.cbor': new CborSerializer(),
};

async function joinAs(running: RunningApp, protocol: string): Promise<RawWampClient> {
  const client = await RawWampClient.connect(running.url, protocol);
  client.sendRaw(
    codecs[protocol].encode([1, 'realm1', { roles: { caller: {}, publisher: {}, subscriber: {} } }]),
  );
  const welcome = await client.nextFrame();
  expect((codecs[protocol].decode(welcome.raw)[0] as unknown[])[0]).toBe(2);
  return client;
}

/** The next message, decoded by the library's serializer for the client's subprotocol. */
async function next(client: RawWampClient): Promise<unknown[]> {
  return codecs[client.protocol].decode((await client.nextFrame()).raw)[0] as unknown[];
}

const LARGE_64 = 1558266424841951553n; // rounds to ...488 as a double
const LARGE_128 = 2n ** 127n + 12345n;

describe('value fidelity across serializers', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ controllers: [EchoController] });
  });
  afterAll(async () => {
    await running.app.close();
  });

  it("a CBOR publisher's 64-bit integer and 128-bit bignum reach CBOR, msgpack and JSON subscribers as each can hold them", async () => {
    const subscribers = await Promise.all(
      ['wamp.2.cbor', 'wamp.2.msgpack', 'wamp.2.json'].map((protocol) => joinAs(running, protocol)),
    );
    for (const subscriber of subscribers) {
      subscriber.sendRaw(codecs[subscriber.protocol].encode([32, 1, {}, 'fidelity.topic']));
      expect((await next(subscriber))[0]).toBe(33);
    }
    const publisher = await joinAs(running, 'wamp.2.cbor');
    publisher.sendRaw(
      codecs['wamp.2.cbor'].encode([
        16,
        2,
        { acknowledge: true },
        'fidelity.topic',
        [LARGE_64, LARGE_128, -LARGE_64],
      ]),
    );
    expect((await next(publisher))[0]).toBe(17);
    const [cbor, msgpack, json] = await Promise.all(subscribers.map((subscriber) => next(subscriber)));
    expect(cbor[4]).toEqual([LARGE_64, LARGE_128, -LARGE_64]);
    // MessagePack has no integer beyond 64 bits: that one arrives as the nearest double.
    expect(msgpack[4]).toEqual([LARGE_64, Number(LARGE_128), -LARGE_64]);
    expect(json[4]).toEqual([Number(LARGE_64), Number(LARGE_128), Number(-LARGE_64)]);
    for (const client of [...subscribers, publisher]) client.terminate();
  });

  it("a call's 64-bit argument comes back exactly to msgpack and CBOR callers, through a Nest handler", async () => {
    for (const protocol of ['wamp.2.msgpack', 'wamp.2.cbor']) {
      const caller = await joinAs(running, protocol);
      caller.sendRaw(codecs[protocol].encode([48, 1, {}, 'fidelity.echo', [LARGE_64]]));
      expect(await next(caller)).toEqual([50, 1, {}, [LARGE_64]]);
      caller.terminate();
    }
  });

  it('a retained bigint published by the server reaches a JSON get_retained subscriber as a number, not an ABORT', async () => {
    running.app
      .get(WampPublisher)
      .publish('fidelity.retained', [12345678901234567890n], undefined, { retain: true });
    const subscriber = await joinAs(running, 'wamp.2.json');
    subscriber.sendRaw(codecs['wamp.2.json'].encode([32, 1, { get_retained: true }, 'fidelity.retained']));
    const subscribed = await next(subscriber);
    expect(subscribed[0]).toBe(33);
    expect(await next(subscriber)).toEqual([
      36,
      subscribed[2],
      expect.any(Number),
      { retained: true },
      [Number(12345678901234567890n)],
    ]);
    subscriber.terminate();
  });
});

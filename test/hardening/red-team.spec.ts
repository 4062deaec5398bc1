import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { LocalBroker, WampRouter } from '../../lib/core/index.js';
import {
  WampEventPattern,
  WampPublisher,
  type WampCallPayload,
  type WampModuleOptions,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import type { RunningApp } from '../support/test-app.js';
import {
  barrier,
  collectUntil,
  countBy,
  failOnUnhandledRejections,
  figuresTable,
  judge as judgeInto,
  measured as measuredWith,
  sendFrames,
  typeAndUri,
  type Figure,
  type Measured,
} from './support/attack-control.js';
import { sleep } from './support/measure.js';

/**
 * The red team's six attacks (issue 12), each run twice against a fresh app with the canary running: once
 * with the trick, once as a control sending the same volume of bytes without it (see attack-control.ts for
 * the verdict: canary within 5x its control, no failure, peak RSS growth under 100 MB), and the attacker
 * answered as the README says.
 *
 * Each attack runs at the sizes the red team used, with the default limits (which refuse most of it at the
 * edge) and, where the fix is an algorithm rather than a limit, again with the limits raised far enough to
 * let the attack through to the algorithm.
 */

/** A 200,000-component topic, for the attack through a server-side publication handler. */
const DEEP_TOPIC = 'deep' + '.x'.repeat(199_999);

/** A server-side handler of publications to {@link DEEP_TOPIC}: puts them on the async publication path. */
@Controller()
class DeepTopicController {
  static received = 0;

  @WampEventPattern(DEEP_TOPIC)
  onDeep(@Payload() _payload: WampCallPayload): void {
    DeepTopicController.received++;
  }
}

const figures: Figure[] = [];

failOnUnhandledRejections();

afterAll(() => {
  process.stdout.write(figuresTable('Red-team attacks', figures));
});

/** A fresh app with `wamp`; the handler on the 200,000-component topic only where the limits let it exist. */
const measured = (wamp: WampModuleOptions, run: (running: RunningApp) => Promise<void>): Promise<Measured> =>
  measuredWith(
    { wamp, controllers: (wamp.maxUriComponents ?? 0) >= 200_000 ? [DeepTopicController] : [] },
    run,
  );

const judge = (attack: string, outcome: string, under: Measured, control: Measured): void =>
  judgeInto(figures, attack, outcome, under, control);

// ---------------------------------------------------------------------------------------------------

const routerOf = (running: RunningApp): WampRouter => running.app.get(WampRouter);

// ---------------------------------------------------------------------------------------------------

describe('red-team attacks (issue 12), each against its control', () => {
  it('1. wildcard SUBSCRIBEs of ~1 MB of dots: ERROR invalid_uri at the edge, no trie is built', async () => {
    const pattern = 'p.' + '.'.repeat(1_000_000);
    const attackFrames = Array.from({ length: 20 }, (_, index) =>
      JSON.stringify([32, 100 + index, { match: 'wildcard' }, pattern]),
    );
    const controlFrames = Array.from({ length: 20 }, (_, index) =>
      JSON.stringify([16, 100 + index, {}, 'p.x', [pattern]]),
    );
    let answers: Record<string, number> = {};
    const under = await measured({}, async (running) => {
      const { client } = await RawWampClient.join(running.url);
      await sendFrames(client, attackFrames, 2);
      answers = countBy(await barrier(client), typeAndUri);
      expect((routerOf(running).realms.get('realm1')?.broker as LocalBroker).subscriptionCount).toBe(1); // the canary's
      client.terminate();
    });
    expect(answers).toEqual({ 'ERROR wamp.error.invalid_uri': 20 });
    const control = await measured({}, async (running) => {
      const { client } = await RawWampClient.join(running.url);
      await sendFrames(client, controlFrames, 2);
      expect(await barrier(client)).toEqual([]);
      client.terminate();
    });
    judge('1. 20 wildcard SUBSCRIBEs of 1 MB of dots', '20 ERROR invalid_uri, session lives', under, control);
  });

  it('2. a CBOR bignum of 100-300 KB in HELLO: ABORT protocol_violation before cbor-x builds it', async () => {
    const hello = (size: number, tagged: boolean): Buffer => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(size);
      return Buffer.concat([
        // [1, "realm1", {"roles": {"caller": {}}, "x": 2(h'...')}]
        Buffer.from([0x83, 0x01, 0x66, ...Buffer.from('realm1'), 0xa2]),
        Buffer.from([0x65, ...Buffer.from('roles'), 0xa1, 0x66, ...Buffer.from('caller'), 0xa0, 0x61, 0x78]),
        Buffer.from(tagged ? [0xc2, 0x5a] : [0x5a]),
        length,
        Buffer.alloc(size, 0xff),
      ]);
    };
    const sizes = [100_000, 300_000, 300_000, 300_000];
    const closes: [unknown, number][] = [];
    const run =
      (tagged: boolean) =>
      async (running: RunningApp): Promise<void> => {
        for (const size of sizes) {
          const client = await RawWampClient.connect(running.url, 'wamp.2.cbor');
          client.sendRaw(hello(size, tagged));
          const first = (await client.next(10_000)) as unknown[];
          if (tagged) {
            closes.push([first, (await client.waitClosed(5000)).code]);
          } else {
            expect(first[0]).toBe(2); // WELCOME: the same bytes without the tag are a valid HELLO
            client.terminate();
          }
        }
      };
    const under = await measured({}, run(true));
    for (const [abort, code] of closes) {
      expect(abort).toEqual([
        3,
        {
          message: expect.stringMatching(
            /^Frame is not valid wamp\.2\.cbor: CBOR bignum of \d+ bytes is not supported/,
          ),
        },
        'wamp.error.protocol_violation',
      ]);
      expect(code).toBe(1002);
    }
    const control = await measured({}, run(false));
    judge(
      '2. CBOR bignum of 100-300 KB as the first frame (x4)',
      'ABORT protocol_violation, close 1002',
      under,
      control,
    );
  });

  describe('3. 1,000 prefix SUBSCRIBEs of lengths 1,000-1,999, then 2,000 publishes to a 2,000-character topic', () => {
    const subscribes = (match: 'prefix' | 'exact', letter: string): string[] =>
      Array.from({ length: 1000 }, (_, index) =>
        JSON.stringify([32, 1 + index, { match }, letter.repeat(1000 + index)]),
      );
    const publishes = Array.from({ length: 2000 }, (_, index) =>
      JSON.stringify([16, 2000 + index, {}, 'a'.repeat(2000), [index]]),
    );

    async function attack(
      running: RunningApp,
      frames: readonly string[],
    ): Promise<{ subscribed: Record<string, number>; afterPublishing: unknown[][] }> {
      const { client } = await RawWampClient.join(running.url);
      await sendFrames(client, frames);
      const subscribed = countBy(await barrier(client, 900_001), typeAndUri);
      await sendFrames(client, publishes);
      const afterPublishing = await barrier(client, 900_002);
      client.terminate();
      return { subscribed, afterPublishing };
    }

    it('with the default limits: URIs over 1,024 characters are refused at the edge', async () => {
      let outcome: Awaited<ReturnType<typeof attack>> | undefined;
      const under = await measured({}, async (running) => {
        outcome = await attack(running, subscribes('prefix', 'a'));
      });
      expect(outcome?.subscribed).toEqual({ '33': 25, 'ERROR wamp.error.invalid_uri': 975 });
      // The publications' topic is over the limit too: refused, and (unacknowledged) not answered.
      expect(outcome?.afterPublishing).toEqual([]);
      const control = await measured({}, async (running) => {
        await attack(running, subscribes('exact', 'b'));
      });
      judge(
        '3. 1,000 prefix SUBSCRIBEs + 2,000 publishes (default limits)',
        '25 SUBSCRIBED, 975 ERROR invalid_uri',
        under,
        control,
      );
    });

    it('with maxUriLength raised to 4,096: the prefix tree walks the topic once per publish', async () => {
      const wamp: WampModuleOptions = { maxUriLength: 4096 };
      let outcome: Awaited<ReturnType<typeof attack>> | undefined;
      const under = await measured(wamp, async (running) => {
        outcome = await attack(running, subscribes('prefix', 'a'));
      });
      // All 1,000 prefixes match every publication; the publisher itself is excluded, so no EVENT comes back.
      expect(outcome?.subscribed).toEqual({ '33': 1000 });
      expect(outcome?.afterPublishing).toEqual([]);
      const control = await measured(wamp, async (running) => {
        await attack(running, subscribes('exact', 'b'));
      });
      judge(
        '3. same, maxUriLength 4,096 (the algorithm)',
        '1,000 SUBSCRIBED, 2,000 publications matched',
        under,
        control,
      );
    });
  });

  describe('4. 1,000 retained topics, then 3 get_retained SUBSCRIBEs to a 100,000-component wildcard pattern', () => {
    const pattern = 'r' + '.'.repeat(99_999);
    const retain = Array.from({ length: 1000 }, (_, index) =>
      JSON.stringify([16, 1 + index, { retain: true }, `r.t${index}`, [index]]),
    );
    const subscribe = (getRetained: boolean): string[] =>
      [0, 1, 2].map((index) =>
        JSON.stringify([
          32,
          5000 + index,
          getRetained ? { match: 'wildcard', get_retained: true } : { match: 'wildcard' },
          pattern,
        ]),
      );

    async function attack(running: RunningApp, getRetained: boolean): Promise<Record<string, number>> {
      const { client } = await RawWampClient.join(running.url);
      await sendFrames(client, retain);
      await barrier(client, 900_001);
      await sendFrames(client, subscribe(getRetained));
      const answers = countBy(await barrier(client, 900_002), typeAndUri);
      client.terminate();
      return answers;
    }

    it('with the default limits: the pattern is refused at the edge', async () => {
      let answers: Record<string, number> = {};
      const under = await measured({}, async (running) => {
        answers = await attack(running, true);
      });
      expect(answers).toEqual({ 'ERROR wamp.error.invalid_uri': 3 });
      const control = await measured({}, async (running) => {
        await attack(running, false);
      });
      judge(
        '4. 3 get_retained SUBSCRIBEs, 100,000 components (default limits)',
        '3 ERROR invalid_uri',
        under,
        control,
      );
    });

    it('with the URI limits raised: the pattern is prepared once, each retained topic fails fast', async () => {
      const wamp: WampModuleOptions = { maxUriLength: 1_000_000, maxUriComponents: 200_000 };
      let answers: Record<string, number> = {};
      const under = await measured(wamp, async (running) => {
        answers = await attack(running, true);
      });
      // One subscription (the same pattern three times), and no retained topic has 100,000 components.
      expect(answers).toEqual({ '33': 3 });
      const control = await measured(wamp, async (running) => {
        await attack(running, false);
      });
      judge(
        '4. same, limits raised (the algorithm)',
        '3 SUBSCRIBED, no retained event matches',
        under,
        control,
      );
    });
  });

  describe('5. msgpack.batched frames of tiny PUBLISH records to a topic with a reading subscriber', () => {
    const RECORDS = 80_654;
    // 13 bytes a record (4 of length, [16, uint16 ID, {}, "rt"]): 80,654 of them fill just under 1 MiB.
    // Written by hand: msgpackr would spend 3 bytes on the empty map.
    const record = (index: number): Buffer => {
      const id = 256 + (index % 65_000);
      return Buffer.from([0, 0, 0, 9, 0x94, 0x10, 0xcd, id >> 8, id & 0xff, 0x80, 0xa2, 0x72, 0x74]);
    };
    const records = Array.from({ length: RECORDS }, (_, index) => record(index));
    /** The records in frames of `perFrame`. */
    const framesOf = (perFrame: number): Buffer[] => {
      const frames: Buffer[] = [];
      for (let start = 0; start < RECORDS; start += perFrame)
        frames.push(Buffer.concat(records.slice(start, start + perFrame)));
      return frames;
    };

    /** Runs the publisher, then waits for the subscriber's EVENTs to stop arriving; returns how many came. */
    async function attack(
      running: RunningApp,
      frames: readonly Buffer[],
      expectAbort: boolean,
    ): Promise<number> {
      const { client: subscriber } = await RawWampClient.join(running.url);
      subscriber.send([32, 1, {}, 'rt']);
      expect(((await subscriber.next()) as unknown[])[0]).toBe(33);
      let events = 0;
      subscriber.socket.on('message', () => events++);
      const { client: publisher } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.msgpack.batched');
      await sendFrames(publisher, frames, 10);
      if (expectAbort) {
        const abort = (await publisher.next(10_000)) as unknown[];
        expect(abort).toEqual([
          3,
          { message: expect.stringMatching(/more than 100 messages \(the router's maxBatchedMessages\)/) },
          'wamp.error.protocol_violation',
        ]);
      } else {
        await barrier(publisher);
      }
      // The subscriber's EVENTs: wait until they stop coming (bounded).
      let seen = -1;
      for (let round = 0; round < 100 && seen !== events; round++) {
        seen = events;
        await sleep(100);
      }
      publisher.terminate();
      subscriber.terminate();
      return events;
    }

    it('one 1 MiB frame of 80,654 records is refused whole before any record is decoded', async () => {
      const single = framesOf(RECORDS);
      expect(single[0].length).toBeGreaterThan(1_000_000);
      expect(single[0].length).toBeLessThanOrEqual(1024 * 1024);
      let delivered = -1;
      const under = await measured({}, async (running) => {
        delivered = await attack(running, single, true);
      });
      expect(delivered).toBe(0);
      // Control: the same records, one per frame on wamp.2.msgpack.batched (same bytes, no batching trick).
      const control = await measured({}, async (running) => {
        await attack(running, framesOf(1), false);
      });
      judge(
        '5. one msgpack.batched frame of 80,654 PUBLISHes',
        'ABORT protocol_violation, 0 delivered',
        under,
        control,
      );
    });

    it('the same records in frames of 100 (the limit) all reach the reading subscriber', async () => {
      let delivered = -1;
      const under = await measured({}, async (running) => {
        delivered = await attack(running, framesOf(100), false);
      });
      let controlDelivered = -1;
      const control = await measured({}, async (running) => {
        controlDelivered = await attack(running, framesOf(1), false);
      });
      expect({ delivered, controlDelivered }).toEqual({ delivered: RECORDS, controlDelivered: RECORDS });
      judge('5. same records in frames of 100', `all ${RECORDS} EVENTs delivered`, under, control);
    });
  });

  describe('6. a 200,000-component wildcard pattern, then a PUBLISH to a 200,000-component topic', () => {
    const pattern = 'deep' + '.'.repeat(199_999);

    /**
     * The subscriber sends the pattern (or, without `subscribe`, the same bytes as a payload); the publisher
     * publishes to `topic`.
     */
    async function attack(
      running: RunningApp,
      subscribe: boolean,
      topic = DEEP_TOPIC,
    ): Promise<{ subscriber: unknown[][]; publisher: unknown[][]; events: number }> {
      const { client: subscriber } = await RawWampClient.join(running.url);
      subscriber.send(subscribe ? [32, 1, { match: 'wildcard' }, pattern] : [16, 1, {}, 'deep.x', [pattern]]);
      const subscriberAnswers = await barrier(subscriber, 900_001);
      const { client: publisher } = await RawWampClient.join(running.url);
      publisher.send([16, 2, { acknowledge: true }, topic, ['payload']]);
      // PUBLISHED or ERROR: with a server-side handler on the topic, the publication is acknowledged later.
      const publisherAnswers = await collectUntil(
        publisher,
        (message) => message[1] === 16 || message[0] === 17,
      );
      await sleep(100);
      const events = subscriber.pending.filter((frame) => (frame.message as unknown[])[0] === 36).length;
      subscriber.terminate();
      publisher.terminate();
      return { subscriber: subscriberAnswers, publisher: publisherAnswers, events };
    }

    it('with the default limits: both URIs are refused at the edge', async () => {
      let outcome: Awaited<ReturnType<typeof attack>> | undefined;
      const under = await measured({}, async (running) => {
        outcome = await attack(running, true);
      });
      expect(outcome?.subscriber.map(typeAndUri)).toEqual(['ERROR wamp.error.invalid_uri']);
      expect(outcome?.publisher.map(typeAndUri)).toEqual(['ERROR wamp.error.invalid_uri']);
      const control = await measured({}, async (running) => {
        await attack(running, false);
      });
      judge(
        '6. 200,000-component pattern + PUBLISH (default limits)',
        'ERROR invalid_uri for both',
        under,
        control,
      );
    });

    it('with the limits raised: the iterative walk delivers it, also through a server-side handler', async () => {
      const wamp: WampModuleOptions = { maxUriLength: 1_000_000, maxUriComponents: 300_000 };
      let outcome: Awaited<ReturnType<typeof attack>> | undefined;
      DeepTopicController.received = 0;
      const under = await measured(wamp, async (running) => {
        outcome = await attack(running, true);
        // The server publishes to the same topic: no RangeError reaches the application code either.
        expect(() => running.app.get(WampPublisher).publish(DEEP_TOPIC, ['from the server'])).not.toThrow();
      });
      expect(outcome?.subscriber.map(typeAndUri)).toEqual(['33']);
      // The @WampEventPattern handler accepted it (the async path), then PUBLISHED and the EVENT.
      expect(outcome?.publisher.map(typeAndUri)).toEqual(['17']);
      expect(outcome?.events).toBe(1);
      expect(DeepTopicController.received).toBe(1);
      // Control: the same subscription (building a 200,000-node trie costs what its size does, whatever the
      // router) and the same publications to a topic one component shorter, which no walk follows.
      const shorter = DEEP_TOPIC.slice(0, -2);
      let controlOutcome: Awaited<ReturnType<typeof attack>> | undefined;
      const control = await measured(wamp, async (running) => {
        controlOutcome = await attack(running, true, shorter);
        running.app.get(WampPublisher).publish(shorter, ['from the server']);
      });
      expect(controlOutcome?.publisher.map(typeAndUri)).toEqual(['17']);
      expect(controlOutcome?.events).toBe(0);
      judge(
        '6. same, limits raised (the algorithm)',
        'SUBSCRIBED, PUBLISHED, EVENT delivered',
        under,
        control,
      );
    });
  });
});

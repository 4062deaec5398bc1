import 'reflect-metadata';
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
 * The meta API, testaments and event history attacked (issue 16), each against a control of the same requests
 * without the trick, with the canary going (verdict in attack-control.ts):
 * - listing a realm full of subscriptions, over and over (the answer's size is the realm's, not the request's);
 * - testaments filling every session's budget, then every session lost at once (a publication storm at leave);
 * - reading a full event history, over and over (1 MiB answers to 40-byte calls);
 * - subscription churn watched through the meta events.
 * The attackers' clients run in the test's process, like the app: they read as real clients would and keep
 * nothing, so the memory measured is the router's.
 */

const figures: Figure[] = [];

failOnUnhandledRejections();

afterAll(() => {
  process.stdout.write(figuresTable('Meta API attacks', figures));
});

/** Sends `frames` in bursts of 100 (a turn between bursts). */
async function sendAll(client: RawWampClient, frames: readonly unknown[][]): Promise<void> {
  for (const [index, frame] of frames.entries()) {
    client.send(frame);
    if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Sends `frames` and reads as many answers, keeping them (small answers only). */
async function pipelined(client: RawWampClient, frames: readonly unknown[][]): Promise<unknown[][]> {
  await sendAll(client, frames);
  const answers: unknown[][] = [];
  for (let count = 0; count < frames.length; count++) answers.push((await client.next(30_000)) as unknown[]);
  return answers;
}

/** Sends `frames` and reads as many answers, keeping only the first and a count by type and URI. */
async function pipelinedCounted(
  client: RawWampClient,
  frames: readonly unknown[][],
): Promise<{ first: unknown[]; counts: Record<string, number> }> {
  await sendAll(client, frames);
  let first: unknown[] = [];
  const counts: Record<string, number> = {};
  for (let count = 0; count < frames.length; count++) {
    const answer = (await client.next(30_000)) as unknown[];
    if (count === 0) first = answer;
    const key = typeAndUri(answer);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { first, counts };
}

/** Reads and discards `count` frames as they come, each an EVENT (a subscriber that reads). */
async function drain(client: RawWampClient, count: number): Promise<void> {
  for (let received = 0; received < count; received++) {
    const frame = (await client.next(30_000)) as unknown[];
    if (frame[0] !== 36) throw new Error(`Expected EVENT, got ${JSON.stringify(frame).slice(0, 200)}`);
  }
}

describe('meta API attacks, each against its control', () => {
  it('wamp.subscription.list over 10,000 subscriptions, 200 times (control: wamp.session.count)', async () => {
    const run =
      (procedure: string) =>
      async (running: RunningApp): Promise<void> => {
        const holders: RawWampClient[] = [];
        for (let holder = 0; holder < 10; holder++) {
          const { client } = await RawWampClient.join(running.url);
          const frames = Array.from({ length: 1000 }, (_, index) => [
            32,
            index + 1,
            {},
            `com.fill.h${holder}.t${index}`,
          ]);
          expect((await pipelinedCounted(client, frames)).counts).toEqual({ '33': 1000 });
          holders.push(client);
        }
        const { client } = await RawWampClient.join(running.url);
        const { first, counts } = await pipelinedCounted(
          client,
          Array.from({ length: 200 }, (_, index) => [48, index + 1, {}, procedure]),
        );
        expect(counts).toEqual({ '50': 200 });
        if (procedure === 'wamp.subscription.list') {
          const [lists] = first[3] as [{ exact: number[] }];
          expect(lists.exact.length).toBeGreaterThanOrEqual(10_000); // and the canary's
        }
        client.terminate();
        for (const holder of holders) holder.terminate();
      };
    const under = await measured({}, run('wamp.subscription.list'));
    const control = await measured({}, run('wamp.session.count'));
    judge(
      figures,
      '200 wamp.subscription.list over 10,000 subscriptions (control: wamp.session.count)',
      '200 RESULT',
      under,
      control,
    );
  });

  it('20 sessions fill their testament budget and are lost at once, 5 subscribers read (control: the same PUBLISHes)', async () => {
    // ~64 KiB per session in testaments of ~230 approximate bytes: about 280 each, 5,600 publications at leave,
    // 28,000 EVENTs to readers that read as they come. The control sends the same publications as PUBLISHes.
    const payload = ['x'.repeat(40)];
    const run =
      (mode: 'testament' | 'publish') =>
      async (running: RunningApp): Promise<void> => {
        const leavers: { client: RawWampClient; kept: number }[] = [];
        for (let leaver = 0; leaver < 20; leaver++) {
          const { client } = await RawWampClient.join(running.url);
          const frames = Array.from({ length: 320 }, (_, index) => [
            48,
            index + 1,
            {},
            'wamp.session.add_testament',
            ['com.storm.gone', payload, { leaver, index }],
          ]);
          const { counts } = await pipelinedCounted(client, frames);
          const kept = counts['50'];
          expect(kept).toBeGreaterThan(200);
          expect(counts).toEqual({ '50': kept, 'ERROR nestjs_wamp.error.too_many_testaments': 320 - kept });
          if (mode === 'publish') {
            expect(await pipelined(client, [[48, 1000, {}, 'wamp.session.flush_testaments']])).toEqual([
              [50, 1000, {}],
            ]);
          }
          leavers.push({ client, kept });
        }
        const expected = leavers.reduce((total, leaver) => total + leaver.kept, 0);
        const readers: RawWampClient[] = [];
        for (let reader = 0; reader < 5; reader++) {
          const { client } = await RawWampClient.join(running.url);
          expect(await pipelined(client, [[32, 1, {}, 'com.storm.gone']])).toEqual([
            [33, 1, expect.any(Number)],
          ]);
          readers.push(client);
        }
        const reading = readers.map((reader) => drain(reader, expected));
        if (mode === 'publish') {
          for (const [leaver, { client, kept }] of leavers.entries()) {
            await sendAll(
              client,
              Array.from({ length: kept }, (_, index) => [
                16,
                2000 + index,
                {},
                'com.storm.gone',
                payload,
                { leaver, index },
              ]),
            );
          }
        }
        for (const { client } of leavers) client.terminate();
        await Promise.all(reading);
        for (const reader of readers) reader.terminate();
      };
    const under = await measured({}, run('testament'));
    const control = await measured({}, run('publish'));
    judge(
      figures,
      '20 sessions x ~280 testaments published on connection loss at once, 5 readers (control: the same PUBLISHes)',
      'every EVENT delivered',
      under,
      control,
    );
  });

  it('wamp.subscription.get_events over a full 1 MiB history, 100 times (control: wamp.subscription.get)', async () => {
    const wamp = {
      realms: [{ name: 'realm1', eventHistory: [{ topic: 'com.history.big', limit: 10_000 }] }],
    };
    const run =
      (procedure: string) =>
      async (running: RunningApp): Promise<void> => {
        const { client } = await RawWampClient.join(running.url);
        const [lookup] = await pipelined(client, [
          [48, 1, {}, 'wamp.subscription.lookup', ['com.history.big']],
        ]);
        const subscription = (lookup[3] as number[])[0];
        // 2,000 events of ~1 KB: the history keeps what its 1 MiB budget allows.
        await sendAll(
          client,
          Array.from({ length: 2000 }, (_, index) => [
            16,
            100 + index,
            {},
            'com.history.big',
            ['y'.repeat(500)],
            { index },
          ]),
        );
        const { first, counts } = await pipelinedCounted(
          client,
          Array.from({ length: 100 }, (_, index) => [48, 10_000 + index, {}, procedure, [subscription]]),
        );
        expect(counts).toEqual({ '50': 100 });
        if (procedure === 'wamp.subscription.get_events') {
          const [events] = first[3] as [unknown[]];
          expect(events.length).toBeGreaterThan(500);
        }
        client.terminate();
      };
    const under = await measured({ wamp }, run('wamp.subscription.get_events'));
    const control = await measured({ wamp }, run('wamp.subscription.get'));
    judge(
      figures,
      '100 get_events answering ~1 MiB each (control: wamp.subscription.get)',
      '100 RESULT',
      under,
      control,
    );
  });

  it('subscription churn under 10 meta-event watchers: 10,000 SUBSCRIBE/UNSUBSCRIBE (control: nobody watching)', async () => {
    const topics = [
      'wamp.subscription.on_create',
      'wamp.subscription.on_subscribe',
      'wamp.subscription.on_unsubscribe',
      'wamp.subscription.on_delete',
    ];
    const run =
      (watchers: number) =>
      async (running: RunningApp): Promise<void> => {
        const watching: RawWampClient[] = [];
        for (let watcher = 0; watcher < watchers; watcher++) {
          const { client } = await RawWampClient.join(running.url);
          const answers = await pipelined(
            client,
            topics.map((topic, index) => [32, index + 1, {}, topic]),
          );
          expect(countBy(answers, typeAndUri)).toEqual({ '33': 4 });
          watching.push(client);
        }
        // Watchers read as the events come: 50 rounds x 100 topics x 4 events each.
        const reading = watching.map((watcher) => drain(watcher, 20_000));
        const { client } = await RawWampClient.join(running.url);
        let request = 1;
        for (let round = 0; round < 50; round++) {
          const subscribed = await pipelined(
            client,
            Array.from({ length: 100 }, (_, index) => [32, request++, {}, `com.churn.topic${index}`]),
          );
          const ids = subscribed.map((answer) => answer[2] as number);
          const unsubscribed = await pipelined(
            client,
            ids.map((id) => [34, request++, id]),
          );
          expect(countBy(unsubscribed, typeAndUri)).toEqual({ '35': 100 });
        }
        await Promise.all(reading);
        for (const watcher of watching) watcher.terminate();
        client.terminate();
      };
    const under = await measured({}, run(10));
    const control = await measured({}, run(0));
    judge(
      figures,
      '10,000 SUBSCRIBE/UNSUBSCRIBE watched by 10 sessions (control: unwatched)',
      'every meta event delivered',
      under,
      control,
    );
  });
});

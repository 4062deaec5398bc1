import 'reflect-metadata';
import {
  Controller,
  Inject,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ClientProxy, Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  WampArg,
  WampClientProxy,
  WampContext,
  WampEventContext,
  WampEventPattern,
  WampException,
  WampPublisher,
  WampSubscription,
  WampSubscriptionContext,
  type WampCallPayload,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

@Injectable()
class HookLog {
  readonly setups: string[] = [];
  readonly teardowns: string[] = [];
  readonly publications: unknown[] = [];
}

@Injectable()
class NoShoutingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { args } = context.switchToRpc().getData<WampCallPayload>();
    return typeof args[0] !== 'string' || args[0] !== args[0].toUpperCase();
  }
}

@Controller()
class PubSubController {
  constructor(
    private readonly publisher: WampPublisher,
    @Inject(WampClientProxy) private readonly client: ClientProxy,
    private readonly log: HookLog,
  ) {}

  @MessagePattern('server.publish')
  publish(@WampArg(0) topic: string, @WampArg(1) value: unknown): number[] {
    return this.publisher.publish(topic, [value], { source: 'server' });
  }

  @MessagePattern('server.emit')
  async emit(@WampArg(0) topic: string, @WampArg(1) value: unknown): Promise<string> {
    await lastValueFrom(this.client.emit(topic, value), { defaultValue: undefined });
    return 'emitted';
  }

  @MessagePattern('server.later')
  later(@WampArg(0) topic: string, @Ctx() context: WampContext): string {
    const session = context.session;
    // A background job that outlives the call (serverwamp's doJob example).
    setTimeout(() => session.sendEvent(topic, [], { job_status: 'COMPLETED' }), 30);
    return 'Job scheduled.';
  }

  @WampEventPattern('chat.messages')
  @UseGuards(NoShoutingGuard)
  onChat(@Payload() payload: WampCallPayload, @Ctx() context: WampEventContext): void {
    this.log.publications.push({ args: payload.args, topic: context.topic, publisher: context.session.id });
  }

  @WampEventPattern('chat.rejected')
  onRejected(): void {
    throw new WampException('app.error.not_here', ['Publishing here is closed.']);
  }

  @WampSubscription('docs.changes')
  onDocs(@Ctx() context: WampSubscriptionContext): () => void {
    const name = `docs:${context.session.id}`;
    this.log.setups.push(name);
    context.sendEvent([{ snapshot: ['a', 'b'] }]);
    return () => this.log.teardowns.push(name);
  }

  @WampSubscription('secret.', { match: 'prefix' })
  async onSecret(@Ctx() context: WampSubscriptionContext): Promise<void> {
    await sleep(5);
    throw new WampException('wamp.error.not_authorized', [`No access to ${context.topic}.`]);
  }

  @WampSubscription('slow.topic')
  async onSlow(@Ctx() context: WampSubscriptionContext): Promise<() => void> {
    await sleep(60);
    const name = `slow:${context.session.id}`;
    this.log.setups.push(name);
    return () => this.log.teardowns.push(name);
  }
}

describe('publish/subscribe from Nest', () => {
  let running: RunningApp;
  const log = () => running.app.get(HookLog);

  beforeAll(async () => {
    running = await startApp({ controllers: [PubSubController], providers: [HookLog] });
  });
  afterAll(async () => {
    await running.app.close();
  });

  async function subscribe(
    client: RawWampClient,
    request: number,
    topic: string,
    options: Record<string, unknown> = {},
  ) {
    client.send([32, request, options, topic]);
    const subscribed = (await client.next()) as unknown[];
    expect(subscribed.slice(0, 2)).toEqual([33, request]);
    return subscribed[2] as number;
  }

  it('the injectable publisher reaches every subscriber', async () => {
    const subscriber = await RawWampClient.join(running.url);
    const caller = await RawWampClient.join(running.url);
    const subscription = await subscribe(subscriber.client, 1, 'news.today');
    caller.client.send([48, 1, {}, 'server.publish', ['news.today', 'hello']]);
    const [result] = [(await caller.client.next()) as unknown[]];
    const [publicationId] = (result[3] as number[][])[0];
    expect(await subscriber.client.next()).toEqual([
      36,
      subscription,
      publicationId,
      {},
      ['hello'],
      { source: 'server' },
    ]);
    subscriber.client.terminate();
    caller.client.terminate();
  });

  it('ClientProxy.emit publishes the payload as the single argument', async () => {
    const subscriber = await RawWampClient.join(running.url);
    const subscription = await subscribe(subscriber.client, 1, 'news.proxy');
    subscriber.client.send([48, 2, {}, 'server.emit', ['news.proxy', { n: 1 }]]);
    const messages = [
      (await subscriber.client.next()) as unknown[],
      (await subscriber.client.next()) as unknown[],
    ];
    const event = messages.find((message) => message[0] === 36);
    expect(event).toEqual([36, subscription, expect.any(Number), {}, [{ n: 1 }]]);
    expect(messages.find((message) => message[0] === 50)).toEqual([50, 2, {}, ['emitted']]);
    subscriber.client.terminate();
  });

  it('sends an event to one session from a job that outlives the call', async () => {
    const worker = await RawWampClient.join(running.url);
    const other = await RawWampClient.join(running.url);
    const subscription = await subscribe(worker.client, 1, 'job_events');
    await subscribe(other.client, 1, 'job_events');
    worker.client.send([48, 2, {}, 'server.later', ['job_events']]);
    expect(await worker.client.next()).toEqual([50, 2, {}, ['Job scheduled.']]);
    expect(await worker.client.next()).toEqual([
      36,
      subscription,
      expect.any(Number),
      {},
      [],
      { job_status: 'COMPLETED' },
    ]);
    await sleep(50);
    expect(other.client.pending).toHaveLength(0);
    worker.client.terminate();
    other.client.terminate();
  });

  it('@WampEventPattern receives client publications; a guard refusing rejects the publication', async () => {
    const publisher = await RawWampClient.join(running.url);
    const subscriber = await RawWampClient.join(running.url);
    const subscription = await subscribe(subscriber.client, 1, 'chat.messages');
    publisher.client.send([16, 1, { acknowledge: true }, 'chat.messages', ['hello there']]);
    const published = (await publisher.client.next()) as unknown[];
    expect(published.slice(0, 2)).toEqual([17, 1]);
    expect(await subscriber.client.next()).toEqual([36, subscription, published[2], {}, ['hello there']]);
    expect(log().publications).toContainEqual({
      args: ['hello there'],
      topic: 'chat.messages',
      publisher: publisher.welcome[1],
    });
    publisher.client.send([16, 2, { acknowledge: true }, 'chat.messages', ['HELLO THERE']]);
    expect(await publisher.client.next()).toEqual([
      8,
      16,
      2,
      {},
      'wamp.error.not_authorized',
      ['Forbidden resource'],
    ]);
    publisher.client.send([16, 3, { acknowledge: true }, 'chat.rejected', ['x']]);
    expect(await publisher.client.next()).toEqual([
      8,
      16,
      3,
      {},
      'app.error.not_here',
      ['Publishing here is closed.'],
    ]);
    await sleep(30);
    expect(subscriber.client.pending).toHaveLength(0);
    publisher.client.terminate();
    subscriber.client.terminate();
  });

  it('a publisher’s events keep their order when some wait for a handler', async () => {
    const publisher = await RawWampClient.join(running.url);
    const subscriber = await RawWampClient.join(running.url);
    await subscribe(subscriber.client, 1, 'chat.messages');
    const plain = await subscribe(subscriber.client, 2, 'chat.plain');
    for (let index = 0; index < 20; index++) {
      publisher.client.send([
        16,
        index + 1,
        {},
        index % 2 === 0 ? 'chat.messages' : 'chat.plain',
        [`m${index}`],
      ]);
    }
    const received: unknown[] = [];
    for (let index = 0; index < 20; index++)
      received.push(((await subscriber.client.next()) as unknown[][])[4][0]);
    expect(received).toEqual(Array.from({ length: 20 }, (_, index) => `m${index}`));
    expect(plain).toEqual(expect.any(Number));
    publisher.client.terminate();
    subscriber.client.terminate();
  });

  it('subscription hook: initial state after SUBSCRIBED, runs once per session, teardown once on UNSUBSCRIBE', async () => {
    const { client, welcome } = await RawWampClient.join(running.url);
    const name = `docs:${String(welcome[1])}`;
    client.send([32, 1, {}, 'docs.changes']);
    client.send([32, 2, {}, 'docs.changes']);
    const first = (await client.next()) as unknown[];
    expect(first.slice(0, 2)).toEqual([33, 1]);
    const subscription = first[2];
    const messages = [(await client.next()) as unknown[], (await client.next()) as unknown[]];
    expect(messages).toContainEqual([36, subscription, expect.any(Number), {}, [{ snapshot: ['a', 'b'] }]]);
    expect(messages).toContainEqual([33, 2, subscription]);
    expect(log().setups.filter((entry) => entry === name)).toHaveLength(1);
    client.send([34, 3, subscription]);
    expect(await client.next()).toEqual([35, 3]);
    client.send([34, 4, subscription]);
    expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_subscription');
    expect(log().teardowns.filter((entry) => entry === name)).toHaveLength(1);
    client.terminate();
    await sleep(30);
    expect(log().teardowns.filter((entry) => entry === name)).toHaveLength(1);
  });

  it('subscription hook teardown runs once when the session ends, also while the hook is still running', async () => {
    const first = await RawWampClient.join(running.url);
    const firstName = `docs:${String(first.welcome[1])}`;
    await subscribe(first.client, 1, 'docs.changes');
    first.client.terminate();
    await sleep(50);
    expect(log().teardowns.filter((entry) => entry === firstName)).toHaveLength(1);

    const second = await RawWampClient.join(running.url);
    const secondName = `slow:${String(second.welcome[1])}`;
    second.client.send([32, 1, {}, 'slow.topic']);
    await sleep(10);
    second.client.terminate();
    await sleep(120);
    expect(log().setups).toContain(secondName);
    expect(log().teardowns.filter((entry) => entry === secondName)).toHaveLength(1);
  });

  it('a hook can refuse a subscription with an ERROR', async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([32, 1, {}, 'secret.plans']);
    expect(await client.next()).toEqual([
      8,
      32,
      1,
      {},
      'wamp.error.not_authorized',
      ['No access to secret.plans.'],
    ]);
    client.terminate();
  });
});

describe('subscriptions: "hooked"', () => {
  it('only topics a hook covers may be subscribed', async () => {
    const running = await startApp({
      wamp: { subscriptions: 'hooked' },
      controllers: [PubSubController],
      providers: [HookLog],
    });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([32, 1, {}, 'docs.changes']);
      expect(((await client.next()) as unknown[]).slice(0, 2)).toEqual([33, 1]);
      await client.next();
      client.send([32, 2, {}, 'random.topic']);
      expect(await client.next()).toEqual([
        8,
        32,
        2,
        {},
        'wamp.error.not_authorized',
        ['Subscribing to "random.topic" is not allowed.'],
      ]);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });
});

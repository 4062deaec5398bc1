import 'reflect-metadata';
import {
  Controller,
  Injectable,
  Module,
  type INestApplication,
  type INestMicroservice,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload, type AsyncMicroserviceOptions } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import {
  LocalBroker,
  LocalDealer,
  WampRouter,
  type WampRealm,
  type WampSession,
} from '../../lib/core/index.js';
import {
  WampContext,
  WampGateway,
  WampModule,
  WampProcedure,
  WampPublisher,
  WampResult,
  WampTransport,
  WebSocketConnection,
  type WampCallPayload,
  type WampDynamicAuthorizer,
  type WampModuleOptions,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { clientFrame, rawUpgrade } from './support/raw-websocket.js';
import { CanaryController, startCanary, type Canary, type CanaryReport } from './support/canary.js';
import { MB, mb, peakSampler, settledMemory, sleep, waitFor, type MemorySample } from './support/measure.js';

/**
 * Resource attacks, each bounded by a documented limit, with the canary running throughout (zero failures,
 * p99 recorded) and the process memory checked (the router runs in this process: heapUsed after gc before
 * the attack, at its height, and after the attackers left; peak RSS sampled without gc).
 *
 * Every loop is bounded in count and time; every socket is on 127.0.0.1. The figures table is printed at
 * the end of the file.
 */

const HOST = '127.0.0.1';

/** One row of the figures table. */
interface Figure {
  readonly attack: string;
  readonly limit: string;
  readonly outcome: string;
  /** heapUsed after gc at the height of the attack, minus before (MB). */
  readonly heapDuring?: number;
  /** heapUsed after gc once the attackers left, minus before (MB). */
  readonly heapAfter: number;
  /** Peak rss (no gc) during the attack, minus rss before (MB). */
  readonly peakRss: number;
  readonly canary: CanaryReport;
  readonly ms: number;
}

const figures: Figure[] = [];

afterAll(() => {
  const rows = figures.map(
    (figure) =>
      `| ${figure.attack} | ${figure.limit} | ${figure.outcome} | ` +
      `${figure.heapDuring === undefined ? '–' : `${figure.heapDuring} MB`} / ${figure.heapAfter} MB / ${figure.peakRss} MB | ` +
      `${figure.canary.p99} ms (${figure.canary.calls} calls, ${figure.canary.failures} failures, ` +
      `${figure.canary.events} events, ${figure.canary.eventGaps} gaps) | ${(figure.ms / 1000).toFixed(1)} s |`,
  );
  process.stdout.write(
    [
      '',
      'Resource attacks (memory: heap+external Δ at the height of the attack (gc) / after the attackers left (gc) / peak RSS Δ)',
      '| attack | limit | attacker outcome | memory Δ | canary p99 | time |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});

/**
 * What every attack shares: the canary runs against `url` from before the baseline to after the attackers
 * left, and must see no failure and no missing event.
 */
class AttackRun {
  private baseline!: MemorySample;
  private sampler!: { stop(): MemorySample };
  private canary!: Canary;
  private during?: MemorySample;
  private readonly started = performance.now();

  static async start(url: string): Promise<AttackRun> {
    const run = new AttackRun();
    run.canary = await startCanary(url);
    await sleep(200); // warm-up: the canary's first calls, JIT
    run.baseline = await settledMemory();
    run.sampler = peakSampler();
    return run;
  }

  /** Records heapUsed after gc while the attack's state is still held. */
  async markDuring(): Promise<number> {
    this.during = await settledMemory();
    return mb(this.during.heapUsed - this.baseline.heapUsed);
  }

  /** Stops the canary, measures, records the figure and checks the canary and the memory bounds. */
  async finish(
    attack: string,
    limit: string,
    outcome: string,
    bounds: { heapDuringMb?: number; heapAfterMb: number; peakRssMb: number },
  ): Promise<Figure> {
    const peak = this.sampler.stop();
    const after = await settledMemory();
    const canary = await this.canary.stop();
    const figure: Figure = {
      attack,
      limit,
      outcome,
      heapDuring: this.during && mb(this.during.heapUsed - this.baseline.heapUsed),
      heapAfter: mb(after.heapUsed - this.baseline.heapUsed),
      peakRss: mb(peak.rss - this.baseline.rss),
      canary,
      ms: Math.round(performance.now() - this.started),
    };
    figures.push(figure);
    expect({ attack, failures: canary.failures, errors: canary.errors }).toEqual({
      attack,
      failures: 0,
      errors: [],
    });
    expect(canary.calls).toBeGreaterThan(0);
    expect(canary.eventGaps).toBe(0);
    if (bounds.heapDuringMb !== undefined && figure.heapDuring !== undefined) {
      expect(figure.heapDuring).toBeLessThan(bounds.heapDuringMb);
    }
    expect(figure.heapAfter).toBeLessThan(bounds.heapAfterMb);
    expect(figure.peakRss).toBeLessThan(bounds.peakRssMb);
    return figure;
  }

  /** Stops the canary without checking (cleanup after a failed assertion). */
  async abandon(): Promise<void> {
    this.sampler?.stop();
    await this.canary?.stop();
  }
}

function routerOf(app: INestApplication | INestMicroservice): WampRouter {
  return app.get(WampRouter);
}

function realmOf(app: INestApplication | INestMicroservice, name = 'realm1'): WampRealm {
  return routerOf(app).realms.get(name) as WampRealm;
}

function endpointOf(app: INestApplication | INestMicroservice): WampGateway['endpoint'] {
  return app.get(WampGateway).endpoint;
}

/** Takes `count` messages from the client's queue, waiting at most `timeout` ms for them to arrive. */
async function take(client: RawWampClient, count: number, timeout = 10_000): Promise<unknown[][]> {
  const arrived = await waitFor(() => client.pending.length >= count, timeout);
  if (!arrived) throw new Error(`expected ${count} messages, got ${client.pending.length} in ${timeout} ms`);
  const messages: unknown[][] = [];
  for (let index = 0; index < count; index++) messages.push((await client.next()) as unknown[]);
  return messages;
}

/** Sends many messages in slices, yielding between slices so the event loop (and the canary) keeps going. */
async function sendMany(
  client: RawWampClient,
  count: number,
  make: (index: number) => unknown[],
): Promise<void> {
  for (let index = 0; index < count; index++) {
    client.send(make(index));
    if (index % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Joins a realm on a raw socket (HELLO sent, WELCOME left unread). */
async function rawJoin(port: number): Promise<Socket> {
  const socket = await rawUpgrade(port);
  socket.write(clientFrame(0x1, Buffer.from(JSON.stringify([1, 'realm1', { roles: { caller: {} } }]))));
  return socket;
}

/** Writes `chunk` and waits for the socket to drain (or close), at most `timeout` ms. */
async function writeDrained(socket: Socket, chunk: Buffer, timeout = 1000): Promise<void> {
  if (socket.destroyed) return;
  if (socket.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, timeout);
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/** A plain ws subscriber that counts EVENTs on `topic` and keeps nothing else. */
async function countingSubscriber(url: string, topic: string): Promise<{ count(): number; close(): void }> {
  const socket = new WebSocket(url, 'wamp.2.json');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let events = 0;
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  socket.on('message', (raw: Buffer) => {
    // Cheap type test: EVENT frames start with "[36,".
    if (raw[1] === 0x33 && raw[2] === 0x36) events++;
    else if (raw.toString().startsWith('[2,')) socket.send(JSON.stringify([32, 1, {}, topic]));
    else if (raw.toString().startsWith('[33,1,')) subscribed();
  });
  socket.send(JSON.stringify([1, 'realm1', { roles: { subscriber: {} } }]));
  await Promise.race([ready, sleep(3000).then(() => Promise.reject(new Error('subscriber not ready')))]);
  return { count: () => events, close: () => socket.terminate() };
}

// ---------------------------------------------------------------------------------------------------
// Procedures the attacks need besides the canary

/** Holds `res.slow` calls until the test opens the gate (or 15 s pass, or the call is aborted). */
@Injectable()
class SlowGate {
  started = 0;
  aborted = 0;
  finished = 0;
  private openGate!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.openGate = resolve));
  open(): void {
    this.openGate();
  }
}

@Controller()
class ResourcesController {
  constructor(private readonly gate: SlowGate) {}

  @WampProcedure('res.slow')
  async slow(@Ctx() ctx: WampContext): Promise<string> {
    this.gate.started++;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.gate.opened,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 15_000);
        timer.unref();
      }),
      new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    clearTimeout(timer);
    if (ctx.signal.aborted) this.gate.aborted++;
    else this.gate.finished++;
    return 'done';
  }

  /** Echoes args and kwargs exactly, and reports what the handler saw of its payload and options. */
  @WampProcedure('res.inspect')
  inspect(@Payload() payload: WampCallPayload, @Ctx() ctx: WampContext): WampResult {
    const kwargs = payload.kwargs as Record<string, unknown>;
    return new WampResult(
      [
        {
          kwargsPrototypeIsObject: Object.getPrototypeOf(kwargs) === Object.prototype,
          kwargsKeys: Object.keys(kwargs),
          optionsKeys: Object.keys(ctx.options),
          timeout: ctx.options.timeout ?? null,
          receiveProgress: ctx.receiveProgress,
          inheritedPolluted: (kwargs as { polluted?: unknown }).polluted ?? null,
          authrole: ctx.session.authrole,
        },
        ...payload.args,
      ],
      kwargs,
    );
  }
}

/** An async authorizer that takes 500 ms per decision (and allows everything). */
@Injectable()
class HoldingAuthorizer implements WampDynamicAuthorizer {
  authorize(): Promise<boolean> {
    return new Promise((resolve) => setTimeout(() => resolve(true), 500).unref());
  }
}

async function startAttackApp(wamp: WampModuleOptions): Promise<RunningApp> {
  return startApp({
    wamp,
    controllers: [CanaryController, ResourcesController],
    providers: [SlowGate, HoldingAuthorizer],
  });
}

/** Runs `body` against a fresh app, closing it whatever happens. */
async function withApp(wamp: WampModuleOptions, body: (running: RunningApp) => Promise<void>): Promise<void> {
  const running = await startAttackApp(wamp);
  try {
    await body(running);
  } finally {
    running.app.get(SlowGate).open();
    await running.app.close();
  }
}

// ---------------------------------------------------------------------------------------------------

describe('resource attacks (hardening)', () => {
  it('ping flood: pings without reading pongs are cut (fast: ws maxPendingAutoPongs; slow: keepalive)', async () => {
    const pingInterval = 1000;
    const pingTimeout = 1000;
    await withApp({ pingInterval, pingTimeout }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const endpoint = endpointOf(running.app);
        const baselineConnections = endpoint.connectionCount;
        const ping = clientFrame(0x9, randomBytes(125));
        const burst = Buffer.concat(Array.from({ length: 1000 }, () => ping));

        // Fast: 1,000 pings per write as fast as the socket drains; never reads a byte.
        const fast = await rawJoin(running.port);
        await waitFor(() => endpoint.connectionCount === baselineConnections + 1, 2000);
        const fastStarted = performance.now();
        let fastCut = 0;
        for (let round = 0; round < 2000 && performance.now() - fastStarted < 15_000; round++) {
          await writeDrained(fast, burst);
          if (fast.destroyed || endpoint.connectionCount === baselineConnections) {
            fastCut = performance.now() - fastStarted;
            break;
          }
          if (round % 10 === 9) await sleep(1);
        }
        await waitFor(() => endpoint.connectionCount === baselineConnections, 3000);
        if (!fastCut) fastCut = performance.now() - fastStarted;
        const fastPings = Math.floor(fast.bytesWritten / ping.length);
        fast.destroy();
        expect(endpoint.connectionCount).toBe(baselineConnections);
        expect(fastCut).toBeLessThan(15_000);

        // Slow: one ping every 10 ms, slow enough that every pong fits in the socket buffers, so only the
        // router's keepalive (which pongs never satisfy: they are the client's to send) can cut it.
        const slow = await rawJoin(running.port);
        await waitFor(() => endpoint.connectionCount === baselineConnections + 1, 2000);
        const slowStarted = performance.now();
        let slowPings = 0;
        while (
          performance.now() - slowStarted < 10_000 &&
          !slow.destroyed &&
          endpoint.connectionCount > baselineConnections
        ) {
          slow.write(ping);
          slowPings++;
          await sleep(10);
        }
        const slowCut = performance.now() - slowStarted;
        slow.destroy();
        expect(endpoint.connectionCount).toBe(baselineConnections);
        // Silent for pingInterval, then pingTimeout to answer, checked every max(100, min/4) ms.
        expect(slowCut).toBeLessThan(pingInterval + pingTimeout + 1000);

        await run.finish(
          'ping flood',
          `ws maxPendingAutoPongs 60; pingInterval ${pingInterval} + pingTimeout ${pingTimeout} ms`,
          `fast: cut after ${fastPings} pings in ${Math.round(fastCut)} ms; ` +
            `slow (1 per 10 ms): cut after ${slowPings} pings at ${Math.round(slowCut)} ms`,
          { heapAfterMb: 8, peakRssMb: 100 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it.each<'drop' | 'disconnect'>(['drop', 'disconnect'])(
    'slow consumer (%s): a subscriber that stops reading costs at most outboundBufferLimit',
    async (policy) => {
      const limit = 256 * 1024;
      await withApp({ outboundBufferLimit: limit, slowConsumerPolicy: policy }, async (running) => {
        const run = await AttackRun.start(running.url);
        try {
          const realm = realmOf(running.app);
          const attacker = await RawWampClient.join(running.url);
          const { client } = attacker;
          const sessionId = attacker.welcome[1] as number;
          client.send([32, 1, {}, 'flood.events']);
          expect(((await client.next()) as unknown[]).slice(0, 2)).toEqual([33, 1]);
          client.socket.pause();
          const connection = (realm.sessions.get(sessionId) as WampSession).connection as WebSocketConnection;
          const healthy = await countingSubscriber(running.url, 'flood.events');

          const publisher = running.app.get(WampPublisher);
          const payload = 'x'.repeat(4096);
          const total = 20_000;
          let maxBuffered = 0;
          let published = 0;
          const started = performance.now();
          for (let batch = 0; published < total && performance.now() - started < 20_000; batch++) {
            for (let index = 0; index < 100; index++) {
              publisher.publish('flood.events', [published++, payload]);
              maxBuffered = Math.max(maxBuffered, connection.socket.bufferedAmount);
            }
            await sleep(10);
          }
          const frameSize = Buffer.byteLength(JSON.stringify([36, 2 ** 53, 2 ** 53, {}, [total, payload]]));
          await waitFor(() => healthy.count() === total, 5000);
          const heapDuring = await run.markDuring();
          const attackerState = realm.sessions.get(sessionId)?.isOpen ? 'established' : 'closed';

          expect(healthy.count()).toBe(total);
          // The check happens before a send: the queue can pass the limit by at most one EVENT.
          expect(maxBuffered).toBeLessThanOrEqual(limit + frameSize);
          let outcome: string;
          if (policy === 'drop') {
            expect(connection.droppedEvents).toBeGreaterThan(0);
            expect(attackerState).toBe('established');
            outcome =
              `${connection.droppedEvents} of ${total} EVENTs (4 KiB) dropped for it; its queue peaked at ` +
              `${Math.round(maxBuffered / 1024)} KiB; healthy subscriber got ${healthy.count()}/${total}; ` +
              `heap Δ during ${heapDuring} MB`;
          } else {
            // Closed with 1008; ws waits for the close handshake at most 2 s, then terminates.
            expect(await waitFor(() => realm.sessions.get(sessionId) === undefined, 3000)).toBe(true);
            outcome =
              `disconnected (1008) once its queue passed ${Math.round(limit / 1024)} KiB ` +
              `(peak ${Math.round(maxBuffered / 1024)} KiB); healthy subscriber got ${healthy.count()}/${total}`;
          }
          client.terminate();
          healthy.close();

          // RPC results are never dropped: a caller that stops reading them is closed past 4x the limit.
          let rpcOutcome = '';
          if (policy === 'drop') {
            const caller = await RawWampClient.join(running.url);
            const callerId = caller.welcome[1] as number;
            const callerConnection = (realm.sessions.get(callerId) as WampSession)
              .connection as WebSocketConnection;
            caller.client.socket.pause();
            const big = 'y'.repeat(60 * 1024);
            let calls = 0;
            let maxRpcBuffered = 0;
            const rpcStarted = performance.now();
            while (
              calls < 2000 &&
              performance.now() - rpcStarted < 15_000 &&
              realm.sessions.get(callerId)?.isOpen === true &&
              callerConnection.socket.readyState === WebSocket.OPEN
            ) {
              caller.client.send([48, ++calls, {}, 'canary.echo', [big]]);
              maxRpcBuffered = Math.max(maxRpcBuffered, callerConnection.socket.bufferedAmount);
              if (calls % 8 === 0) await sleep(5);
              maxRpcBuffered = Math.max(maxRpcBuffered, callerConnection.socket.bufferedAmount);
            }
            expect(callerConnection.socket.readyState).not.toBe(WebSocket.OPEN);
            expect(maxRpcBuffered).toBeLessThanOrEqual(4 * limit + 2 * big.length);
            expect(await waitFor(() => realm.sessions.get(callerId) === undefined, 3000)).toBe(true);
            rpcOutcome =
              `; a caller not reading 60 KiB RESULTs: closed (1008) after ${calls} calls, ` +
              `queue peak ${Math.round(maxRpcBuffered / 1024)} KiB (limit 4 x ${limit / 1024} KiB)`;
            caller.client.terminate();
          }

          await run.finish(
            `slow consumer (${policy})`,
            `outboundBufferLimit ${limit / 1024} KiB, slowConsumerPolicy '${policy}'`,
            outcome + rpcOutcome,
            { heapDuringMb: 24, heapAfterMb: 8, peakRssMb: 200 },
          );
        } catch (error) {
          await run.abandon();
          throw error;
        }
      });
    },
  );

  it('slowloris handshake: trickled HTTP headers are dropped at headersTimeout (standalone server)', async () => {
    const headersTimeout = 2000;
    @Module({
      imports: [WampModule.forRoot({ port: 0, host: HOST, headersTimeout })],
      controllers: [CanaryController],
    })
    class SlowlorisModule {}
    const app = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(SlowlorisModule, {
      inject: [WampTransport],
      useFactory: (transport: WampTransport) => ({ strategy: transport }),
      logger: false,
    } as AsyncMicroserviceOptions);
    await app.listen();
    const sockets: Socket[] = [];
    try {
      const address = app.get(WampGateway).address as string;
      const port = Number(new URL(address).port);
      const run = await AttackRun.start(address);
      try {
        const count = 200;
        const lifetimes: number[] = [];
        const started = performance.now();
        for (let index = 0; index < count; index++) {
          const socket = connect(port, HOST);
          socket.on('error', () => undefined);
          const opened = performance.now();
          socket.once('close', () => lifetimes.push(performance.now() - opened));
          socket.once('connect', () => socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
          sockets.push(socket);
        }
        // One more header byte per socket every 100 ms: the request never ends.
        const trickle = setInterval(() => {
          for (const socket of sockets) if (!socket.destroyed && socket.writable) socket.write('X');
        }, 100);
        const allClosed = await waitFor(() => lifetimes.length === count, 15_000, 50);
        clearInterval(trickle);
        const elapsed = performance.now() - started;
        expect(allClosed).toBe(true);
        const longest = Math.max(...lifetimes);
        // Node checks headersTimeout every 500 ms (the module sets connectionsCheckingInterval).
        expect(longest).toBeLessThan(headersTimeout + 1000);
        await run.finish(
          'slowloris handshake',
          `headersTimeout ${headersTimeout} ms (checked every 500 ms)`,
          `${count} sockets trickling a header byte per 100 ms: all dropped, longest lived ${Math.round(longest)} ms ` +
            `(all gone after ${Math.round(elapsed)} ms)`,
          { heapAfterMb: 8, peakRssMb: 100 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await app.close();
    }
  });

  it('nesting-depth bomb: 10,000-deep args (json, msgpack, cbor) is a protocol violation at the edge', async () => {
    await withApp({}, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const depth = 10_000;
        const jsonBomb = `[48,1,{},"canary.echo",[${'['.repeat(depth)}${']'.repeat(depth)}]]`;
        const dictBomb = `[48,1,{},"canary.echo",[],${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}]`;
        // msgpack: fixarray(5) 48 1 {} "canary.echo" then `depth` fixarray(1) headers around 0.
        // CBOR writes 48 as 0x18 0x30 (only 0..23 fit in the initial byte).
        const msgpackHead = Buffer.concat([
          Buffer.from([0x95, 48, 1, 0x80, 0xab]),
          Buffer.from('canary.echo'),
        ]);
        const cborHead = Buffer.concat([
          Buffer.from([0x85, 0x18, 48, 1, 0xa0, 0x6b]),
          Buffer.from('canary.echo'),
        ]);
        const msgpackBomb = Buffer.concat([msgpackHead, Buffer.alloc(depth, 0x91), Buffer.from([0])]);
        const cborBomb = Buffer.concat([cborHead, Buffer.alloc(depth, 0x81), Buffer.from([0])]);
        // A megabyte-deep msgpack frame (under maxPayload): deep enough to overflow any recursive decoder.
        const megaBomb = Buffer.concat([msgpackHead, Buffer.alloc(1_000_000, 0x91), Buffer.from([0])]);
        const bombs: [string, string | Buffer][] = [
          ['wamp.2.json', jsonBomb],
          ['wamp.2.json', dictBomb],
          ['wamp.2.msgpack', msgpackBomb],
          ['wamp.2.cbor', cborBomb],
          ['wamp.2.msgpack', megaBomb],
        ];
        const rounds = 20;
        const answers: string[] = [];
        // A subscriber on every serializer: a deep publication must reach none of them.
        const subscribers = await Promise.all(
          ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor'].map(async (protocol) => {
            const { client } = await RawWampClient.join(running.url, 'realm1', protocol);
            client.send([32, 1, {}, 'bomb.topic']);
            await client.next();
            return client;
          }),
        );
        for (let round = 0; round < rounds; round++) {
          for (const [protocol, bomb] of bombs) {
            const { client } = await RawWampClient.join(running.url, 'realm1', protocol);
            client.sendRaw(bomb, typeof bomb !== 'string');
            const abort = (await client.next(5000)) as unknown[];
            const closed = await client.waitClosed();
            answers.push(`${abort[0]} ${String(abort[2])} ${closed.code}`);
          }
        }
        // Just over maxDepth (32): args nested 31 levels inside the CALL; exactly at it: echoed.
        const nest = (levels: number): unknown => {
          let value: unknown = 0;
          for (let index = 0; index < levels; index++) value = [value];
          return value;
        };
        const { client: fine } = await RawWampClient.join(running.url);
        fine.send([48, 1, {}, 'canary.echo', [nest(30)]]);
        expect(await fine.next()).toEqual([50, 1, {}, [nest(30)]]);
        fine.send([48, 2, {}, 'canary.echo', [nest(31)]]);
        expect(((await fine.next()) as unknown[]).slice(0, 3)).toEqual([
          3,
          expect.objectContaining({ message: expect.any(String) }),
          'wamp.error.protocol_violation',
        ]);
        const { client: publisher } = await RawWampClient.join(running.url);
        publisher.send([16, 1, { acknowledge: true }, 'bomb.topic', [nest(200)]]);
        expect(((await publisher.next()) as unknown[])[2]).toBe('wamp.error.protocol_violation');
        await sleep(100);
        for (const subscriber of subscribers) {
          expect(subscriber.pending.length).toBe(0);
          subscriber.terminate();
        }

        const counts = countBy(answers, (answer) => answer);
        expect(counts).toEqual({ '3 wamp.error.protocol_violation 1002': rounds * bombs.length });
        await run.finish(
          'nesting-depth bomb',
          'maxDepth 32 (serializers stop at 256)',
          `${rounds * bombs.length} bombs (10,000-deep lists/dicts on json, msgpack, cbor; 1,000,000-deep msgpack): ` +
            'each ABORT protocol_violation + close 1002; depth 33 refused, 32 echoed; no subscriber saw a deep EVENT',
          { heapAfterMb: 8, peakRssMb: 150 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('oversized payload: just over maxPayload gets ERROR payload_size_exceeded, far over is cut (1009)', async () => {
    const maxPayload = 64 * 1024;
    await withApp({ maxPayload }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const frameOf = (size: number, request: number): string => {
          const empty = JSON.stringify([48, request, {}, 'canary.echo', ['']]);
          return JSON.stringify([48, request, {}, 'canary.echo', ['z'.repeat(size - empty.length)]]);
        };
        const { client } = await RawWampClient.join(running.url);
        // At the limit: served.
        client.sendRaw(frameOf(maxPayload, 1));
        expect(((await client.next()) as unknown[]).slice(0, 2)).toEqual([50, 1]);
        // One byte over, 200 times: each answered, the session lives on.
        const overs = 200;
        for (let index = 0; index < overs; index++) client.sendRaw(frameOf(maxPayload + 1, 100 + index));
        const errors = await take(client, overs);
        expect(countBy(errors, (message) => `${message[0]} ${message[1]} ${String(message[4])}`)).toEqual({
          '8 48 wamp.error.payload_size_exceeded': overs,
        });
        expect(errors[0]).toEqual([
          8,
          48,
          100,
          {},
          'wamp.error.payload_size_exceeded',
          [`Message of ${maxPayload + 1} bytes exceeds the limit of ${maxPayload} bytes.`],
        ]);
        client.send([48, 2, {}, 'canary.echo', ['still here']]);
        expect(await client.next()).toEqual([50, 2, {}, ['still here']]);
        // The same on msgpack (binary frames).
        const { client: binary } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.msgpack');
        binary.send([48, 1, {}, 'canary.echo', [Buffer.alloc(maxPayload)]]);
        expect(((await binary.next()) as unknown[]).slice(0, 5)).toEqual([
          8,
          48,
          1,
          {},
          'wamp.error.payload_size_exceeded',
        ]);
        binary.terminate();

        // More than twice the limit: ws closes 1009 before buffering the message. 20 attackers x 8 MiB.
        const cut: number[] = [];
        const sendHuge = async (): Promise<void> => {
          const huge = Buffer.alloc(8 * MB, 0x20);
          for (let index = 0; index < 20; index++) {
            const { client: attacker } = await RawWampClient.join(running.url);
            attacker.socket.on('error', () => undefined);
            attacker.sendRaw(huge, false);
            cut.push((await attacker.waitClosed(5000)).code);
          }
        };
        await sendHuge();
        // And a frame of exactly 2 x maxPayload + 1.
        const { client: edge } = await RawWampClient.join(running.url);
        edge.sendRaw(frameOf(2 * maxPayload + 1, 1));
        cut.push((await edge.waitClosed(5000)).code);
        expect(countBy(cut, String)).toEqual({ '1009': 21 });
        const heapDuring = await run.markDuring();
        client.terminate();
        await run.finish(
          'oversized payload',
          `maxPayload ${maxPayload / 1024} KiB (socket cut at ${(2 * maxPayload) / 1024} KiB)`,
          `${overs} frames of limit+1: ${overs} ERROR payload_size_exceeded, session lived on (msgpack too); ` +
            `21 frames of 2 x limit + 1 .. 8 MiB: all closed 1009 (heap Δ during ${heapDuring} MB)`,
          { heapDuringMb: 16, heapAfterMb: 8, peakRssMb: 250 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('subscription flood: thousands of SUBSCRIBEs get too_many_subscriptions beyond the cap', async () => {
    const cap = 1000;
    await withApp({ maxSubscriptionsPerSession: cap }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const broker = realmOf(running.app).broker as LocalBroker;
        const baselineSubscriptions = broker.subscriptionCount;
        const sessions = 10;
        const perSession = 5000;
        const attackers: RawWampClient[] = [];
        const outcome: Record<string, number> = {};
        for (let session = 0; session < sessions; session++) {
          const { client } = await RawWampClient.join(running.url);
          attackers.push(client);
          await sendMany(client, perSession, (index) => [32, index + 1, {}, `flood.s${session}.t${index}`]);
          const answers = await take(client, perSession);
          for (const [key, value] of Object.entries(
            countBy(answers, (message) => (message[0] === 33 ? 'SUBSCRIBED' : String(message[4]))),
          )) {
            outcome[key] = (outcome[key] ?? 0) + value;
          }
          const refused = answers.find((message) => message[0] === 8);
          expect(refused?.[6]).toEqual({ limit: cap });
        }
        expect(outcome).toEqual({
          SUBSCRIBED: sessions * cap,
          'nestjs_wamp.error.too_many_subscriptions': sessions * (perSession - cap),
        });
        expect(broker.subscriptionCount).toBe(baselineSubscriptions + sessions * cap);
        const heapDuring = await run.markDuring();
        for (const attacker of attackers) attacker.terminate();
        expect(await waitFor(() => broker.subscriptionCount === baselineSubscriptions, 3000)).toBe(true);
        await run.finish(
          'subscription flood',
          `maxSubscriptionsPerSession ${cap}`,
          `${sessions} sessions x ${perSession} SUBSCRIBEs: ${outcome.SUBSCRIBED} held (${cap} each), ` +
            `${outcome['nestjs_wamp.error.too_many_subscriptions']} too_many_subscriptions; all released on leave ` +
            `(heap Δ with ${sessions * cap} held: ${heapDuring} MB)`,
          { heapDuringMb: 40, heapAfterMb: 8, peakRssMb: 200 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('registration flood: REGISTERs beyond maxRegistrationsPerSession get too_many_registrations, all released on leave', async () => {
    const cap = 1000;
    await withApp({ maxRegistrationsPerSession: cap }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const dealer = realmOf(running.app).dealer as LocalDealer;
        const baselineRegistrations = dealer.registrationCount;
        const sessions = 5;
        const perSession = 5000;
        const attackers: RawWampClient[] = [];
        const outcome: Record<string, number> = {};
        for (let session = 0; session < sessions; session++) {
          const { client } = await RawWampClient.join(running.url);
          attackers.push(client);
          // Every other one a pattern registration: prefixes and wildcards cost the index more than exact URIs.
          await sendMany(client, perSession, (index) => [
            64,
            index + 1,
            index % 3 === 1 ? { match: 'prefix' } : index % 3 === 2 ? { match: 'wildcard' } : {},
            index % 3 === 2 ? `flood.r${session}..p${index}` : `flood.r${session}.p${index}`,
          ]);
          const answers = await take(client, perSession);
          for (const [key, value] of Object.entries(
            countBy(answers, (message) => (message[0] === 65 ? 'REGISTERED' : String(message[4]))),
          )) {
            outcome[key] = (outcome[key] ?? 0) + value;
          }
          expect(answers.find((message) => message[0] === 8)).toEqual([
            8,
            64,
            cap + 1,
            {},
            'nestjs_wamp.error.too_many_registrations',
            [`Too many registrations: this session may hold at most ${cap}.`],
            { limit: cap },
          ]);
        }
        expect(outcome).toEqual({
          REGISTERED: sessions * cap,
          'nestjs_wamp.error.too_many_registrations': sessions * (perSession - cap),
        });
        expect(dealer.registrationCount).toBe(baselineRegistrations + sessions * cap);
        const heapDuring = await run.markDuring();
        for (const attacker of attackers) attacker.terminate();
        expect(await waitFor(() => dealer.registrationCount === baselineRegistrations, 3000)).toBe(true);
        await run.finish(
          'registration flood',
          `maxRegistrationsPerSession ${cap}`,
          `${sessions} sessions x ${perSession} REGISTERs (exact, prefix, wildcard): ${outcome.REGISTERED} held ` +
            `(${cap} each), ${outcome['nestjs_wamp.error.too_many_registrations']} too_many_registrations; all ` +
            `released on leave (heap Δ with ${sessions * cap} held: ${heapDuring} MB)`,
          { heapDuringMb: 40, heapAfterMb: 8, peakRssMb: 200 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('call flood: calls beyond maxCallsPerSession in flight get too_many_calls while the handler is slow', async () => {
    const cap = 50;
    await withApp({ maxCallsPerSession: cap }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const dealer = realmOf(running.app).dealer as LocalDealer;
        const gate = running.app.get(SlowGate);
        const sessions = 5;
        const perSession = 2000;
        const attackers: RawWampClient[] = [];
        const refusals: Record<string, number> = {};
        for (let session = 0; session < sessions; session++) {
          const { client } = await RawWampClient.join(running.url);
          attackers.push(client);
          await sendMany(client, perSession, (index) => [48, index + 1, {}, 'res.slow']);
          const answers = await take(client, perSession - cap);
          for (const [key, value] of Object.entries(countBy(answers, (message) => String(message[4])))) {
            refusals[key] = (refusals[key] ?? 0) + value;
          }
          expect(answers[0]).toEqual([
            8,
            48,
            cap + 1,
            {},
            'nestjs_wamp.error.too_many_calls',
            [`Too many calls in flight: this session may have at most ${cap}.`],
            { limit: cap },
          ]);
        }
        expect(refusals).toEqual({ 'nestjs_wamp.error.too_many_calls': sessions * (perSession - cap) });
        expect(await waitFor(() => gate.started === sessions * cap, 3000)).toBe(true);
        expect(dealer.callsInFlight).toBe(sessions * cap);
        const heapDuring = await run.markDuring();
        // The last attacker leaves mid-call: its calls are aborted and released.
        attackers.pop()!.terminate();
        expect(await waitFor(() => gate.aborted === cap, 3000)).toBe(true);
        expect(dealer.callsInFlight).toBe((sessions - 1) * cap);
        // The others get their results once the handler finishes.
        gate.open();
        for (const attacker of attackers) {
          const results = await take(attacker, cap);
          expect(countBy(results, (message) => String(message[0]))).toEqual({ '50': cap });
          attacker.terminate();
        }
        expect(dealer.callsInFlight).toBe(0);
        await run.finish(
          'call flood',
          `maxCallsPerSession ${cap}`,
          `${sessions} sessions x ${perSession} CALLs to a slow handler: ${sessions * cap} in flight, ` +
            `${refusals['nestjs_wamp.error.too_many_calls']} too_many_calls; a leaving caller's ${cap} aborted ` +
            `(heap Δ with ${sessions * cap} in flight ${heapDuring} MB)`,
          { heapDuringMb: 24, heapAfterMb: 8, peakRssMb: 150 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('invocation flood: a client callee that never answers holds at most maxInvocationsPerCallee calls', async () => {
    const cap = 200;
    await withApp({ maxInvocationsPerCallee: cap, maxCallsPerSession: 1000 }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const dealer = realmOf(running.app).dealer as LocalDealer;
        // The silent callee: it registers, then never answers (and never reads its socket's backlog faster).
        const { client: silent } = await RawWampClient.join(running.url);
        silent.send([64, 1, {}, 'flood.silent']);
        expect(((await silent.next()) as unknown[])[0]).toBe(65);
        const sessions = 5;
        const perSession = 1000;
        const attackers: RawWampClient[] = [];
        const refusals: Record<string, number> = {};
        let refusedFirst: unknown[] | undefined;
        for (let session = 0; session < sessions; session++) {
          const { client } = await RawWampClient.join(running.url);
          attackers.push(client);
          await sendMany(client, perSession, (index) => [48, index + 1, {}, 'flood.silent', [index]]);
          const held = Math.max(0, Math.min(perSession, cap - session * perSession));
          const answers = await take(client, perSession - held);
          refusedFirst ??= answers[0];
          for (const [key, value] of Object.entries(countBy(answers, (message) => String(message[4])))) {
            refusals[key] = (refusals[key] ?? 0) + value;
          }
        }
        expect(refusedFirst).toEqual([
          8,
          48,
          cap + 1,
          {},
          'nestjs_wamp.error.too_many_invocations',
          [`The callee of "flood.silent" has ${cap} invocations in flight, as many as it may.`],
          { limit: cap },
        ]);
        expect(refusals).toEqual({ 'nestjs_wamp.error.too_many_invocations': sessions * perSession - cap });
        const invocations = await take(silent, cap);
        expect(invocations.every((message) => message[0] === 68)).toBe(true);
        expect(dealer.callsInFlight).toBe(cap);
        const heapDuring = await run.markDuring();
        // The callee leaves: every caller it held gets ERROR canceled at once.
        silent.terminate();
        const canceled = await take(attackers[0], cap);
        expect(countBy(canceled, (message) => String(message[4]))).toEqual({ 'wamp.error.canceled': cap });
        expect(dealer.callsInFlight).toBe(0);
        for (const attacker of attackers) attacker.terminate();
        await run.finish(
          'invocation flood',
          `maxInvocationsPerCallee ${cap}`,
          `${sessions} sessions x ${perSession} CALLs to a callee that never answers: ${cap} invocations held, ` +
            `${refusals['nestjs_wamp.error.too_many_invocations']} too_many_invocations; the callee's leaving ` +
            `answered all ${cap} with canceled (heap Δ with ${cap} held ${heapDuring} MB)`,
          { heapDuringMb: 16, heapAfterMb: 8, peakRssMb: 150 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('YIELD flood and forged answers: late YIELDs are discarded, progress reaches only who asked, forgers end alone', async () => {
    await withApp({}, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const dealer = realmOf(running.app).dealer as LocalDealer;
        const { client: callee } = await RawWampClient.join(running.url);
        callee.send([64, 1, {}, 'flood.yield']);
        const [, , registration] = (await callee.next()) as number[];
        const { client: caller } = await RawWampClient.join(running.url);
        // 1. A call that times out; then 50,000 YIELDs for its (ended) invocation: discarded, nothing answered.
        caller.send([48, 1, { timeout: 20 }, 'flood.yield']);
        expect(await callee.next()).toEqual([68, 1, registration, {}]);
        expect(((await caller.next(1000)) as unknown[])[4]).toBe('wamp.error.timeout');
        const late = 50_000;
        await sendMany(callee, late, () => [70, 1, {}, ['late']]);
        // 2. 20,000 progressive YIELDs to a caller that asked for progress and reads: all delivered, in order.
        const progress = 20_000;
        caller.send([48, 2, { receive_progress: true }, 'flood.yield']);
        expect(await callee.next()).toEqual([68, 2, registration, {}]);
        const payload = 'x'.repeat(100);
        await sendMany(callee, progress, (index) => [70, 2, { progress: true }, [index, payload]]);
        callee.send([70, 2, {}, ['done']]);
        const received = await take(caller, progress + 1, 20_000);
        // The callee announced no progressive_call_results, so INVOCATION carried no receive_progress; what
        // it sends anyway is passed on because the caller asked for it.
        expect(received.slice(0, 3)).toEqual([
          [50, 2, { progress: true }, [0, payload]],
          [50, 2, { progress: true }, [1, payload]],
          [50, 2, { progress: true }, [2, payload]],
        ]);
        expect(received.at(-1)).toEqual([50, 2, {}, ['done']]);
        // 3. The same to a caller that did not ask: dropped, only the final RESULT.
        caller.send([48, 3, {}, 'flood.yield']);
        expect(await callee.next()).toEqual([68, 3, registration, {}]);
        await sendMany(callee, progress, () => [70, 3, { progress: true }, ['unasked']]);
        callee.send([70, 3, {}, ['final']]);
        expect(await caller.next(5000)).toEqual([50, 3, {}, ['final']]);
        // 4. Forgers: answers for an invocation of another session end only the forger's session.
        caller.send([48, 4, {}, 'flood.yield']);
        expect(await callee.next()).toEqual([68, 4, registration, {}]);
        const forgers: RawWampClient[] = [];
        for (let index = 0; index < 20; index++) {
          const { client: forger } = await RawWampClient.join(running.url);
          forger.send(index % 2 ? [70, 4, {}, ['forged']] : [8, 68, 4, {}, 'com.example.forged']);
          forgers.push(forger);
        }
        for (const forger of forgers) {
          expect(((await forger.next()) as unknown[]).slice(0, 3)).toEqual([
            3,
            { message: expect.stringMatching(/^(YIELD|ERROR) for unknown invocation 4\.$/) },
            'wamp.error.protocol_violation',
          ]);
          expect((await forger.waitClosed()).code).toBe(1002);
        }
        callee.send([70, 4, {}, ['genuine']]);
        expect(await caller.next()).toEqual([50, 4, {}, ['genuine']]);
        expect(caller.pending).toHaveLength(0);
        expect(dealer.callsInFlight).toBe(0);
        caller.terminate();
        callee.terminate();
        await run.finish(
          'YIELD flood, forged answers',
          'late answers discarded; progress only to who asked; forgers ABORTed',
          `${late} YIELDs for a timed-out invocation: none answered; ${progress} progressive YIELDs: all ` +
            `delivered in order to the caller that asked, none to the one that did not; 20 sessions forging ` +
            `YIELD/ERROR for another's invocation: each ABORT protocol_violation, the genuine answer unaffected`,
          { heapAfterMb: 8, peakRssMb: 200 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('connection flood: handshakes beyond maxConnections get HTTP 503; slots come back after close', async () => {
    const maxConnections = 100;
    await withApp({ maxConnections }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const endpoint = endpointOf(running.app);
        const held = endpoint.connectionCount; // the canary's two sessions
        const free = maxConnections - held;
        const attempts = 300;
        const results = await Promise.allSettled(
          Array.from({ length: attempts }, () => RawWampClient.connect(running.url)),
        );
        const opened = results
          .filter((result) => result.status === 'fulfilled')
          .map((result) => result.value);
        const statuses = countBy(
          results.filter((result) => result.status === 'rejected'),
          (result) => String((result.reason as { statusCode?: number }).statusCode),
        );
        expect(opened.length).toBe(free);
        expect(statuses).toEqual({ '503': attempts - free });
        expect(endpoint.connectionCount).toBe(maxConnections);
        const heapDuring = await run.markDuring();
        for (const client of opened) client.terminate();
        expect(await waitFor(() => endpoint.connectionCount === held, 3000)).toBe(true);
        // The slots are back: as many as before, and again not one more.
        const again = await Promise.allSettled(
          Array.from({ length: free + 1 }, () => RawWampClient.connect(running.url)),
        );
        const reopened = again.filter((result) => result.status === 'fulfilled');
        expect(reopened.length).toBe(free);
        for (const result of reopened) result.value.terminate();
        expect(await waitFor(() => endpoint.connectionCount === held, 3000)).toBe(true);
        await run.finish(
          'connection flood',
          `maxConnections ${maxConnections}`,
          `${attempts} concurrent handshakes: ${free} opened (+${held} canary), ${attempts - free} got HTTP 503; ` +
            `after close all ${free} slots came back (heap Δ at the cap ${heapDuring} MB)`,
          { heapDuringMb: 32, heapAfterMb: 8, peakRssMb: 150 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('HELLO-timeout flood: connections that never finish joining are all dropped at helloTimeout', async () => {
    const helloTimeout = 2000;
    const realms = [
      'realm1',
      // A ticket realm whose CHALLENGE the attackers never answer: helloTimeout bounds authentication too.
      { name: 'ticket', auth: { ticket: { verifyTicket: async () => null } } },
    ];
    await withApp({ helloTimeout, realms }, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const router = routerOf(running.app);
        const baselineSessions = router.sessionCount;
        const silent = 400;
        const challenged = 100;
        const count = silent + challenged;
        const lifetimes: number[] = [];
        const transcripts: string[] = [];
        const watchers: Promise<void>[] = [];
        for (let batch = 0; batch < count / 100; batch++) {
          const opened = await Promise.all(
            Array.from({ length: 100 }, () => RawWampClient.connect(running.url)),
          );
          for (const client of opened) {
            const started = performance.now();
            if (batch * 100 >= silent) {
              client.send([
                1,
                'ticket',
                { roles: { caller: {} }, authmethods: ['ticket'], authid: 'mallory' },
              ]);
            }
            watchers.push(
              client.closed.then(() => {
                lifetimes.push(performance.now() - started);
                transcripts.push(JSON.stringify(client.pending.map((frame) => frame.message)));
              }),
            );
          }
        }
        const waiting = router.sessionCount - baselineSessions;
        expect(waiting).toBeGreaterThan(count / 2);
        const heapDuring = await run.markDuring();
        const allGone = await waitFor(() => lifetimes.length === count, helloTimeout + 5000, 25);
        expect(allGone).toBe(true);
        await Promise.all(watchers);
        expect(countBy(transcripts, (transcript) => transcript)).toEqual({
          [JSON.stringify([
            [3, { message: `No HELLO received within ${helloTimeout} ms.` }, 'wamp.error.timeout'],
          ])]: silent,
          [JSON.stringify([
            [4, 'ticket', {}],
            [
              3,
              { message: `Authentication did not complete within ${helloTimeout} ms.` },
              'wamp.error.timeout',
            ],
          ])]: challenged,
        });
        const longest = Math.max(...lifetimes);
        const shortest = Math.min(...lifetimes);
        // Measured from the client's 'open', which comes a little after the router started the session.
        expect(shortest).toBeGreaterThanOrEqual(helloTimeout - 250);
        expect(longest).toBeLessThan(helloTimeout + 1000);
        expect(router.sessionCount).toBe(baselineSessions);
        await run.finish(
          'HELLO-timeout flood',
          `helloTimeout ${helloTimeout} ms`,
          `${silent} silent connections + ${challenged} never answering CHALLENGE: all got ABORT wamp.error.timeout, ` +
            `closed after ${Math.round(shortest)}-${Math.round(longest)} ms ` +
            `(heap Δ with ${waiting} waiting ${heapDuring} MB)`,
          { heapDuringMb: 40, heapAfterMb: 8, peakRssMb: 200 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('authorization hold flood: at most 1,024 messages wait for an async authorizer', async () => {
    await withApp(
      { realms: ['realm1', { name: 'authz', authorization: { authorizer: HoldingAuthorizer } }] },
      async (running) => {
        const run = await AttackRun.start(running.url);
        try {
          const { client } = await RawWampClient.join(running.url, 'authz');
          // The first CALL waits for the authorizer (500 ms); everything behind it is held, up to the cap.
          await sendMany(client, 5000, (index) => [48, index + 1, {}, 'canary.echo', [index]]);
          const answer = (await client.next(3000)) as unknown[];
          const closed = await client.waitClosed(3000);
          expect(answer).toEqual([
            3,
            { message: 'Too many messages queued while authorization is pending.' },
            'wamp.error.runtime_error',
          ]);
          expect(routerOf(running.app).sessionCount).toBe(2);
          await run.finish(
            'authorization hold flood',
            '1,024 messages held while an async authorization is pending',
            `5000 pipelined CALLs behind a 500 ms authorizer: ABORT wamp.error.runtime_error at the cap, ` +
              `close ${closed.code}`,
            { heapAfterMb: 8, peakRssMb: 150 },
          );
        } catch (error) {
          await run.abandon();
          throw error;
        }
      },
    );
  });

  it('huge IDs and ID exhaustion: 2^53 is served exactly, out-of-range IDs abort, ID churn retains nothing', async () => {
    await withApp({}, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const broker = realmOf(running.app).broker as LocalBroker;
        const top = 2 ** 53;
        // 2^53 and 2^53 - 1 in every ID position a client fills, on every serializer family.
        for (const protocol of ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor', 'wamp.2.msgpack.batched']) {
          const { client } = await RawWampClient.join(running.url, 'realm1', protocol);
          client.send([48, top, {}, 'canary.echo', [top]]);
          expect(await client.next()).toEqual([50, top, {}, [top]]);
          client.send([48, top - 1, {}, 'canary.echo', [1]]);
          expect(await client.next()).toEqual([50, top - 1, {}, [1]]);
          client.send([34, top, top]);
          expect(((await client.next()) as unknown[]).slice(0, 5)).toEqual([
            8,
            34,
            top,
            {},
            'wamp.error.no_such_subscription',
          ]);
          client.send([49, top, {}]); // CANCEL of nothing: ignored
          client.send([16, top, { acknowledge: true }, 'ids.topic']);
          const published = (await client.next()) as unknown[];
          expect(published.slice(0, 2)).toEqual([17, top]);
          client.terminate();
        }

        // Out-of-range IDs: each one aborts its session with protocol_violation.
        const bad: [string, string | Buffer, string][] = [
          ['0', '[48,0,{},"canary.echo"]', 'wamp.2.json'],
          ['-1', '[48,-1,{},"canary.echo"]', 'wamp.2.json'],
          ['1.5', '[48,1.5,{},"canary.echo"]', 'wamp.2.json'],
          ['"1"', '[48,"1",{},"canary.echo"]', 'wamp.2.json'],
          ['null', '[48,null,{},"canary.echo"]', 'wamp.2.json'],
          ['2^53+2', `[48,${top + 2},{},"canary.echo"]`, 'wamp.2.json'],
          ['1e308', '[48,1e308,{},"canary.echo"]', 'wamp.2.json'],
          ['subscription 0', '[34,1,0]', 'wamp.2.json'],
          ['subscription 2^64', '[34,1,18446744073709551616]', 'wamp.2.json'],
          [
            'msgpack uint64 2^64-1',
            Buffer.concat([
              Buffer.from([0x94, 48, 0xcf]),
              Buffer.alloc(8, 0xff),
              Buffer.from([0x80, 0xab]),
              Buffer.from('canary.echo'),
            ]),
            'wamp.2.msgpack',
          ],
          [
            'msgpack int64 -2^63',
            Buffer.concat([
              Buffer.from([0x94, 48, 0xd3, 0x80]),
              Buffer.alloc(7),
              Buffer.from([0x80, 0xab]),
              Buffer.from('canary.echo'),
            ]),
            'wamp.2.msgpack',
          ],
          [
            'cbor bignum 2^64',
            Buffer.concat([
              Buffer.from([0x84, 0x18, 48, 0xc2, 0x49, 0x01]),
              Buffer.alloc(8),
              Buffer.from([0xa0, 0x6b]),
              Buffer.from('canary.echo'),
            ]),
            'wamp.2.cbor',
          ],
        ];
        const answers: Record<string, string> = {};
        for (const [name, frame, protocol] of bad) {
          const { client } = await RawWampClient.join(running.url, 'realm1', protocol);
          client.sendRaw(frame, typeof frame !== 'string');
          const answer = (await client.next()) as unknown[];
          answers[name] = `${answer[0]} ${String(answer[2])} ${(await client.waitClosed()).code}`;
        }
        expect(answers).toEqual(
          Object.fromEntries(bad.map(([name]) => [name, '3 wamp.error.protocol_violation 1002'])),
        );

        // A CALL reusing the ID of a call still in flight is a violation, not a second call.
        const { client: reuse } = await RawWampClient.join(running.url);
        reuse.send([48, top, {}, 'res.slow']);
        reuse.send([48, top, {}, 'res.slow']);
        expect(((await reuse.next()) as unknown[]).slice(0, 3)).toEqual([
          3,
          { message: `CALL reuses request ID ${top} of a call still in flight.` },
          'wamp.error.protocol_violation',
        ]);

        // ID churn: 5,000 subscriptions made and released (500 topics at a time) and 5,000 acknowledged
        // publications. Every router ID is fresh, valid and unique, and nothing stays behind.
        const baselineSubscriptions = broker.subscriptionCount;
        const { client: churn } = await RawWampClient.join(running.url);
        const cycles = 5000;
        const ids = new Set<number>();
        let invalid = 0;
        const valid = (id: unknown): boolean =>
          typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= Number.MAX_SAFE_INTEGER;
        for (let slice = 0; slice < cycles / 500; slice++) {
          await sendMany(churn, 500, (index) => [32, 1 + index, {}, `ids.churn.t${index}`]);
          const subscribed = await take(churn, 500);
          for (const message of subscribed) {
            if (message[0] !== 33 || !valid(message[2])) invalid++;
            ids.add(message[2] as number);
            churn.send([34, 1, message[2]]);
          }
          const unsubscribed = await take(churn, 500);
          if (unsubscribed.some((message) => message[0] !== 35)) invalid++;
        }
        expect(broker.subscriptionCount).toBe(baselineSubscriptions);
        await sendMany(churn, cycles, () => [16, 3, { acknowledge: true }, 'ids.churn']);
        const published = await take(churn, cycles);
        for (const message of published) {
          if (message[0] !== 17 || !valid(message[2])) invalid++;
          ids.add(message[2] as number);
        }
        expect(invalid).toBe(0);
        const uniqueIds = ids.size;
        expect(uniqueIds).toBe(2 * cycles);
        churn.terminate();
        reuse.terminate();
        await run.finish(
          'huge IDs / ID exhaustion',
          'IDs in [1, 2^53]; router IDs random in [1, 2^53 - 1]',
          `2^53 and 2^53-1 echoed exactly (json, msgpack, cbor, batched); ${bad.length} out-of-range IDs ` +
            `(0, -1, 1.5, "1", null, 2^53+2, 1e308, 2^64, uint64/int64 extremes, CBOR bignum): all ABORT 1002; ` +
            `in-flight ID reuse: ABORT; ${uniqueIds} router IDs from churn: all valid and unique, nothing retained`,
          { heapAfterMb: 8, peakRssMb: 150 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  it('__proto__ / constructor keys in details, options and kwargs pollute nothing', async () => {
    await withApp({}, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
        // An own "__proto__" key (a literal would set the prototype instead) carrying what an attacker would
        // like every dict to inherit, plus constructor.prototype.
        const withProto = (extra: Record<string, unknown> = {}): Record<string, unknown> => {
          const value: Record<string, unknown> = {
            ...extra,
            constructor: { prototype: { polluted: 'yes' } },
          };
          Object.defineProperty(value, '__proto__', {
            value: { polluted: 'yes', authrole: 'admin', timeout: 1, exclude_me: false, match: 'prefix' },
            enumerable: true,
            writable: true,
            configurable: true,
          });
          return value;
        };
        const checked: string[] = [];
        for (const protocol of ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor']) {
          const client = await RawWampClient.connect(running.url, protocol);
          client.send([
            1,
            'realm1',
            withProto({ roles: { caller: {}, publisher: {}, subscriber: {} }, authextra: withProto() }),
          ]);
          const welcome = (await client.next()) as unknown[];
          expect(welcome[0]).toBe(2);
          expect((welcome[2] as Record<string, unknown>).authrole).toBe('anonymous');
          checked.push(`${protocol} HELLO.Details`);

          // CALL.Options with a __proto__ carrying timeout and a kwargs dict full of hostile keys.
          const kwargs = withProto({ toString: 'x', hasOwnProperty: 1, valueOf: null });
          client.send([48, 1, withProto(), 'res.inspect', ['arg'], kwargs]);
          const result = (await client.next()) as unknown[];
          expect(result[0]).toBe(50);
          const seen = (result[3] as unknown[])[0] as Record<string, unknown>;
          expect(seen).toEqual({
            kwargsPrototypeIsObject: true,
            kwargsKeys: expect.arrayContaining(['__proto_', 'constructor', 'toString', 'hasOwnProperty']),
            optionsKeys: expect.not.arrayContaining(['timeout']),
            timeout: null,
            receiveProgress: false,
            inheritedPolluted: null,
            authrole: 'anonymous',
          });
          const echoed = result[4] as Record<string, unknown>;
          expect(Object.keys(echoed)).toEqual(
            expect.arrayContaining(['__proto_', 'constructor', 'toString']),
          );
          expect(echoed.__proto_).toEqual(expect.objectContaining({ polluted: 'yes' }));
          checked.push(`${protocol} CALL.Options + kwargs`);

          // SUBSCRIBE.Options whose __proto__ says match: prefix stays exact; PUBLISH.Options whose __proto__
          // says exclude_me: false still excludes the publisher.
          client.send([32, 2, withProto(), 'proto']);
          expect(((await client.next()) as unknown[])[0]).toBe(33);
          client.send([16, 3, withProto({ acknowledge: true }), 'proto.x', [1]]);
          client.send([16, 4, withProto({ acknowledge: true }), 'proto', [2], withProto()]);
          const afterPublish = await take(client, 2);
          expect(afterPublish.map((message) => message[0])).toEqual([17, 17]);
          await sleep(50);
          expect(client.pending.length).toBe(0);
          checked.push(`${protocol} SUBSCRIBE/PUBLISH.Options`);

          // GOODBYE details.
          client.send([6, withProto(), 'wamp.close.close_realm']);
          expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
          await client.waitClosed();
        }
        // Events carrying hostile kwargs reach a JSON subscriber renamed.
        const { client: subscriber } = await RawWampClient.join(running.url);
        subscriber.send([32, 1, {}, 'proto.kw']);
        await subscriber.next();
        const { client: publisher } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.cbor');
        publisher.send([16, 1, {}, 'proto.kw', [], withProto()]);
        const event = (await subscriber.next()) as unknown[];
        expect(event[0]).toBe(36);
        expect(Object.keys(event[5] as object)).toEqual(expect.arrayContaining(['__proto_', 'constructor']));
        subscriber.terminate();
        publisher.terminate();

        const probe = {} as Record<string, unknown>;
        expect(probe.polluted).toBeUndefined();
        expect(probe.authrole).toBeUndefined();
        expect(probe.timeout).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
        await run.finish(
          '__proto__ / constructor keys',
          'keys renamed __proto_ at decode; option tables null-prototype',
          `${checked.length} hostile dicts (HELLO, CALL, SUBSCRIBE, PUBLISH, GOODBYE on json, msgpack, cbor; ` +
            'EVENT kwargs): authrole stayed anonymous, no option inherited, Object.prototype unchanged',
          { heapAfterMb: 8, peakRssMb: 100 },
        );
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });
  // BUG (lib/router/broker/local-broker.ts, retain()): retained events are capped at 16 per topic, but
  // neither the number of topics nor their bytes is capped, and they outlive the publisher. Any anonymous
  // client can make the router hold an unbounded amount of memory for good. Measured: 256 PUBLISH
  // retain:true of 512 KiB to distinct topics, publisher gone: +129 MB retained until shutdown.
  // Fails until retained state is bounded (e.g. a per-realm byte or topic cap, documented in the README).
  it('retained-event flood: what an anonymous publisher makes the router retain is bounded', async () => {
    await withApp({}, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const { client } = await RawWampClient.join(running.url);
        const count = 256;
        const payload = 'r'.repeat(512 * 1024);
        const answers: unknown[][] = [];
        for (let index = 0; index < count; index++) {
          client.send([
            16,
            index + 1,
            { retain: true, acknowledge: true },
            `retained.flood.t${index}`,
            [payload],
          ]);
          if (index % 8 === 7) answers.push(...(await take(client, 8)));
        }
        const published = answers.filter((message) => message[0] === 17).length;
        client.terminate();
        await client.closed;
        await sleep(100);
        const heapAfterLeaving = await run.markDuring();
        const figure = await run.finish(
          'retained-event flood',
          '16 retained events per topic; no cap on topics or bytes (BUG)',
          `${count} x 512 KiB retain:true to distinct topics: ${published} PUBLISHED; after the publisher left the ` +
            `router still holds ${heapAfterLeaving} MB`,
          { heapAfterMb: 1024, peakRssMb: 1024 },
        );
        // Not more than 32 MB of the 128 MB sent may stay behind once the publisher is gone.
        expect(figure.heapDuring).toBeLessThan(32);
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });

  // BUG (lib/router/broker/local-broker.ts, sendRetained()): every SUBSCRIBE with get_retained walks the whole
  // retained map (all topics ever retained in the realm) to find matches. With 100,000 retained topics (one
  // client, 100,000 small PUBLISH retain:true, ~2 s), 1,000 SUBSCRIBE get_retained blocked the event loop for
  // 2.0 s and the canary lost a call (not answered within 1 s). Fails until the lookup uses an index (a map
  // for exact subscriptions, as publish matching does) or the retained set is small and bounded.
  it('get_retained SUBSCRIBE flood: finding retained events does not scan every retained topic', async () => {
    await withApp({}, async (running) => {
      const run = await AttackRun.start(running.url);
      try {
        const { client } = await RawWampClient.join(running.url);
        const topics = 100_000;
        for (let index = 0; index < topics; index++) {
          client.send([16, 1, { retain: true }, `retained.scan.t${index}`, [index]]);
          if (index % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
        }
        client.send([16, 2, { acknowledge: true }, 'retained.scan.sync']);
        expect(((await client.next(30_000)) as unknown[])[0]).toBe(17);
        const subscribes = 1000;
        const started = performance.now();
        await sendMany(client, subscribes, (index) => [
          32,
          10 + index,
          { get_retained: true },
          `retained.none${index}`,
        ]);
        const answers = await take(client, subscribes, 60_000);
        const elapsed = Math.round(performance.now() - started);
        expect(answers.every((message) => message[0] === 33)).toBe(true);
        client.terminate();
        const figure = await run.finish(
          'get_retained SUBSCRIBE flood',
          'none: each get_retained SUBSCRIBE scans all retained topics (BUG)',
          `${topics} retained topics, then ${subscribes} SUBSCRIBE get_retained: answered in ${elapsed} ms`,
          { heapAfterMb: 256, peakRssMb: 1024 },
        );
        // A lookup per subscription: 1,000 subscribes should take milliseconds, not seconds, and must not stall
        // other sessions.
        expect(elapsed).toBeLessThan(500);
        expect(figure.canary.max).toBeLessThan(500);
      } catch (error) {
        await run.abandon();
        throw error;
      }
    });
  });
});

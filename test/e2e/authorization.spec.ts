import 'reflect-metadata';
import { Controller, Injectable } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { type WampAuthenticator } from '../../lib/core/index.js';
import {
  type WampAuthorizationRequest,
  type WampDynamicAuthorizer,
  type WampPermissionRule,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/** Test-only: the role is whatever authid the client sends (never do this outside a test). */
const roleFromAuthid: WampAuthenticator = (request) =>
  Promise.resolve({
    authid: String(request.details.authid),
    authrole: String(request.details.authid),
    authmethod: 'test',
    authprovider: 'test',
  });

const RULES: WampPermissionRule[] = [
  { role: 'reader', uri: 'docs.', match: 'prefix', allow: ['call', 'subscribe'] },
  { role: 'writer', uri: 'docs.', match: 'prefix', allow: ['call', 'subscribe', 'publish'] },
  { role: 'writer', uri: 'admin..status', match: 'wildcard', allow: ['call'] },
  { role: '*', uri: 'public.hello', allow: ['call'] },
  { role: 'service', uri: 'svc.', match: 'prefix', allow: ['register'] },
];

@Controller()
class DocsController {
  @MessagePattern('docs.get')
  get(): string {
    return 'doc';
  }

  @MessagePattern('admin.db.status')
  status(): string {
    return 'ok';
  }

  @MessagePattern('admin.db.reset')
  reset(): string {
    return 'reset';
  }

  @MessagePattern('public.hello')
  hello(): string {
    return 'hello';
  }
}

/** Allows everything but topics under `private.`, answering after a delay (as a database would). */
@Injectable()
class SlowAuthorizer implements WampDynamicAuthorizer {
  readonly seen: WampAuthorizationRequest[] = [];

  async authorize(request: WampAuthorizationRequest): Promise<boolean> {
    this.seen.push(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return !request.uri.startsWith('private.');
  }
}

async function join(running: RunningApp, role: string): Promise<RawWampClient> {
  const client = await RawWampClient.connect(running.url);
  client.send([1, 'realm1', { roles: { caller: {}, subscriber: {}, publisher: {} }, authid: role }]);
  const welcome = (await client.next()) as unknown[];
  expect(welcome[0]).toBe(2);
  return client;
}

describe('authorization rules (role x URI pattern x action)', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: { realms: [{ name: 'realm1', authenticator: roleFromAuthid, authorization: { rules: RULES } }] },
      controllers: [DocsController],
    });
  });
  afterAll(async () => {
    await running.app.close();
  });

  const matrix: [role: string, message: unknown[], allowed: boolean][] = [
    ['reader', [48, 1, {}, 'docs.get'], true],
    ['reader', [32, 1, {}, 'docs.changes'], true],
    ['reader', [16, 1, { acknowledge: true }, 'docs.changes'], false],
    ['reader', [48, 1, {}, 'admin.db.status'], false],
    ['writer', [16, 1, { acknowledge: true }, 'docs.changes'], true],
    ['writer', [48, 1, {}, 'admin.db.status'], true],
    ['writer', [48, 1, {}, 'admin.db.reset'], false],
    ['writer', [64, 1, {}, 'docs.get'], false],
    ['writer', [64, 1, {}, 'svc.render'], false],
    ['service', [64, 1, {}, 'svc.render'], true],
    ['service', [64, 1, { match: 'prefix' }, 'svc.'], true],
    ['service', [64, 1, {}, 'docs.render'], false],
    ['guest', [48, 1, {}, 'public.hello'], true],
    ['guest', [48, 1, {}, 'docs.get'], false],
    ['guest', [32, 1, {}, 'docs.changes'], false],
  ];

  it.each(matrix)('%s: %j -> allowed %s', async (role, message, allowed) => {
    const client = await join(running, role);
    client.send(message);
    const answer = (await client.next()) as unknown[];
    const [type, request, , uri] = message as [number, number, unknown, string];
    const action = { 48: 'call', 32: 'subscribe', 16: 'publish', 64: 'register' }[type];
    if (allowed) {
      expect(answer[0]).not.toBe(8);
    } else {
      expect(answer).toEqual([
        8,
        type,
        request,
        {},
        'wamp.error.not_authorized',
        [`Not authorized to ${action} "${uri}".`],
      ]);
    }
    client.terminate();
  });

  it('a denied PUBLISH without acknowledge is dropped silently and reaches nobody', async () => {
    const subscriber = await join(running, 'reader');
    subscriber.send([32, 1, {}, 'docs.changes']);
    expect(((await subscriber.next()) as unknown[])[0]).toBe(33);
    const reader = await join(running, 'reader');
    reader.send([16, 1, {}, 'docs.changes', ['forged']]);
    reader.send([48, 2, {}, 'docs.get']);
    expect(await reader.next()).toEqual([50, 2, {}, ['doc']]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(subscriber.pending).toHaveLength(0);
    subscriber.terminate();
    reader.terminate();
  });
});

describe('dynamic authorizer', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      wamp: {
        realms: [
          { name: 'realm1', authenticator: roleFromAuthid, authorization: { authorizer: SlowAuthorizer } },
        ],
      },
      controllers: [DocsController],
      providers: [SlowAuthorizer],
    });
  });
  afterAll(async () => {
    await running.app.close();
  });

  it('decides asynchronously with the session in hand, and keeps the session’s message order', async () => {
    const subscriber = await join(running, 'someone');
    subscriber.send([32, 1, {}, 'news.today']);
    const subscribed = (await subscriber.next()) as unknown[];
    const publisher = await join(running, 'editor');
    for (let index = 1; index <= 5; index++) publisher.send([16, index, {}, 'news.today', [index]]);
    publisher.send([16, 6, { acknowledge: true }, 'private.diary', ['secret']]);
    publisher.send([48, 7, {}, 'public.hello']);
    const events: unknown[] = [];
    for (let index = 0; index < 5; index++) events.push(((await subscriber.next()) as unknown[][])[4][0]);
    expect(events).toEqual([1, 2, 3, 4, 5]);
    expect(await publisher.next()).toEqual([
      8,
      16,
      6,
      {},
      'wamp.error.not_authorized',
      ['Not authorized to publish "private.diary".'],
    ]);
    expect(await publisher.next()).toEqual([50, 7, {}, ['hello']]);
    const authorizer = running.app.get(SlowAuthorizer);
    expect(authorizer.seen.find((request) => request.uri === 'private.diary')).toMatchObject({
      action: 'publish',
      session: { authid: 'editor', authrole: 'editor' },
    });
    expect(subscribed[0]).toBe(33);
    subscriber.terminate();
    publisher.terminate();
  });
});

import { LocalBroker, LocalPublicationBus, WampRouter } from '../../../lib/core/index.js';
import { type Publication, type WampPublicationBus, type WampRetentionStore } from '../../../lib/index.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { routerOptions } from '../../support/router-options.js';

/** The seam a backplane or a shared store plugs into: each realm's parts come from the configured factories. */

const ROLES = { publisher: {}, subscriber: {} };

async function joined(router: WampRouter, realm = 'realm1') {
  const connection = new FakeConnection();
  const session = router.openSession(connection);
  session.handleFrame(Buffer.from(JSON.stringify([1, realm, { roles: ROLES }])));
  await new Promise((resolve) => setImmediate(resolve));
  connection.take();
  return { connection, session };
}

describe('realm parts', () => {
  it('a retention store factory serves every realm (one store per realm, given the realm name)', async () => {
    const stores = new Map<string, Publication[]>();
    const retentionStore = ({ realm }: { realm: string }): WampRetentionStore => {
      const kept: Publication[] = [];
      stores.set(realm, kept);
      return {
        retain: (publication) => kept.push(publication),
        eventsFor: (pattern) => kept.filter((publication) => publication.topic === pattern),
      };
    };
    const router = new WampRouter(
      routerOptions({ realms: [{ name: 'realm1' }, { name: 'realm2' }], parts: { retentionStore } }),
    );
    expect([...stores.keys()]).toEqual(['realm1', 'realm2']);
    const { connection, session } = await joined(router);
    session.handleFrame(Buffer.from(JSON.stringify([16, 1, { retain: true }, 'kept', ['value']])));
    expect(stores.get('realm1')).toMatchObject([
      { topic: 'kept', args: ['value'], options: { retain: true } },
    ]);
    session.handleFrame(Buffer.from(JSON.stringify([32, 2, { get_retained: true }, 'kept'])));
    const [subscribed, retained] = connection.take();
    expect(subscribed[0]).toBe(33);
    expect(retained).toEqual([36, subscribed[2], expect.any(Number), { retained: true }, ['value']]);
  });

  it('broker and dealer factories replace the in-memory ones, per realm', () => {
    const built: string[] = [];
    const router = new WampRouter(
      routerOptions({
        parts: {
          broker: (context) => {
            built.push(`broker ${context.realm}`);
            return new LocalBroker(context.nextId, context.options);
          },
        },
      }),
    );
    expect(built).toEqual(['broker realm1']);
    expect(router.realms.get('realm1')?.broker).toBeInstanceOf(LocalBroker);
  });

  it('a publication bus carries publications between two routers as one realm (the backplane seam)', async () => {
    // A toy backplane: every bus of the realm delivers what any of them publishes, in order, at once.
    const buses: ((publication: Publication) => void)[] = [];
    const sent: Publication[] = [];
    const publicationBus = (): WampPublicationBus => ({
      connect: (deliver) => void buses.push(deliver),
      publish: (publication) => {
        // The session meta events (wamp.session.on_join) travel the same road; this test follows its own.
        if (!publication.topic.startsWith('wamp.')) sent.push(publication);
        for (const deliver of buses) deliver(publication);
      },
    });
    const first = new WampRouter(routerOptions({ parts: { publicationBus } }));
    const second = new WampRouter(routerOptions({ parts: { publicationBus } }));
    expect(buses).toHaveLength(2);
    const publisher = await joined(first);
    const here = await joined(first);
    const there = await joined(second);
    for (const [index, { session, connection }] of [here, there].entries()) {
      session.handleFrame(Buffer.from(JSON.stringify([32, index + 1, {}, 'shared.topic'])));
      expect(connection.take()[0]?.[0]).toBe(33);
    }
    publisher.session.handleFrame(
      Buffer.from(
        JSON.stringify([
          16,
          7,
          { acknowledge: true, disclose_me: true },
          'shared.topic',
          ['hello'],
          { n: 1 },
        ]),
      ),
    );
    const [published] = publisher.connection.take();
    expect(published).toEqual([17, 7, expect.any(Number)]);
    // What travels is plain data: the publisher by identity, never its session object.
    expect(sent).toEqual([
      {
        topic: 'shared.topic',
        id: published[2],
        args: ['hello'],
        kwargs: { n: 1 },
        options: { acknowledge: true, disclose_me: true },
        publisher: { session: publisher.session.id, authid: expect.any(String), authrole: 'anonymous' },
      },
    ]);
    expect(JSON.parse(JSON.stringify(sent[0]))).toEqual(sent[0]);
    for (const { connection } of [here, there]) {
      expect(connection.take()).toEqual([
        [
          36,
          expect.any(Number),
          published[2],
          {
            publisher: publisher.session.id,
            publisher_authid: expect.any(String),
            publisher_authrole: 'anonymous',
          },
          ['hello'],
          { n: 1 },
        ],
      ]);
    }
    // Server-side publications take the same road.
    second.realms.get('realm1')?.broker.publishFromServer('shared.topic', ['from the server']);
    expect(here.connection.take()).toEqual([
      [36, expect.any(Number), expect.any(Number), {}, ['from the server']],
    ]);
  });

  it('an asynchronous bus: PUBLISHED waits until it took the publication, ERROR cluster_unavailable when it could not, nothing to a publisher gone meanwhile', async () => {
    // A bus that answers when the test says so, as a backplane answers when its engine stored the message.
    const answers: ((sent: boolean) => void)[] = [];
    const publicationBus = (): WampPublicationBus => ({
      connect: () => undefined,
      publish: (publication) =>
        publication.topic.startsWith('wamp.')
          ? Promise.resolve(true)
          : new Promise<boolean>((resolve) => answers.push(resolve)),
    });
    const router = new WampRouter(routerOptions({ parts: { publicationBus } }));
    const publisher = await joined(router);
    const publish = (request: number, acknowledge: boolean) =>
      publisher.session.handleFrame(
        Buffer.from(JSON.stringify([16, request, { acknowledge }, 'cluster.topic', [request]])),
      );
    publish(1, true);
    publish(2, true);
    publish(3, false);
    expect(answers).toHaveLength(3);
    // Nothing yet: the bus has not taken either acknowledged publication.
    expect(publisher.connection.take()).toEqual([]);
    answers[0](true);
    answers[2](true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.connection.take()).toEqual([[17, 1, expect.any(Number)]]);
    answers[1](false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.connection.take()).toEqual([
      [
        8,
        16,
        2,
        {},
        'nestjs_wamp.error.cluster_unavailable',
        [
          'The backplane did not take the publication: the other instances may not have received it; try again.',
        ],
      ],
    ]);
    // The publisher leaves before the bus answers: nothing is sent to it, nothing breaks.
    publish(4, true);
    publisher.session.handleFrame(Buffer.from(JSON.stringify([6, {}, 'wamp.close.close_realm'])));
    publisher.connection.take();
    answers[3](true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.connection.take()).toEqual([]);
  });

  it('the local bus connects to one broker only', () => {
    const bus = new LocalPublicationBus();
    bus.connect(() => undefined);
    expect(() => bus.connect(() => undefined)).toThrow(/already connected/);
  });
});

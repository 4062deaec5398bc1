import { LocalBroker, WampRouter, type Publication, type WampRetentionStore } from '../../../lib/index.js';
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
});

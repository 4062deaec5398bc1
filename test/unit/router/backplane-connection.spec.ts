import { MemoryBackplane, MemoryBackplaneHub, WampRouter } from '../../../lib/core/index.js';
import { recordingLogger, routerOptions } from '../../support/router-options.js';

/**
 * The router follows its backplane's connection (issue 17): an engine that is not connected when the router
 * starts (Redis still connecting, or not there at all) gets `backplaneLease` to connect, as one that lost its
 * connection gets it to come back; after that the instance stops serving a view of the cluster it cannot see.
 */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the router and its backplane connection', () => {
  it('an engine not connected at start that connects within the lease changes nothing, and nothing is logged', async () => {
    const backplane = new MemoryBackplane(new MemoryBackplaneHub(), 'starting');
    backplane.setConnected(false);
    const logger = recordingLogger();
    const router = new WampRouter(routerOptions({ backplane, backplaneLease: 200, logger }));
    await pause(50);
    backplane.setConnected(true);
    await pause(300);
    expect(router.isDetached).toBe(false);
    expect(router.refusal).toBeUndefined();
    expect(logger.errors).toEqual([]);
    await router.shutdown();
  });

  it('an engine never connected detaches the instance after the lease, naming why; connecting attaches it again', async () => {
    const backplane = new MemoryBackplane(new MemoryBackplaneHub(), 'unreachable');
    backplane.setConnected(false);
    const logger = recordingLogger();
    const router = new WampRouter(routerOptions({ backplane, backplaneLease: 100, logger }));
    expect(router.isDetached).toBe(false);
    await pause(250);
    expect(router.isDetached).toBe(true);
    expect(router.refusal).toBe('This instance lost its backplane: connect to another instance.');
    expect(logger.errors).toEqual([
      'Backplane not connected yet after 100 ms: closing every session of this instance.',
    ]);
    backplane.setConnected(true);
    expect(router.isDetached).toBe(false);
    await router.shutdown();
  });

  it('an engine connected at start is not watched for the lease (control)', async () => {
    const backplane = new MemoryBackplane(new MemoryBackplaneHub(), 'connected');
    const router = new WampRouter(routerOptions({ backplane, backplaneLease: 50 }));
    await pause(150);
    expect(router.isDetached).toBe(false);
    await router.shutdown();
  });
});

import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { interval, map, take } from 'rxjs';
import { WampContext, WampTransport } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp } from '../support/test-app.js';

@Controller()
class HookedController {
  @MessagePattern('test.echo')
  echo(@Payload() payload: { kwargs: { n: number } }): number {
    return payload.kwargs.n;
  }

  @MessagePattern('test.count')
  count(): unknown {
    return interval(1).pipe(
      take(3),
      map((index) => index + 1),
    );
  }

  @MessagePattern('test.fail')
  fail(): never {
    throw new Error('boom');
  }
}

describe("Nest's processing hooks (setOnProcessingStartHook / setOnProcessingEndHook)", () => {
  it('run once per call, around the whole call: value, stream and failure alike', async () => {
    const events: string[] = [];
    const running = await startApp({
      controllers: [HookedController],
      configure: (app) => {
        const transport = app.get(WampTransport);
        transport.setOnProcessingStartHook((transportId, context, done) => {
          events.push(`start ${String(transportId)} ${(context as WampContext).procedure}`);
          return done();
        });
        transport.setOnProcessingEndHook((_transportId, context) => {
          events.push(`end ${(context as WampContext).procedure}`);
        });
      },
    });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 1, {}, 'test.echo', [], { n: 7 }]);
      expect(await client.next()).toEqual([50, 1, {}, [7]]);
      client.send([48, 2, { receive_progress: true }, 'test.count']);
      expect(await client.next()).toEqual([50, 2, { progress: true }, [1]]);
      expect(await client.next()).toEqual([50, 2, { progress: true }, [2]]);
      expect(await client.next()).toEqual([50, 2, {}, [3]]);
      client.send([48, 3, {}, 'test.fail']);
      expect(((await client.next()) as unknown[]).slice(0, 5)).toEqual([8, 48, 3, {}, 'wamp.error.runtime_error']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const transportId = String(running.app.get(WampTransport).transportId);
      expect(events).toEqual([
        `start ${transportId} test.echo`,
        'end test.echo',
        `start ${transportId} test.count`,
        'end test.count',
        `start ${transportId} test.fail`,
        'end test.fail',
      ]);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });
});

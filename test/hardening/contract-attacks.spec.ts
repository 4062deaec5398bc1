import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { z } from 'zod';
import { WampContract } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import type { RunningApp } from '../support/test-app.js';
import {
  failOnUnhandledRejections,
  figuresTable,
  judge,
  measured,
  typeAndUri,
  type Figure,
} from './support/attack-control.js';

/**
 * Contracts and reflection attacked (issue 20), each against a control of the same bytes without the trick, with
 * the canary going (verdict in attack-control.ts):
 * - arguments built so that the validator reports an issue per element (20,000 issues per call): the router's
 *   work follows the input's size and the answer stays small (at most 20 issues, messages cut);
 * - 50,000 positional arguments to a contract that binds two: refused before anything looks at them;
 * - reflection over a realm full of client registrations, listed over and over.
 */

const figures: Figure[] = [];

failOnUnhandledRejections();

afterAll(() => {
  process.stdout.write(figuresTable('Contract and reflection attacks', figures));
});

@Controller()
class ContractedProcedures {
  @MessagePattern('attack.numbers')
  @WampContract({ args: z.array(z.number()) })
  numbers(): string {
    return 'ok';
  }

  @MessagePattern('attack.strings')
  @WampContract({ args: z.array(z.string()) })
  strings(): string {
    return 'ok';
  }

  @MessagePattern('attack.numbers.json')
  @WampContract({ args: { type: 'array', items: { type: 'number' } } })
  numbersJson(): string {
    return 'ok';
  }

  @MessagePattern('attack.strings.json')
  @WampContract({ args: { type: 'array', items: { type: 'string' } } })
  stringsJson(): string {
    return 'ok';
  }

  @MessagePattern('attack.bound')
  @WampContract({ positional: ['a', 'b'], kwargs: z.object({ a: z.string(), b: z.string() }).partial() })
  bound(): string {
    return 'ok';
  }

  @MessagePattern('attack.free')
  free(): string {
    return 'ok';
  }
}

const app = { controllers: [ContractedProcedures] };

/** Sends `frames` in bursts of 20 (a turn between bursts); reads as many answers, keeping a count by type/URI. */
async function pipelined(
  client: RawWampClient,
  frames: readonly unknown[][],
  inspect: (answer: unknown[], raw: number) => void = () => undefined,
): Promise<Record<string, number>> {
  for (const [index, frame] of frames.entries()) {
    client.send(frame);
    if (index % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
  }
  const counts: Record<string, number> = {};
  for (let count = 0; count < frames.length; count++) {
    const frame = await client.nextFrame(30_000);
    const answer = frame.message as unknown[];
    inspect(answer, frame.raw.length);
    const key = typeAndUri(answer);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('contract and reflection attacks, each against its control', () => {
  it.each([
    // ajv stops at the first problem: a failing call costs no more than a passing one.
    ['a JSON Schema (ajv, stops at the first problem)', 'attack.numbers.json', 'attack.strings.json', 20_000],
    // zod reports every problem, ~500 bytes of issue each: the router hands it at most maxContractValues (4,096)
    // values, so this is the most a call can make zod report. (Unbounded, 20,000 per call grew the heap by up to
    // 690 MB on CI.)
    ['zod (reports every problem), at the value bound', 'attack.numbers', 'attack.strings', 4_000],
    // Past the bound, zod never runs: refused on the count.
    ['zod, past the value bound', 'attack.numbers', 'attack.strings', 20_000],
  ])(
    '100 calls whose arguments each break %s (control: the same bytes that keep it)',
    async (validator, failing, passing, elements) => {
      const strings = Array.from({ length: elements }, () => 'x');
      const calls = 100;
      const refusedByCount = failing === 'attack.numbers' && elements > 4096;
      let largestAnswer = 0;
      const run =
        (procedure: string) =>
        async (running: RunningApp): Promise<void> => {
          const { client } = await RawWampClient.join(running.url);
          const frames = Array.from({ length: calls }, (_, index) => [48, index + 1, {}, procedure, strings]);
          const counts = await pipelined(client, frames, (answer, raw) => {
            largestAnswer = Math.max(largestAnswer, raw);
            if (answer[0] === 8 && procedure === 'attack.numbers' && !refusedByCount) {
              const kwargs = answer[6] as { issues: unknown[]; truncated: boolean };
              expect(kwargs.issues).toHaveLength(20);
              expect(kwargs.truncated).toBe(true);
            }
          });
          // Past the bound, both runs are refused on the count (the control's strings too): the same work.
          const expected =
            procedure === failing || (refusedByCount && procedure === passing)
              ? { 'ERROR wamp.error.invalid_argument': calls }
              : { '50': calls };
          expect(counts).toEqual(expected);
          client.terminate();
        };
      const under = await measured(app, run(failing));
      // Each answer to a large call stays small: at most 20 issues, their paths and messages.
      expect(largestAnswer).toBeLessThan(4096);
      const control = await measured(app, run(passing));
      judge(
        figures,
        `100 calls x ${elements.toLocaleString('en')} arguments, each one a problem for ${validator} (control: the same bytes, valid)`,
        refusedByCount
          ? '100 ERROR invalid_argument (over maxContractValues)'
          : '100 ERROR invalid_argument, answers < 4 KB',
        under,
        control,
      );
    },
  );

  it('100 calls with 50,000 positional arguments to a contract that binds two (control: a procedure without one)', async () => {
    const many = Array.from({ length: 50_000 }, () => 1);
    const run =
      (procedure: string) =>
      async (running: RunningApp): Promise<void> => {
        const { client } = await RawWampClient.join(running.url);
        const frames = Array.from({ length: 100 }, (_, index) => [48, index + 1, {}, procedure, many]);
        const counts = await pipelined(client, frames);
        expect(counts).toEqual(
          procedure === 'attack.bound' ? { 'ERROR wamp.error.invalid_argument': 100 } : { '50': 100 },
        );
        client.terminate();
      };
    const under = await measured(app, run('attack.bound'));
    const control = await measured(app, run('attack.free'));
    judge(
      figures,
      '100 calls x 50,000 positional arguments to a 2-name binding (control: no contract)',
      '100 ERROR invalid_argument',
      under,
      control,
    );
  });

  it('wamp.reflection.procedure.list over 2,000 client registrations, 200 times (control: wamp.session.count)', async () => {
    const run =
      (procedure: string) =>
      async (running: RunningApp): Promise<void> => {
        const holders: RawWampClient[] = [];
        for (let holder = 0; holder < 10; holder++) {
          const { client } = await RawWampClient.join(running.url);
          const frames = Array.from({ length: 200 }, (_, index) => [
            64,
            index + 1,
            {},
            `com.fill.h${holder}.p${index}`,
          ]);
          expect(await pipelined(client, frames)).toEqual({ '65': 200 });
          holders.push(client);
        }
        const { client } = await RawWampClient.join(running.url);
        let listed = 0;
        const counts = await pipelined(
          client,
          Array.from({ length: 200 }, (_, index) => [48, index + 1, {}, procedure]),
          (answer) => {
            if (procedure === 'wamp.reflection.procedure.list') listed = (answer[3] as [string[]])[0].length;
          },
        );
        expect(counts).toEqual({ '50': 200 });
        if (procedure === 'wamp.reflection.procedure.list') expect(listed).toBeGreaterThanOrEqual(2000);
        client.terminate();
        for (const holder of holders) holder.terminate();
      };
    const under = await measured(app, run('wamp.reflection.procedure.list'));
    const control = await measured(app, run('wamp.session.count'));
    judge(
      figures,
      '200 wamp.reflection.procedure.list over 2,000 registrations (control: wamp.session.count)',
      '200 RESULT',
      under,
      control,
    );
  });
});

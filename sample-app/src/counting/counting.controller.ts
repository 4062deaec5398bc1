import { BadRequestException, Controller, ParseFloatPipe, ParseIntPipe } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { WampContract, WampParam, type WampProcedureContract } from '../../../lib/index.js';
import { InRangePipe } from '../common/pipes/in-range.pipe.js';
import { ParseStringPipe } from '../common/pipes/parse-string.pipe.js';
import { CountingService, type CountStep } from './counting.service.js';

/** The most `slowlyCountToNumber` counts to, and its longest interval in seconds. */
export const MAX_COUNT = 1000;
export const MAX_INTERVAL_SECONDS = 10;

/** One step of the count, as each progressive result and the final result carry it. */
const CountStepSchema = z.object({ count: z.number().int(), taunt: z.string() });

/**
 * The contract documents what the procedure returns; its arguments are converted and checked by the pipes below
 * (the other way to validate: Nest pipes, inside the pipeline), so the contract declares no argument schema.
 */
const CountContract = {
  description:
    'Counts from 1 to count_to, one step every interval seconds; each step is a progressive result.',
  result: CountStepSchema,
  progress: CountStepSchema,
  errors: {
    'wamp.error.invalid_argument': 'count_to is not an integer in 1..1000, or interval not in 0..10.',
  },
} satisfies WampProcedureContract;

/**
 * serverwamp's "type marshalling" example. Its Python type hints (`count_to: int, interval: float,
 * taunt: str = 'ah ah ah!'`) become pipes: `ParseIntPipe` / `ParseFloatPipe` convert (numbers, or numeric
 * strings as a loosely typed client may send) and reject the rest with `wamp.error.invalid_argument`,
 * and the bounds keep one call from occupying the server for hours.
 */
@Controller()
export class CountingController {
  constructor(private readonly counting: CountingService) {}

  /**
   * `slowlyCountToNumber(count_to, interval, taunt = 'ah ah ah!')`: counts from 1 to `count_to` (an integer,
   * 1..1000), one step every `interval` seconds (0..10, fractions allowed). A caller that sets
   * `receive_progress` gets each step `{ count, taunt }` as a progressive RESULT; the final RESULT is the
   * last step. CANCEL stops the count (the Observable is unsubscribed).
   */
  @MessagePattern('slowlyCountToNumber')
  @WampContract(CountContract)
  slowlyCountToNumber(
    @WampParam(
      'count_to',
      new ParseIntPipe({ exceptionFactory: () => new BadRequestException('count_to must be an integer.') }),
      new InRangePipe('count_to', 1, MAX_COUNT),
    )
    countTo: number,
    @WampParam(
      'interval',
      new ParseFloatPipe({
        exceptionFactory: () => new BadRequestException('interval must be a number of seconds.'),
      }),
      new InRangePipe('interval', 0, MAX_INTERVAL_SECONDS),
    )
    interval: number,
    @WampParam('taunt', { default: 'ah ah ah!' }, new ParseStringPipe('taunt', 200)) taunt: string,
  ): Observable<CountStep> {
    return this.counting.count(countTo, Math.round(interval * 1000), taunt);
  }
}

import { BadRequestException, Controller, ParseFloatPipe, ParseIntPipe } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { WampParam } from '../../../lib/index.js';
import { InRangePipe } from '../common/pipes/in-range.pipe.js';
import { ParseStringPipe } from '../common/pipes/parse-string.pipe.js';
import { CountingService, type CountStep } from './counting.service.js';

/** The most `slowlyCountToNumber` counts to, and its longest interval in seconds. */
export const MAX_COUNT = 1000;
export const MAX_INTERVAL_SECONDS = 10;

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

import { BadRequestException, type PipeTransform } from '@nestjs/common';

/**
 * Checks that a number (after `ParseIntPipe` / `ParseFloatPipe`) lies in `[min, max]`. A value outside
 * answers ERROR `wamp.error.invalid_argument` with args `["count_to must be from 1 to 1000, got 0."]`
 * (a 400 `BadRequestException`, which the module maps to `invalid_argument`). Bounds are what keep a
 * single call from holding a server-side timer for days.
 *
 * @example
 * @WampParam('count_to', ParseIntPipe, new InRangePipe('count_to', 1, 1000)) countTo: number
 */
export class InRangePipe implements PipeTransform<number, number> {
  constructor(
    private readonly name: string,
    private readonly min: number,
    private readonly max: number,
  ) {}

  transform(value: number): number {
    if (!(value >= this.min && value <= this.max)) {
      throw new BadRequestException(`${this.name} must be from ${this.min} to ${this.max}, got ${value}.`);
    }
    return value;
  }
}

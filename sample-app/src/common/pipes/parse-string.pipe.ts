import { BadRequestException, type PipeTransform } from '@nestjs/common';

/**
 * Accepts a string of at most `maxLength` characters. JSON, msgpack and CBOR callers can send any type
 * where a string is expected; this turns the wrong type into ERROR `wamp.error.invalid_argument` instead
 * of a surprise further down.
 */
export class ParseStringPipe implements PipeTransform<unknown, string> {
  constructor(
    private readonly name: string,
    private readonly maxLength: number,
  ) {}

  transform(value: unknown): string {
    if (typeof value !== 'string') throw new BadRequestException(`${this.name} must be a string.`);
    if (value.length > this.maxLength) {
      throw new BadRequestException(`${this.name} must be at most ${this.maxLength} characters long.`);
    }
    return value;
  }
}

import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Surrounding whitespace is not part of a title: "  " is an empty title, not a valid one. */
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/**
 * Input of `docs.createDocument`, validated by `ValidationPipe` (class-validator). A failure answers ERROR
 * `wamp.error.invalid_argument` with args `["title should not be empty; ..."]` and kwargs
 * `{ status: 400, message: [...], statusText: 'Bad Request' }`.
 *
 * The pipe runs with `stopAtFirstError` (one message per property), and class-validator checks a
 * property's decorators bottom-up: `@IsString()` sits last so a missing or non-string value is reported
 * as "must be a string" rather than as a length problem.
 */
export class CreateDocumentDto {
  @Transform(trim)
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  readonly title!: string;

  @MaxLength(10_000)
  @IsString()
  readonly body!: string;
}

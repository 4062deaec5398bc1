import {
  BadRequestException,
  CallHandler,
  Catch,
  Controller,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  NestInterceptor,
  ParseFloatPipe,
  ParseIntPipe,
  PipeTransform,
  RpcExceptionFilter,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
  type CanActivate,
} from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import { interval, map, Observable, of, take, throwError, finalize } from 'rxjs';
import {
  WampArg,
  WampContext,
  WampException,
  WampKwarg,
  WampParam,
  WampProcedure,
  WampResult,
  type WampCallPayload,
} from '../../lib/index.js';

/** Records what handlers observed, so tests can assert on server-side effects (abort, teardown). */
@Injectable()
export class CallLog {
  readonly aborted: string[] = [];
  readonly tornDown: string[] = [];
  readonly finished: string[] = [];
  readonly callers: unknown[] = [];
}

export class CreateDocumentDto {
  @IsString()
  @IsNotEmpty()
  title!: string;

  @IsString()
  body!: string;

  @IsInt()
  @Min(0)
  priority!: number;
}

@Injectable()
export class RoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToRpc().getContext<WampContext>().session.authrole === 'admin';
  }
}

@Injectable()
export class ThrowingGuard implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException('Token expired');
  }
}

@Injectable()
export class DoubleInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => (typeof value === 'number' ? value * 2 : value)));
  }
}

export class TeapotError extends Error {}

@Catch(TeapotError)
export class TeapotFilter implements RpcExceptionFilter<TeapotError> {
  catch(exception: TeapotError): Observable<never> {
    return throwError(() =>
      new WampException('app.error.teapot', [exception.message], { brewing: false }).getError(),
    );
  }
}

/** A schema pipe, as users write them around zod/Joi: validates against a schema and throws 400 with the issues. */
export class SchemaPipe implements PipeTransform {
  constructor(private readonly schema: Record<string, 'string' | 'number'>) {}

  transform(value: unknown): unknown {
    const issues: string[] = [];
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    for (const [key, type] of Object.entries(this.schema)) {
      if (typeof record[key] !== type) issues.push(`${key}: expected ${type}`);
    }
    if (issues.length > 0) throw new BadRequestException(issues);
    return value;
  }
}

/** A custom param decorator injecting a server-side value (serverwamp's custom default args). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const wamp = context.switchToRpc().getContext<WampContext>();
  return { authid: wamp.session.authid, role: wamp.session.authrole };
});

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });
}

@Controller()
export class RpcController {
  constructor(private readonly log: CallLog) {}

  @MessagePattern('docs.get_document')
  getDocument(@WampParam('document_id') documentId: string): { id: string; title: string } {
    return { id: documentId, title: `Document ${documentId}` };
  }

  @MessagePattern('results.explicit')
  explicit(): WampResult {
    return new WampResult([1, 2], { total: 3 });
  }

  @MessagePattern('results.nothing')
  nothing(): void {
    return undefined;
  }

  @MessagePattern('results.echo_falsy')
  echoFalsy(@WampArg(0) kind: string): unknown {
    return { zero: 0, false: false, empty: '', null: null }[kind];
  }

  @MessagePattern('results.payload')
  payload(@Payload() payload: WampCallPayload): WampCallPayload {
    return payload;
  }

  @MessagePattern('math.add')
  add(@WampArg(0, ParseIntPipe) a: number, @WampArg(1, { default: 1 }, ParseIntPipe) b: number): number {
    return a + b;
  }

  @MessagePattern('math.scale')
  scale(
    @WampKwarg('value', ParseFloatPipe) value: number,
    @WampKwarg('factor', { optional: true }) factor?: number,
  ): number {
    return value * (factor ?? 10);
  }

  @MessagePattern('docs.create')
  create(
    @Payload('kwargs', new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
    dto: CreateDocumentDto,
  ): string {
    return `created ${dto.title} (${dto.priority})`;
  }

  @MessagePattern('people.greet')
  greet(
    @Payload('kwargs', new SchemaPipe({ name: 'string', age: 'number' }))
    person: {
      name: string;
      age: number;
    },
  ): string {
    return `Hello ${person.name} (${person.age})`;
  }

  @MessagePattern('admin.reset')
  @UseGuards(RoleGuard)
  reset(): string {
    return 'reset';
  }

  @MessagePattern('admin.expired')
  @UseGuards(ThrowingGuard)
  expired(): string {
    return 'never';
  }

  @MessagePattern('math.doubled')
  @UseInterceptors(DoubleInterceptor)
  doubled(@WampArg(0) value: number): number {
    return value;
  }

  @MessagePattern('errors.teapot')
  @UseFilters(TeapotFilter)
  teapot(): never {
    throw new TeapotError('I am a teapot');
  }

  @MessagePattern('errors.wamp')
  wampError(): never {
    throw new WampException('wamp.error.delete_failed', [], { status: 'FAILURE' });
  }

  @MessagePattern('errors.bug')
  bug(): never {
    throw new Error('secret database password in this message');
  }

  @MessagePattern('errors.forbidden')
  forbidden(): never {
    throw new ForbiddenException('Not your document');
  }

  @MessagePattern('streams.count')
  count(@WampArg(0) to: number): Observable<number> {
    return interval(5).pipe(
      take(to),
      map((index) => index + 1),
    );
  }

  @MessagePattern('streams.generate')
  async *generate(@WampArg(0) to: number): AsyncGenerator<string> {
    for (let index = 1; index <= to; index++) yield `step ${index}`;
  }

  @MessagePattern('streams.empty')
  empty(): Observable<never> {
    return new Observable<never>((subscriber) => subscriber.complete());
  }

  @MessagePattern('streams.failing')
  failing(): Observable<number> {
    return new Observable<number>((subscriber) => {
      subscriber.next(1);
      subscriber.error(new WampException('app.error.stream_broke'));
    });
  }

  @MessagePattern('slow.stream')
  slowStream(@WampArg(0) name: string): Observable<number> {
    return interval(20).pipe(finalize(() => this.log.tornDown.push(name)));
  }

  @MessagePattern('slow.promise')
  async slowPromise(
    @WampArg(0) name: string,
    @WampArg(1) milliseconds: number,
    @Ctx() context: WampContext,
  ): Promise<string> {
    context.signal.addEventListener('abort', () => this.log.aborted.push(name));
    await new Promise((resolve) => setTimeout(resolve, milliseconds));
    this.log.finished.push(name);
    return name;
  }

  @MessagePattern('slow.abortable')
  async abortable(@WampArg(0) name: string, @Ctx() context: WampContext): Promise<string> {
    context.signal.addEventListener('abort', () => this.log.aborted.push(name));
    await sleep(10_000, context.signal);
    return name;
  }

  @MessagePattern('context.info')
  info(
    @Ctx() context: WampContext,
    @CurrentUser() user: { authid: string; role: string },
    @WampKwarg('role', { optional: true }) claimed?: string,
  ): unknown {
    return {
      procedure: context.procedure,
      request: context.request,
      receiveProgress: context.receiveProgress,
      caller: context.caller ?? null,
      sessionId: context.session.id,
      realm: context.session.realm,
      protocol: context.session.transport.protocol,
      user,
      claimed: claimed ?? null,
    };
  }

  @WampProcedure('realm2.only', { realm: 'realm2' })
  realmTwoOnly(): string {
    return 'realm2';
  }

  @MessagePattern('tcp.internal', Transport.TCP)
  internal(): string {
    return 'should never be reachable over WAMP';
  }

  @MessagePattern({ cmd: 'object_pattern' })
  objectPattern(): string {
    return 'should never be reachable over WAMP';
  }

  @EventPattern('events.not_a_procedure')
  event(@Payload() _data: unknown): void {
    return undefined;
  }

  @MessagePattern('values.of')
  values(): Observable<number> {
    return of(7);
  }
}

@Controller()
export class DuplicateController {
  @MessagePattern('docs.get_document')
  again(): string {
    return 'duplicate';
  }
}

@Controller()
export class BadUriController {
  @MessagePattern('Docs.Get Document')
  bad(): string {
    return 'bad';
  }
}

/** A procedure of 70 components: over the default maxUriComponents (64), so no client could call it. */
@Controller()
export class OverLimitUriController {
  @MessagePattern(Array.from({ length: 70 }, (_, index) => `c${index}`).join('.'))
  deep(): string {
    return 'deep';
  }
}

@Controller()
export class ScopedController {
  @WampProcedure('scoped.hello')
  hello(): string {
    return 'scoped';
  }

  @MessagePattern('unscoped.hello')
  unscoped(): string {
    return 'unscoped';
  }
}

import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  Injectable,
  Logger,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { toWampError } from './wamp-error.mapper.js';
import { isWampContext } from './wamp-transport.constants.js';

interface WsFilter {
  catch(exception: unknown, host: ArgumentsHost): void;
}

/**
 * Turns exceptions of WAMP handlers (from guards, pipes, interceptors and the handler itself) into WAMP
 * ERRORs, because Nest's default RPC filter replaces every non-`RpcException` — including the
 * `BadRequestException` of `ValidationPipe` and `ParseIntPipe` — with "Internal server error" before the
 * transport sees it.
 *
 * `WampModule` registers it as a global filter (`APP_FILTER`); hybrid apps must connect the microservice
 * with `{ inheritAppConfig: true }` for global enhancers to apply. For every other context (HTTP routes,
 * other transports, WebSocket gateways) it hands the exception to the filter Nest would have used, so
 * their behaviour is unchanged. Your own filters (method, controller or global ones registered later)
 * still take precedence; to produce a specific WAMP error from one, throw or return a `WampException`.
 */
@Catch()
@Injectable()
export class WampExceptionFilter implements ExceptionFilter, OnModuleInit {
  private readonly logger = new Logger('WampExceptionFilter');
  private readonly rpcFallback = new BaseRpcExceptionFilter();
  private httpFallback?: BaseExceptionFilter;
  private wsFallback?: WsFilter;

  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    // Gateways exist only when @nestjs/websockets is installed; load its default filter if it is.
    try {
      const websockets = (await import('@nestjs/websockets')) as {
        BaseWsExceptionFilter: new () => WsFilter;
      };
      this.wsFallback = new websockets.BaseWsExceptionFilter();
    } catch {
      this.wsFallback = undefined;
    }
  }

  catch(exception: unknown, host: ArgumentsHost): Observable<unknown> | void {
    const type = host.getType<string>();
    if (type === 'rpc') {
      if (isWampContext(host.switchToRpc().getContext())) {
        const error = toWampError(exception, this.logger);
        return throwError(() => error);
      }
      return this.rpcFallback.catch(exception, host);
    }
    if (type === 'http') {
      const httpAdapter = this.adapterHost?.httpAdapter;
      this.httpFallback ??= new BaseExceptionFilter(httpAdapter);
      return this.httpFallback.catch(exception, host);
    }
    if (type === 'ws' && this.wsFallback) {
      return this.wsFallback.catch(exception, host);
    }
    // Other contexts (e.g. GraphQL) get what Nest's external exceptions handler does: the exception as is.
    throw exception;
  }
}

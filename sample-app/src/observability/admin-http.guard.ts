import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';

/** The parts of Express's and Fastify's requests and responses this guard uses. */
interface HttpRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}
interface HttpResponse {
  setHeader?(name: string, value: string): void;
  header?(name: string, value: string): void;
}

/**
 * The sample's admin over HTTP: Basic authentication as the ticket user `admin` (password `ADMIN_TICKET`), the
 * same identity that may call `admin.resetDocuments` over WAMP. Guards the inspector. A browser asks for the
 * password (the 401 carries `WWW-Authenticate`).
 */
@Injectable()
export class AdminHttpGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    this.expected = Buffer.from(`Basic ${Buffer.from(`admin:${config.adminTicket}`).toString('base64')}`);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const given = http.getRequest<HttpRequest>().headers.authorization;
    const received = Buffer.from(typeof given === 'string' ? given : '');
    if (received.length === this.expected.length && timingSafeEqual(received, this.expected)) return true;
    const response = http.getResponse<HttpResponse>();
    const challenge = 'Basic realm="nestjs-wamp sample admin", charset="UTF-8"';
    if (response.header) response.header('WWW-Authenticate', challenge);
    else response.setHeader?.('WWW-Authenticate', challenge);
    throw new UnauthorizedException('The inspector is for the admin user.');
  }
}

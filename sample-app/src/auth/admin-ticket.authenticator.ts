import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WampAuthContext, WampAuthResult, WampTicketAuthenticator } from '../../../lib/index.js';
import { AppConfig } from '../config/app-config.js';

/**
 * Ticket authentication for the sample's one privileged user: authid `admin` with the ticket from
 * `ADMIN_TICKET`, who gets the role `admin` and with it `admin.resetDocuments`. A real app would look users
 * up in its database here (this class is a Nest provider, so it can inject one).
 */
@Injectable()
export class AdminTicketAuthenticator implements WampTicketAuthenticator {
  private readonly expectedDigest: Buffer;

  constructor(config: AppConfig) {
    this.expectedDigest = digest(config.adminTicket);
  }

  verifyTicket(authid: string, ticket: string, _context: WampAuthContext): Promise<WampAuthResult | null> {
    // Compare digests of equal length in constant time, so neither the ticket nor its length leaks.
    const matches = timingSafeEqual(digest(ticket), this.expectedDigest);
    return Promise.resolve(authid === 'admin' && matches ? { authrole: 'admin' } : null);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

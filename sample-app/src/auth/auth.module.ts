import { Module } from '@nestjs/common';
import { AdminTicketAuthenticator } from './admin-ticket.authenticator.js';

/** Provides the realm's authenticators (WampModule takes them from DI by class). */
@Module({ providers: [AdminTicketAuthenticator], exports: [AdminTicketAuthenticator] })
export class AuthModule {}

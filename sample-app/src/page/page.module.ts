import { Module } from '@nestjs/common';
import { PageController } from './page.controller.js';

/**
 * The sample's browser page at `GET /`: live documents, a create form, and a cancellable
 * progressive call, all over WAMP (`/ws`, realm `realm1`) with Autobahn|JS.
 */
@Module({ controllers: [PageController] })
export class PageModule {}

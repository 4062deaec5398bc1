import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { DocsController } from './docs.controller.js';
import { DocsService } from './docs.service.js';

/** The documents feature: procedures `docs.*` and the `docs.changes` topic. Exports the service for admin use. */
@Module({
  imports: [DatabaseModule],
  controllers: [DocsController],
  providers: [DocsService],
  exports: [DocsService],
})
export class DocsModule {}

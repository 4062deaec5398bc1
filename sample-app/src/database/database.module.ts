import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DatabaseService } from './database.service.js';
import { SCHEMA } from './schema.js';

/**
 * Provides the {@link DatabaseService}. An async factory provider: Nest waits for the file to be opened
 * (and the schema applied) before constructing anything that injects it, so services never see a
 * half-open database.
 */
@Module({
  providers: [
    {
      provide: DatabaseService,
      useFactory: (config: AppConfig) => DatabaseService.open(config.docsDbPath, SCHEMA),
      inject: [AppConfig],
    },
  ],
  exports: [DatabaseService],
})
export class DatabaseModule {}

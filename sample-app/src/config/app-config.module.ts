import { Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/**
 * Provides {@link AppConfig} everywhere. The environment is read when the module is instantiated (not when
 * the file is imported), so tests can set `DOCS_DB` / `JOB_DURATION_MS` before starting the app.
 */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => AppConfig.fromEnv() }],
  exports: [AppConfig],
})
export class AppConfigModule {}

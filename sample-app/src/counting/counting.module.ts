import { Module } from '@nestjs/common';
import { CountingController } from './counting.controller.js';
import { CountingService } from './counting.service.js';

/** `slowlyCountToNumber`: progressive results and cancellation. */
@Module({ controllers: [CountingController], providers: [CountingService] })
export class CountingModule {}

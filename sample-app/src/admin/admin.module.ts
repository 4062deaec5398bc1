import { Module } from '@nestjs/common';
import { DocsModule } from '../docs/docs.module.js';
import { AdminController } from './admin.controller.js';

/** Role-guarded procedures (`admin.*`). */
@Module({ imports: [DocsModule], controllers: [AdminController] })
export class AdminModule {}

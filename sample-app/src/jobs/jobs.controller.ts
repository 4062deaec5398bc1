import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { WampContext } from '../../../lib/index.js';
import { JobsService } from './jobs.service.js';

/** `doJob`: a call that answers at once and reports later, by events to the caller. */
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /**
   * `doJob()` -> `'Job scheduled.'` at once. Then the caller receives, on `job_events` (if it subscribed),
   * an EVENT with kwargs `{ job_status: 'STARTED' }` and, `JOB_DURATION_MS` later, `{ job_status:
   * 'COMPLETED' }`. Other sessions subscribed to `job_events` see nothing of it. `ctx.session` is safe to
   * keep after the call returned.
   */
  @MessagePattern('doJob')
  doJob(@Ctx() ctx: WampContext): string {
    this.jobs.schedule(ctx.session);
    return 'Job scheduled.';
  }
}

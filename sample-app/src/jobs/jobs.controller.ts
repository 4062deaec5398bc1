import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { z } from 'zod';
import { WampContext, WampContract, WampTopic } from '../../../lib/index.js';
import { JOB_EVENTS_TOPIC, JobsService } from './jobs.service.js';

/** `doJob`: a call that answers at once and reports later, by events to the caller. */
@WampTopic(JOB_EVENTS_TOPIC, {
  description: "A job's progress, sent only to the session that scheduled it.",
  kwargs: z.object({ job_status: z.enum(['STARTED', 'COMPLETED']) }),
})
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
  @WampContract({
    description: 'Schedules a job; its progress comes as events on job_events.',
    result: z.string(),
  })
  doJob(@Ctx() ctx: WampContext): string {
    this.jobs.schedule(ctx.session);
    return 'Job scheduled.';
  }
}

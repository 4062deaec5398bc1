import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setImmediate as afterIo, setTimeout as sleep } from 'node:timers/promises';
import type { WampClientSession } from '../../../lib/index.js';
import { AppConfig } from '../config/app-config.js';

/** Topic the job's progress is sent on, to the session that started it only. */
export const JOB_EVENTS_TOPIC = 'job_events';

/** `job_status` kwarg of an event on {@link JOB_EVENTS_TOPIC}. */
export type JobStatus = 'STARTED' | 'COMPLETED';

/**
 * serverwamp's background-job example: work that outlives the call that started it and reports to the
 * caller's session (serverwamp's `session.send_event`, here `WampClientSession.sendEvent`).
 *
 * The job is a plain promise owned by this service, not by the call: the call's `AbortSignal` is not
 * used, because the call has ended (successfully) by the time the job runs. When the session leaves,
 * the job still finishes (the work was asked for) and its events go nowhere (`sendEvent` returns false);
 * when the app shuts down, pending jobs stop.
 */
@Injectable()
export class JobsService implements OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly stopping = new AbortController();

  constructor(private readonly config: AppConfig) {}

  /** Starts a job for `session` in the background and returns at once. */
  schedule(session: WampClientSession): void {
    this.run(session).catch((error: unknown) => {
      if (this.stopping.signal.aborted) return; // shutting down: stopping jobs is expected
      this.logger.error(`Job for session ${session.id} failed`, (error as Error).stack);
    });
  }

  /** Stops the timers of jobs still running, so `app.close()` does not wait for them. */
  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  private async run(session: WampClientSession): Promise<void> {
    const { signal } = this.stopping;
    // Let the call's RESULT ("Job scheduled.") go out first, as serverwamp's `nursery.start_soon` does.
    await afterIo(undefined, { signal });
    this.report(session, 'STARTED');
    await sleep(this.config.jobDurationMs, undefined, { signal }); // stands in for the real work
    this.report(session, 'COMPLETED');
  }

  private report(session: WampClientSession, status: JobStatus): void {
    // args [], kwargs { job_status }: serverwamp's `send_event('job_events', job_status=...)`.
    const delivered = session.sendEvent(JOB_EVENTS_TOPIC, [], { job_status: status });
    if (!delivered) {
      this.logger.debug(
        `Session ${session.id} is gone or not subscribed to ${JOB_EVENTS_TOPIC}: ${status} not sent`,
      );
    }
  }
}

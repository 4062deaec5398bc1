import { Injectable } from '@nestjs/common';
import { map, take, timer, type Observable } from 'rxjs';

/** One step of `slowlyCountToNumber`: sent as a progressive result, the last one as the final result. */
export interface CountStep {
  /** 1, 2, ..., count_to. */
  readonly count: number;
  readonly taunt: string;
}

/** serverwamp's `slowly_count` example, as a stream. */
@Injectable()
export class CountingService {
  /**
   * Emits `{ count: 1, taunt }` at once, then the next count every `intervalMs`, up to `countTo`, then
   * completes. A cold Observable: nothing runs until subscribed, and unsubscribing (which the WAMP
   * transport does on CANCEL, timeout or when the caller leaves) clears the timer, so a cancelled count
   * stops at once instead of ticking on with nobody listening.
   */
  count(countTo: number, intervalMs: number, taunt: string): Observable<CountStep> {
    return timer(0, intervalMs).pipe(
      take(countTo),
      map((index) => ({ count: index + 1, taunt })),
    );
  }
}

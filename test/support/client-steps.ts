import type { RealClientSession } from './real-clients.js';

/**
 * Bounded steps for tests that drive real client libraries: a call, a rejection, a close, each with a limit so
 * that a client that never answers fails the test instead of hanging it.
 */

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

/** The rejection value of `promise` (within `ms`); fails if it resolves. */
export function rejection(promise: PromiseLike<unknown>, what: string, ms = 3000): Promise<unknown> {
  return within(promise, ms, what).then(
    (value) => {
      throw new Error(`${what}: expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Leaves the session politely, or drops its transport when that fails. */
export async function closeQuietly(session: RealClientSession<unknown> | undefined): Promise<void> {
  if (!session) return;
  await session.close().catch(() => session.drop());
}

/** An Autobahn|JS call promise: when.js (progress as the third `then` argument) with `cancel`. */
export interface AutobahnCall extends PromiseLike<unknown> {
  then<R1 = unknown, R2 = never>(
    onFulfilled?: ((value: unknown) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
    onProgress?: (update: unknown) => void,
  ): PromiseLike<R1 | R2>;
  cancel(options?: { mode?: string }): void;
}

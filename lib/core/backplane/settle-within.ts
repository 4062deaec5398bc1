/**
 * Waits for `promise` to settle, at most `timeoutMs`; a rejection counts as settled. For an engine's `close`,
 * which must return even when its server no longer answers (a QUIT, a flush, a connection's close).
 *
 * @example
 * await settleWithin(connection.flush(), 1000);
 */
export async function settleWithin(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}

/**
 * Measuring helpers of the hardening suite: waiting without busy loops, and the process's memory (the router
 * under attack runs in the test's own process).
 */

export const MB = 1024 * 1024;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `step` ms; resolves true when it holds, false after `timeout` ms. */
export async function waitFor(condition: () => boolean, timeout: number, step = 10): Promise<boolean> {
  const deadline = performance.now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(step);
  }
}

/** A full collection when the suite runs with `--expose-gc` (npm run test:hardening does). */
export const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

export interface MemorySample {
  /** heapUsed + external: JS objects plus Buffers (socket queues, frames live outside the JS heap). */
  readonly heapUsed: number;
  readonly rss: number;
}

/** heapUsed + external, and rss, after full collections (the router lives in this process). */
export async function settledMemory(): Promise<MemorySample> {
  for (let round = 0; round < 3; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heapUsed: heapUsed + external, rss };
}

/** Samples rss and heapUsed (no gc) every 20 ms until stopped; returns the peaks. */
export function peakSampler(): { stop(): MemorySample } {
  let heapUsed = 0;
  let rss = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    heapUsed = Math.max(heapUsed, usage.heapUsed + usage.external);
    rss = Math.max(rss, usage.rss);
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { heapUsed, rss };
    },
  };
}

/** Bytes as MB with one decimal. */
export const mb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

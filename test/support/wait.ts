/**
 * How the e2e tests wait: on a readiness signal (a banner, a /health answer, a port accepting
 * connections, a row count), bounded by time rather than by a number of tries, and with bounds that
 * hold on a loaded 2-core machine — other test workers and other work share the CPU, and a probe
 * that takes 5 ms on a quiet machine can take 200 ms then. A hang still fails, after the bound.
 */

/** Bound on one condition that a quiet machine meets in well under a second. */
export const WAIT_TIMEOUT_MS = 30_000;

/**
 * Bound on one platform boot, from process start (or startPlatform()) to its readiness signal.
 * Boots take 3–8 s with both cores saturated (README "Start-up"); they took 37–45 s before the
 * start-up work of issue #17, so this leaves room for a much slower machine.
 */
export const BOOT_TIMEOUT_MS = 120_000;

/**
 * The Jest timeout for a hook or test that boots `boots` platforms (or embedded databases) and
 * then has up to `workMs` of its own work: each boot has its own readiness bound, so a hung boot
 * fails with that bound's message before Jest's timeout.
 */
export function bootTimeout(boots = 1, workMs = 60_000): number {
  return boots * BOOT_TIMEOUT_MS + workMs;
}

/**
 * Polls `probe` until `done(value)` holds and returns that value. When `timeoutMs` passes first it
 * returns the last value, so the caller's expect() shows what was there instead.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean = Boolean,
  timeoutMs = WAIT_TIMEOUT_MS,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Rejects with `message` if `promise` has not settled within `timeoutMs`. */
export function within<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `it()` for a test that boots `boots` platforms itself; its Jest timeout is `bootTimeout(boots)`. */
export function itBooting(boots: number, name: string, fn: () => Promise<void>): void {
  it(name, fn, bootTimeout(boots));
}

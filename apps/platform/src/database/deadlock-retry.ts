import { QueryFailedError } from 'typeorm';

/** PostgreSQL's "deadlock detected": it aborted this transaction to break a lock cycle (SQLSTATE 40P01). */
export function isDeadlock(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '40P01';
}

/** Retries of a deadlock victim; each waits a little longer, randomised, so the two do not meet again. */
const DEADLOCK_RETRIES = 5;
const DEADLOCK_BACKOFF_MS = 5;

/**
 * Runs `work` — one statement or transaction that commits on its own, so a deadlock victim left
 * nothing behind — and runs it again when PostgreSQL chose it to break a deadlock. Other errors,
 * and a deadlock on the last attempt, are the caller's.
 */
export async function retryDeadlockVictim<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isDeadlock(err) || attempt > DEADLOCK_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, DEADLOCK_BACKOFF_MS * attempt * (1 + Math.random())));
    }
  }
}

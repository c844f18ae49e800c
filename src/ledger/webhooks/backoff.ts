// When a failed delivery is tried again. Attempt n (1-based) that fails is retried
// BASE_SECONDS · 2^(n−1) later, at most MAX_DELAY_SECONDS: 30 s, 1 min, 2 min, 4 min, 8 min,
// 16 min, 32 min, then hourly. After MAX_ATTEMPTS tries (about 8 hours in all) the delivery
// is `failed` and stays in the log. No jitter: endpoints are few and tests move the clock.
export const BASE_SECONDS = 30;
export const MAX_DELAY_SECONDS = 3600;
export const MAX_ATTEMPTS = 12;
/** How long a worker owns a delivery it is sending (a crashed worker's delivery is retried after it). */
export const LEASE_SECONDS = 60;

/** Milliseconds after the failed attempt `attempt` before the next one; null: give up. */
export function retryDelayMs(attempt: number): number | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  return Math.min(BASE_SECONDS * 2 ** (attempt - 1), MAX_DELAY_SECONDS) * 1000;
}

// When to try a failed delivery again: exponential backoff with jitter, capped. Pure, so tests
// can check it without waiting.
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseMs: 2_000, maxMs: 60 * 60_000 };

/** Delay before attempt number `attempts + 1`; jitter draws from [50 %, 100 %] of the step. */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(step * (0.5 + random() / 2));
}

/** Retry-After as delay in ms (delta-seconds or HTTP date), or undefined when absent or invalid. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

import { currentRequestContext } from '../requestContext.ts';

/**
 * Counts a rate-limit refusal of the request being handled (metric `cm_rate_limit_refusals_total`,
 * label `limiter`, e.g. 'login per account'). Call it where a limiter refuses; a 429 answer
 * that was not counted this way is counted as `http <method> <route>`.
 */
export function countRateLimitRefusal(limiter: string): void {
  const context = currentRequestContext();
  if (!context) return;
  context.rateLimitCounted = true;
  context.countRateLimited?.(limiter);
}

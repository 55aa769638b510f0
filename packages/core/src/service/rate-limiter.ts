/** The most keys the limiter tracks; idle ones are dropped first. */
const MAX_KEYS = 10_000;

/**
 * A token bucket per key (per token, or per tenant for credentials without a
 * token id), in this process: `take` answers 0 when the request may go on, or
 * the seconds to wait (`Retry-After`) when the key is over its rate.
 */
export function createRateLimiter(settings: {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly now: () => number;
}): { take(key: string): number } {
  const { requestsPerSecond, burst, now } = settings;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const time = now();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= MAX_KEYS) {
          for (const [name, entry] of buckets) {
            if (time - entry.at > 60_000) buckets.delete(name);
          }
          if (buckets.size >= MAX_KEYS) buckets.clear();
        }
        bucket = { tokens: burst, at: time };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(
        burst,
        bucket.tokens + ((time - bucket.at) / 1000) * requestsPerSecond,
      );
      bucket.at = time;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / requestsPerSecond));
    },
  };
}

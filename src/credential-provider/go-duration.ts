/**
 * A whole number of seconds as a Go `time.Duration` string, the form the kubelet parses for `cacheDuration`:
 * 450 → `450s`. Fractions are dropped, never rounded up, so a cache never outlives what was asked.
 */
export function formatGoSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`not a duration in seconds: ${seconds}`);
  return `${Math.floor(seconds)}s`;
}

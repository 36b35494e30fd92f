export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/**
 * Percentiles by nearest rank over every sample (ms). A request that got no answer is a sample of
 * Infinity: it was late by more than anything measured, and leaving it out would flatter the server.
 */
export function summariseLatencies(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { p50: 0, p99: 0, mean: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const rank = (fraction: number) => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] as number;
  let sum = 0;
  for (const sample of sorted) sum += sample;
  return { p50: rank(0.5), p99: rank(0.99), mean: sum / sorted.length, max: sorted[sorted.length - 1] as number };
}

import { pooledLoad, type LoadResult } from '../../../bench/load.js';

function run(requestsPerSecond: number, p50: number, p99: number, max: number): LoadResult {
  const answers = requestsPerSecond * 10;
  return {
    connections: 64,
    expectedStatus: 200,
    durationSeconds: 10,
    requestsPerSecond,
    latencyMs: { p50, p99, mean: p50, max },
    answers,
    statusCounts: { 200: answers, 503: 1 },
    unexpected: 1,
    unanswered: 64,
    errors: 0,
    timeouts: 0,
  };
}

describe('pooledLoad', () => {
  test('one run is itself', () => {
    const only = run(1000, 20, 50, 90);
    expect(pooledLoad([only])).toBe(only);
  });

  test('sums counts, rates over the total time, medians of the percentiles, the largest max', () => {
    const pooled = pooledLoad([run(1000, 20, 50, 90), run(2000, 10, 30, 400), run(3000, 5, 80, 60)]);
    expect(pooled).toMatchObject({
      durationSeconds: 30,
      requestsPerSecond: 2000,
      answers: 60_000,
      statusCounts: { 200: 60_000, 503: 3 },
      unexpected: 3,
      unanswered: 192,
      latencyMs: { p50: 10, p99: 50, max: 400 },
    });
    // Weighted by answers: (1000·20 + 2000·10 + 3000·5) / 6000.
    expect(pooled.latencyMs.mean).toBeCloseTo(55_000 / 6000, 6);
  });

  test('an even number of runs takes the mean of the middle two', () => {
    expect(pooledLoad([run(1000, 20, 40, 90), run(1000, 10, 60, 90)]).latencyMs).toMatchObject({ p50: 15, p99: 50 });
  });

  test('no run is an error, not a silent zero', () => {
    expect(() => pooledLoad([])).toThrow('at least one run');
  });
});

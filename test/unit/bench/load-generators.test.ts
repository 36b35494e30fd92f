import { summariseLatencies } from '../../../bench/latency-summary.js';
import { LoopbackAddresses } from '../../../bench/loopback-addresses.js';
import { pooledOpenLoop, type OpenLoopRun } from '../../../bench/open-loop.js';

describe('summariseLatencies', () => {
  test('nearest-rank percentiles, the mean and the max', () => {
    const samples = Array.from({ length: 200 }, (_, index) => index + 1);
    expect(summariseLatencies(samples)).toEqual({ p50: 100, p99: 198, mean: 100.5, max: 200 });
  });

  test('sorts numerically, not as text', () => {
    expect(summariseLatencies([10, 9, 100, 2]).max).toBe(100);
    expect(summariseLatencies([10, 9, 100, 2]).p50).toBe(9);
  });

  test('an unanswered request (∞) in the top 1 % makes the p99 infinite, not absent', () => {
    const samples = [...Array.from({ length: 98 }, () => 1), Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    expect(summariseLatencies(samples).p99).toBe(Number.POSITIVE_INFINITY);
  });

  test('no sample is zeros', () => {
    expect(summariseLatencies([])).toEqual({ p50: 0, p99: 0, mean: 0, max: 0 });
  });
});

describe('LoopbackAddresses', () => {
  test('hands out distinct 127.x addresses, never 127.0.0.1, never .0 or .255', () => {
    const pool = new LoopbackAddresses();
    const first = pool.take(300);
    const second = pool.take(300);
    const all = [...first, ...second];
    expect(new Set(all).size).toBe(600);
    expect(first[0]).toBe('127.0.1.1');
    expect(all).not.toContain('127.0.0.1');
    for (const address of all) {
      expect(address).toMatch(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      expect(address.endsWith('.0')).toBe(false);
      expect(address.endsWith('.255')).toBe(false);
    }
    expect(first.at(-1)).toBe('127.0.2.46');
  });
});

describe('pooledOpenLoop', () => {
  const run = (latencies: number[], statuses: (number | null)[]): OpenLoopRun => ({
    result: {
      offeredPerSecond: 100,
      durationSeconds: 10,
      connections: 64,
      expectedStatus: 200,
      scheduled: latencies.length,
      latencyMs: summariseLatencies(latencies),
      answers: statuses.filter((status) => status !== null).length,
      statusCounts: {},
      unexpected: 0,
      errors: 0,
      timeouts: 0,
      sendLagMs: { p99: 0, max: 0 },
    },
    latencies,
    sendLags: latencies.map(() => 0.5),
    statuses,
    timeouts: 0,
  });

  test('pools every sample, so the p99 is that of all requests, not a median of p99s', () => {
    const fast = run(Array.from({ length: 100 }, () => 1), Array.from({ length: 100 }, () => 200));
    const slow = run(Array.from({ length: 100 }, (_, index) => (index < 10 ? 50 : 1)), Array.from({ length: 100 }, () => 200));
    const pooled = pooledOpenLoop([fast, fast, slow]);
    expect(pooled).toMatchObject({ durationSeconds: 30, scheduled: 300, answers: 300, statusCounts: { 200: 300 }, unexpected: 0 });
    // 10 of 300 are slow: more than 1 %, so the pooled p99 is slow although two runs of three had a p99 of 1 ms.
    expect(pooled.latencyMs.p99).toBe(50);
  });

  test('counts other statuses and errors as unexpected', () => {
    const pooled = pooledOpenLoop([run([1, 2, 3], [200, 503, null]), run([1], [200])]);
    expect(pooled).toMatchObject({ answers: 3, errors: 1, statusCounts: { 200: 2, 503: 1 }, unexpected: 2 });
  });

  test('no run is an error', () => {
    expect(() => pooledOpenLoop([])).toThrow('at least one run');
  });
});

import { checkTargets, resultLines, type BenchMeasurements, type Scenario } from '../../../bench/report.js';
import type { LoadResult } from '../../../bench/load.js';
import { processTree, residentMemory } from '../../../bench/process-memory.js';

const MIB = 1024 * 1024;

function load(requestsPerSecond: number, p99: number, overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    connections: 64,
    expectedStatus: 200,
    durationSeconds: 10,
    requestsPerSecond,
    latencyMs: { p50: p99 / 2, p99, mean: p99 / 2, max: p99 },
    answers: Math.round(requestsPerSecond * 10),
    statusCounts: { 200: Math.round(requestsPerSecond * 10) },
    unexpected: 0,
    unanswered: 64,
    errors: 0,
    timeouts: 0,
    ...overrides,
  };
}

const scenario = (label: string, result: LoadResult, loopP99Ms: number | null = 5): Scenario => ({
  label,
  load: result,
  eventLoop: loopP99Ms === null ? null : { p99Ms: loopP99Ms, maxMs: loopP99Ms, worstSecondP99Ms: loopP99Ms, processes: 1 },
});

/** Numbers that meet every target: 2 cores, bcrypt at 50 ms, so the cold bound is 0.8 × 2 × 20 = 32 req/s. */
function passing(): BenchMeasurements {
  return {
    cores: 2,
    bcryptCost: 10,
    bcryptMs: 50,
    smallStoreTokens: 100,
    largeStoreTokens: 100_000,
    baseline: scenario('baseline', load(1000, 10), null),
    warm: scenario('(a) warm', load(900, 15)),
    warmSmallStore: scenario('(a) warm, 100', load(950, 14), null),
    cold: scenario('(b) cold', load(35, 400, { connections: 8 })),
    anonymous: scenario('(c) anonymous', load(1100, 9)),
    wrong: scenario('(d) wrong', load(35, 400, { connections: 8, expectedStatus: 401, statusCounts: { 401: 350 } })),
    mixedWarm: scenario('(d) mix warm', load(800, 30)),
    mixedWrong: scenario('(d) mix wrong', load(30, 900, { expectedStatus: 401, statusCounts: { 401: 300 } })),
    memory: { peakHwmSumBytes: 150 * MIB, peakSampledRssBytes: 140 * MIB, processes: 1 },
    pulls: { pulls: 10, viaRegauthMs: [100], viaHtpasswdMs: [100], medianViaRegauthMs: 105, medianViaHtpasswdMs: 100, ratio: 1.05 },
  };
}

const verdicts = (measurements: BenchMeasurements) =>
  Object.fromEntries(checkTargets(measurements).map((check) => [check.name, check.pass]));

describe('bench targets', () => {
  test('numbers within every goal pass every target', () => {
    expect(checkTargets(passing()).map((check) => check.pass)).toEqual([true, true, true, true, true, true, true, true]);
  });

  test('each target fails on its own when its number misses the goal', () => {
    const m = passing();
    expect(verdicts({ ...m, warm: scenario('(a) warm', load(790, 15)) })['(a) warm req/s vs baseline']).toBe(false);
    expect(verdicts({ ...m, warm: scenario('(a) warm', load(900, 20)) })['(a) warm p99 at 64 connections']).toBe(false);
    expect(verdicts({ ...m, cold: scenario('(b) cold', load(31, 400)) })['(b) cold req/s vs bcrypt bound']).toBe(false);
    expect(verdicts({ ...m, cold: scenario('(b) cold', load(35, 400), 20) })['(b) event-loop delay p99 during cold']).toBe(false);
    expect(verdicts({ ...m, mixedWarm: scenario('(d) mix warm', load(800, 50)) })['(d) warm p99 with wrong passwords 1:1']).toBe(false);
    expect(verdicts({ ...m, warm: scenario('(a) warm', load(790, 15)) })['time per warm token, 100000 vs 100 tokens']).toBe(false);
    expect(
      verdicts({ ...m, memory: { peakHwmSumBytes: 200 * MIB, peakSampledRssBytes: 150 * MIB, processes: 2 } })[
        'peak RSS of regauth (VmHWM, all processes)'
      ],
    ).toBe(false);
    expect(verdicts({ ...m, pulls: { ...(m.pulls as object), ratio: 1.2 } as BenchMeasurements['pulls'] })['skopeo pull via regauth vs htpasswd']).toBe(
      false,
    );
  });

  test('a scenario that got no answer fails its latency and time-per-token targets instead of reading as 0 ms', () => {
    const m = passing();
    const silent = load(0, 0, { answers: 0, statusCounts: {} });
    const checks = verdicts({ ...m, warm: scenario('(a) warm', silent), mixedWarm: scenario('(d) mix warm', silent) });
    expect(checks['(a) warm p99 at 64 connections']).toBe(false);
    expect(checks['(d) warm p99 with wrong passwords 1:1']).toBe(false);
    expect(checks['time per warm token, 100000 vs 100 tokens']).toBe(false);
    expect(verdicts({ ...m, warmSmallStore: scenario('(a) warm, 100', silent) })['time per warm token, 100000 vs 100 tokens']).toBe(false);
  });

  test('what was not measured is neither a pass nor a fail', () => {
    const checks = verdicts({ ...passing(), pulls: { notRun: 'skopeo not installed' }, cold: scenario('(b) cold', load(35, 400), null) });
    expect(checks['skopeo pull via regauth vs htpasswd']).toBeNull();
    expect(checks['(b) event-loop delay p99 during cold']).toBeNull();
  });

  test('the results table comes last, a row per scenario, with the ratios after it', () => {
    const lines = resultLines(passing());
    expect(lines[0]).toMatch(/^scenario +conns +req\/s +p50 ms +p99 ms +loop p99 ms +unexpected$/);
    expect(lines.slice(1, 9).map((line) => line.split('  ')[0])).toEqual([
      'baseline',
      '(a) warm',
      '(a) warm, 100',
      '(b) cold',
      '(c) anonymous',
      '(d) wrong',
      '(d) mix warm',
      '(d) mix wrong',
    ]);
    expect(lines).toContain('regauth/baseline req/s for (a): 0.90');
    expect(lines.at(-1)).toBe('skopeo pull: 105 ms via regauth, 100 ms via htpasswd (median of 10): ratio 1.05');
  });

  test('answers with another status are named in the table', () => {
    const overloaded = load(30, 900, { unexpected: 12, statusCounts: { 200: 300, 503: 10 }, errors: 2 });
    const lines = resultLines({ ...passing(), cold: scenario('(b) cold', overloaded) });
    expect(lines.find((line) => line.startsWith('(b) cold'))).toMatch(/12 \(503×10 errors×2\)$/);
  });
});

describe('bench process memory', () => {
  test('reads this process in its own tree, with a peak at least its current resident set', () => {
    expect(processTree(process.pid)[0]).toBe(process.pid);
    const memory = residentMemory(process.pid);
    expect(memory?.rss).toBeGreaterThan(0);
    expect(memory?.peak).toBeGreaterThanOrEqual(memory?.rss ?? Number.POSITIVE_INFINITY);
  });
});

import { checkTargets, resultLines, type BenchMeasurements, type Scenario } from '../../../bench/report.js';
import type { LoadResult } from '../../../bench/load.js';
import type { OpenLoopResult } from '../../../bench/open-loop.js';
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

function openLoad(p99: number, overrides: Partial<OpenLoopResult> = {}): OpenLoopResult {
  return {
    offeredPerSecond: 500,
    durationSeconds: 10,
    connections: 64,
    expectedStatus: 200,
    scheduled: 5000,
    latencyMs: { p50: p99 / 3, p99, mean: p99 / 3, max: p99 * 2 },
    answers: 5000,
    statusCounts: { 200: 5000 },
    unexpected: 0,
    errors: 0,
    timeouts: 0,
    sendLagMs: { p99: 0.5, max: 2 },
    ...overrides,
  };
}

const openScenario = (label: string, result: OpenLoopResult) => ({ label, load: result, eventLoop: null });

const memoryPeak = (treeMiB: number, mainMiB: number) => ({
  peakHwmSumBytes: (treeMiB + 10) * MIB,
  peakSampledRssBytes: treeMiB * MIB,
  mainPeakHwmBytes: mainMiB * MIB,
  processes: 2,
});

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
    mintedWarm: scenario('(e) minted', load(880, 16)),
    exchanges: scenario('(f) exchanges', load(300, 400)),
    cold: scenario('(b) cold', load(35, 400, { connections: 8 })),
    anonymous: scenario('(c) anonymous', load(1100, 9)),
    wrong: scenario('(d) wrong', load(35, 400, { connections: 8, expectedStatus: 401, statusCounts: { 401: 350 } })),
    openLoop: {
      ratePerSecond: 500,
      baseline: openScenario('open baseline', openLoad(3)),
      warm: openScenario('open warm', openLoad(5)),
      warmWithWrong: openScenario('open warm with wrong', openLoad(9)),
      wrongAlongside: scenario('(d) wrong alongside', load(30, 900, { connections: 32, expectedStatus: 401, statusCounts: { 401: 300 } })),
    },
    memory: {
      firstStart: memoryPeak(180, 150),
      idleAfterFirstStart: { treeRssBytes: 90 * MIB, mainRssBytes: 90 * MIB, processes: 1 },
      idleSeconds: 5,
      wholeBench: memoryPeak(240, 230),
    },
    pulls: { pulls: 10, viaRegauthMs: [100], viaHtpasswdMs: [100], medianViaRegauthMs: 105, medianViaHtpasswdMs: 100, ratio: 1.05 },
  };
}

const verdicts = (measurements: BenchMeasurements) =>
  Object.fromEntries(checkTargets(measurements).map((check) => [check.name, check.pass]));

describe('bench targets', () => {
  const TARGET_NAMES = [
    '(a) warm req/s vs baseline (closed loop)',
    'open loop: (a) warm p99 at 500 req/s',
    'open loop: (a) warm p99 vs baseline p99',
    'open loop: (a) warm p99 with wrong passwords alongside vs without',
    '(b) cold req/s vs bcrypt bound',
    '(b) event-loop delay p99 during cold',
    'time per warm token, 100000 vs 100 tokens',
    'peak RSS, first start on an empty store',
    'idle RSS 5 s after the first start',
    'peak RSS through the whole bench',
    'skopeo pull via regauth vs htpasswd',
    '(e) warm minted credential req/s vs baseline (closed loop)',
  ];

  test('numbers within every goal pass every target', () => {
    expect(verdicts(passing())).toEqual(Object.fromEntries(TARGET_NAMES.map((name) => [name, true])));
  });

  test('each target fails on its own when its number misses the goal', () => {
    const m = passing();
    const withOpen = (overrides: Partial<BenchMeasurements['openLoop']>) => ({ ...m, openLoop: { ...m.openLoop, ...overrides } });
    const failing: [string, BenchMeasurements][] = [
      [TARGET_NAMES[0] as string, { ...m, warm: scenario('(a) warm', load(840, 15)) }],
      // 11 ms is within 2 × the baseline's 6 ms, so only the 10 ms goal is missed.
      [TARGET_NAMES[1] as string, withOpen({ baseline: openScenario('b', openLoad(6)), warm: openScenario('w', openLoad(11)), warmWithWrong: openScenario('ww', openLoad(11)) })],
      [TARGET_NAMES[2] as string, withOpen({ baseline: openScenario('b', openLoad(2)), warm: openScenario('w', openLoad(4.1)), warmWithWrong: openScenario('ww', openLoad(8)) })],
      [TARGET_NAMES[3] as string, withOpen({ warmWithWrong: openScenario('ww', openLoad(10.1)) })],
      [TARGET_NAMES[4] as string, { ...m, cold: scenario('(b) cold', load(31, 400)) }],
      [TARGET_NAMES[5] as string, { ...m, cold: scenario('(b) cold', load(35, 400), 20) }],
      [TARGET_NAMES[6] as string, { ...m, warmSmallStore: scenario('(a) warm, 100', load(1100, 14), null) }],
      [TARGET_NAMES[7] as string, { ...m, memory: { ...m.memory, firstStart: memoryPeak(300, 251) } }],
      [TARGET_NAMES[8] as string, { ...m, memory: { ...m.memory, idleAfterFirstStart: { treeRssBytes: 270 * MIB, mainRssBytes: 260 * MIB, processes: 2 } } }],
      [TARGET_NAMES[9] as string, { ...m, memory: { ...m.memory, wholeBench: memoryPeak(200, 251) } }],
      [TARGET_NAMES[10] as string, { ...m, pulls: { ...(m.pulls as object), ratio: 1.2 } as BenchMeasurements['pulls'] }],
      [TARGET_NAMES[11] as string, { ...m, mintedWarm: scenario('(e) minted', load(849, 16)) }],
    ];
    for (const [name, measurements] of failing) {
      const result = verdicts(measurements);
      expect([name, result[name]]).toEqual([name, false]);
      expect(Object.keys(result).filter((other) => result[other] === false)).toEqual([name]);
    }
  });

  test('the goals sit at the limits of issue 12: 0.85 ×, 10 ms, 2 × and 250 MB pass exactly', () => {
    const m = passing();
    const atLimits: BenchMeasurements = {
      ...m,
      warm: scenario('(a) warm', load(850, 15)),
      mintedWarm: scenario('(e) minted', load(850, 16)),
      warmSmallStore: scenario('(a) warm, 100', load(900, 14), null),
      openLoop: { ...m.openLoop, baseline: openScenario('b', openLoad(5)), warm: openScenario('w', openLoad(10)), warmWithWrong: openScenario('ww', openLoad(20)) },
      memory: { ...m.memory, firstStart: memoryPeak(250, 250), wholeBench: memoryPeak(250, 250) },
    };
    expect(Object.values(verdicts(atLimits))).not.toContain(false);
  });

  test('an open-loop run with a request not served as expected fails its latency targets, however fast', () => {
    const m = passing();
    const overloaded = openLoad(1, { statusCounts: { 200: 4990, 503: 10 }, unexpected: 10 });
    const checks = checkTargets({ ...m, openLoop: { ...m.openLoop, warmWithWrong: openScenario('ww', overloaded) } });
    const withWrong = checks.find((check) => check.name === TARGET_NAMES[3]);
    expect(withWrong).toMatchObject({ pass: false });
    expect(withWrong?.measured).toContain('10 unexpected (503×10)');
    const silent = openLoad(0, { answers: 0, statusCounts: {}, errors: 5000, unexpected: 5000, latencyMs: { p50: Infinity, p99: Infinity, mean: Infinity, max: Infinity } });
    const silentChecks = verdicts({ ...m, openLoop: { ...m.openLoop, warm: openScenario('w', silent) } });
    expect([silentChecks[TARGET_NAMES[1] as string], silentChecks[TARGET_NAMES[2] as string], silentChecks[TARGET_NAMES[3] as string]]).toEqual([false, false, false]);
  });

  test('a scenario that got no answer fails its time-per-token target instead of reading as 0 ms', () => {
    const m = passing();
    const silent = load(0, 0, { answers: 0, statusCounts: {} });
    expect(verdicts({ ...m, warm: scenario('(a) warm', silent) })['time per warm token, 100000 vs 100 tokens']).toBe(false);
    expect(verdicts({ ...m, warmSmallStore: scenario('(a) warm, 100', silent) })['time per warm token, 100000 vs 100 tokens']).toBe(false);
  });

  test('a minted-credential run with refused answers fails its target, whatever its rate', () => {
    const refused = load(900, 16, { statusCounts: { 200: 9000, 401: 5 }, unexpected: 5 });
    const check = checkTargets({ ...passing(), mintedWarm: scenario('(e) minted', refused) }).find((one) => one.name === TARGET_NAMES[11]);
    expect(check).toMatchObject({ pass: false, measured: '900 / 1000 = 0.90 (5 (401×5) unexpected)' });
  });

  test('what was not measured is neither a pass nor a fail', () => {
    const checks = verdicts({ ...passing(), pulls: { notRun: 'skopeo not installed' }, cold: scenario('(b) cold', load(35, 400), null) });
    expect(checks['skopeo pull via regauth vs htpasswd']).toBeNull();
    expect(checks['(b) event-loop delay p99 during cold']).toBeNull();
  });

  test('memory rows show the server process and, beside it, the tree with its children', () => {
    const row = checkTargets(passing()).find((check) => check.name === 'peak RSS through the whole bench');
    expect(row?.measured).toBe('server 230.0 MB (VmHWM); with its children 240.0 MB (sampled)');
  });

  test('the short-lived initdb child above the bound is reported, and the server process is what is judged', () => {
    const m = passing();
    const row = checkTargets({ ...m, memory: { ...m.memory, firstStart: memoryPeak(575, 200) } }).find((check) => check.name === 'peak RSS, first start on an empty store');
    expect(row).toMatchObject({ pass: true, measured: 'server 200.0 MB (VmHWM); with its children 575.0 MB (sampled)' });
  });

  test('the results tables come last: closed loop, then open loop, then the ratios', () => {
    const lines = resultLines(passing());
    expect(lines[0]).toMatch(/^closed loop +conns +req\/s +p50 ms +p99 ms +loop p99 ms +unexpected$/);
    expect(lines.slice(1, 10).map((line) => line.split('  ')[0])).toEqual([
      'baseline',
      '(a) warm',
      '(a) warm, 100',
      '(e) minted',
      '(b) cold',
      '(c) anonymous',
      '(d) wrong',
      '(d) wrong alongside',
      '(f) exchanges',
    ]);
    expect(lines[10]).toBe('');
    expect(lines[11]).toMatch(/^open loop, 500 req\/s offered +p50 ms +p99 ms +max ms +loop p99 ms +send lag p99 ms +unexpected$/);
    expect(lines.slice(12, 15).map((line) => line.split('  ')[0])).toEqual(['open baseline', 'open warm', 'open warm with wrong']);
    expect(lines).toContain('regauth/baseline req/s for (a): 0.90; for (e) minted credential: 0.88 (0.98 × (a))');
    expect(lines).toContain('keyless exchanges: 300/s at 64 connections (no target)');
    expect(lines).toContain('open-loop p99: regauth/baseline 1.67, with/without wrong passwords 1.80');
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

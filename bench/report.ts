import type { EventLoopWindow } from './event-loop-reader.js';
import type { LoadResult } from './load.js';
import { mebibytes, type MemoryPeak } from './process-memory.js';
import type { PullComparison } from './registry-pulls.js';

/** The targets of issue 4, in one place so the printed check and the JSON agree. */
export const TARGETS = {
  warmVsBaseline: 0.8,
  warmP99Ms: 20,
  coldVsBcryptBound: 0.8,
  eventLoopP99Ms: 20,
  mixedWarmP99Ms: 50,
  largeStoreSlowdown: 1.2,
  peakRssMiB: 200,
  pullSlowdown: 1.15,
} as const;

export interface Scenario {
  readonly label: string;
  readonly load: LoadResult;
  /** Event-loop delay in regauth during the scenario (none for the baseline). */
  readonly eventLoop: EventLoopWindow | null;
}

export interface BenchMeasurements {
  readonly cores: number;
  readonly bcryptCost: number;
  readonly bcryptMs: number;
  readonly smallStoreTokens: number;
  readonly largeStoreTokens: number;
  readonly baseline: Scenario;
  readonly warm: Scenario;
  readonly warmSmallStore: Scenario;
  readonly cold: Scenario;
  readonly anonymous: Scenario;
  readonly wrong: Scenario;
  readonly mixedWarm: Scenario;
  readonly mixedWrong: Scenario;
  readonly memory: MemoryPeak;
  readonly pulls: PullComparison | { readonly notRun: string };
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  /** null: not measured (a tool was missing, or a scenario had no answer to measure). */
  readonly pass: boolean | null;
}

const msPerToken = (load: LoadResult): number => (load.requestsPerSecond > 0 ? 1000 / load.requestsPerSecond : Number.POSITIVE_INFINITY);

/** A p99 check: a scenario that got no answer at all failed it (the server did not answer in time). */
function latencyCheck(load: LoadResult, limitMs: number): { measured: string; pass: boolean } {
  if (load.answers === 0) return { measured: 'no answer during the run', pass: false };
  return { measured: `${fixed(load.latencyMs.p99)} ms`, pass: load.latencyMs.p99 < limitMs };
}

function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '∞';
}

function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function derivedFigures(m: BenchMeasurements) {
  return {
    warmToBaselineRatio: m.baseline.load.requestsPerSecond > 0 ? m.warm.load.requestsPerSecond / m.baseline.load.requestsPerSecond : 0,
    coldBcryptBoundPerSecond: m.cores * (1000 / m.bcryptMs),
    msPerWarmTokenSmallStore: msPerToken(m.warmSmallStore.load),
    msPerWarmTokenLargeStore: msPerToken(m.warm.load),
    largeToSmallStoreRatio: msPerToken(m.warm.load) / msPerToken(m.warmSmallStore.load),
    peakRssMiB: mebibytes(m.memory.peakHwmSumBytes),
  };
}

export function checkTargets(m: BenchMeasurements): TargetCheck[] {
  const d = derivedFigures(m);
  const coldTarget = TARGETS.coldVsBcryptBound * d.coldBcryptBoundPerSecond;
  const coldLoop = m.cold.eventLoop;
  const checks: TargetCheck[] = [
    {
      name: '(a) warm req/s vs baseline',
      target: `≥ ${TARGETS.warmVsBaseline} × baseline`,
      measured: `${rate(m.warm.load.requestsPerSecond)} / ${rate(m.baseline.load.requestsPerSecond)} = ${fixed(d.warmToBaselineRatio, 2)}`,
      pass: d.warmToBaselineRatio >= TARGETS.warmVsBaseline,
    },
    {
      name: `(a) warm p99 at ${m.warm.load.connections} connections`,
      target: `< ${TARGETS.warmP99Ms} ms`,
      ...latencyCheck(m.warm.load, TARGETS.warmP99Ms),
    },
    {
      name: '(b) cold req/s vs bcrypt bound',
      target: `≥ ${TARGETS.coldVsBcryptBound} × ${m.cores} cores × 1000/${fixed(m.bcryptMs)} ms = ${rate(coldTarget)}`,
      measured: `${rate(m.cold.load.requestsPerSecond)}`,
      pass: m.cold.load.requestsPerSecond >= coldTarget,
    },
    {
      name: '(b) event-loop delay p99 during cold',
      target: `< ${TARGETS.eventLoopP99Ms} ms`,
      measured:
        coldLoop === null
          ? 'not measured'
          : `${fixed(coldLoop.p99Ms)} ms (worst second ${coldLoop.worstSecondP99Ms === null ? 'n/a' : fixed(coldLoop.worstSecondP99Ms)} ms)`,
      pass: coldLoop === null ? null : coldLoop.p99Ms < TARGETS.eventLoopP99Ms,
    },
    (() => {
      const check = latencyCheck(m.mixedWarm.load, TARGETS.mixedWarmP99Ms);
      return {
        name: '(d) warm p99 with wrong passwords 1:1',
        target: `< ${TARGETS.mixedWarmP99Ms} ms`,
        measured: `${check.measured} (wrong alongside: ${rate(m.mixedWrong.load.requestsPerSecond)} req/s)`,
        pass: check.pass,
      };
    })(),
    {
      name: `time per warm token, ${m.largeStoreTokens} vs ${m.smallStoreTokens} tokens`,
      target: `≤ ${TARGETS.largeStoreSlowdown} ×`,
      ...(m.warm.load.answers === 0 || m.warmSmallStore.load.answers === 0
        ? { measured: 'no answer during a run', pass: false }
        : {
            measured: `${fixed(d.msPerWarmTokenLargeStore, 3)} / ${fixed(d.msPerWarmTokenSmallStore, 3)} ms = ${fixed(d.largeToSmallStoreRatio, 2)}`,
            pass: d.largeToSmallStoreRatio <= TARGETS.largeStoreSlowdown,
          }),
    },
    {
      name: 'peak RSS of regauth (VmHWM, all processes)',
      target: `< ${TARGETS.peakRssMiB} MB`,
      measured: `${fixed(d.peakRssMiB)} MB`,
      pass: d.peakRssMiB < TARGETS.peakRssMiB,
    },
  ];
  if ('notRun' in m.pulls) {
    checks.push({ name: 'skopeo pull via regauth vs htpasswd', target: `≤ ${TARGETS.pullSlowdown} ×`, measured: `not run: ${m.pulls.notRun}`, pass: null });
  } else {
    checks.push({
      name: 'skopeo pull via regauth vs htpasswd',
      target: `≤ ${TARGETS.pullSlowdown} ×`,
      measured: `${fixed(m.pulls.medianViaRegauthMs, 0)} / ${fixed(m.pulls.medianViaHtpasswdMs, 0)} ms = ${fixed(m.pulls.ratio, 2)}`,
      pass: m.pulls.ratio <= TARGETS.pullSlowdown,
    });
  }
  return checks;
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function targetLines(checks: readonly TargetCheck[]): string[] {
  const verdict = (pass: boolean | null) => (pass === null ? 'NOT RUN' : pass ? 'PASS' : 'FAIL');
  return table(
    [['', 'target', 'goal', 'measured'], ...checks.map((check) => [verdict(check.pass), check.name, check.target, check.measured])],
    new Set(),
  );
}

/** The results table: the bench's last lines. */
export function resultLines(m: BenchMeasurements): string[] {
  const d = derivedFigures(m);
  const scenarios = [m.baseline, m.warm, m.warmSmallStore, m.cold, m.anonymous, m.wrong, m.mixedWarm, m.mixedWrong];
  const rows = [
    ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'loop p99 ms', 'unexpected'],
    ...scenarios.map(({ label, load, eventLoop }) => [
      label,
      String(load.connections),
      rate(load.requestsPerSecond),
      load.answers === 0 ? '-' : fixed(load.latencyMs.p50),
      load.answers === 0 ? '-' : fixed(load.latencyMs.p99),
      eventLoop === null ? '-' : fixed(eventLoop.p99Ms),
      load.unexpected === 0 ? '0' : `${load.unexpected} ${describeUnexpected(load)}`,
    ]),
  ];
  const pulls =
    'notRun' in m.pulls
      ? `not run (${m.pulls.notRun})`
      : `${fixed(m.pulls.medianViaRegauthMs, 0)} ms via regauth, ${fixed(m.pulls.medianViaHtpasswdMs, 0)} ms via htpasswd ` +
        `(median of ${m.pulls.pulls}): ratio ${fixed(m.pulls.ratio, 2)}`;
  return [
    ...table(rows, new Set([1, 2, 3, 4, 5])),
    `regauth/baseline req/s for (a): ${fixed(d.warmToBaselineRatio, 2)}`,
    `event-loop delay p99 during (b): ${m.cold.eventLoop === null ? 'not measured' : `${fixed(m.cold.eventLoop.p99Ms)} ms`}`,
    `peak RSS of regauth: ${fixed(d.peakRssMiB)} MB (VmHWM summed over ${m.memory.processes} process(es); ` +
      `largest sampled VmRSS ${fixed(mebibytes(m.memory.peakSampledRssBytes))} MB)`,
    `time per warm token: ${fixed(d.msPerWarmTokenLargeStore, 3)} ms with ${m.largeStoreTokens} tokens, ` +
      `${fixed(d.msPerWarmTokenSmallStore, 3)} ms with ${m.smallStoreTokens}: ratio ${fixed(d.largeToSmallStoreRatio, 2)}`,
    `skopeo pull: ${pulls}`,
  ];
}

function describeUnexpected(load: LoadResult): string {
  const parts = Object.entries(load.statusCounts)
    .filter(([status]) => status !== String(load.expectedStatus))
    .map(([status, count]) => `${status}×${count}`);
  if (load.errors > 0) parts.push(`errors×${load.errors}`);
  return `(${parts.join(' ')})`;
}

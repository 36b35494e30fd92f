/**
 * Preloaded into the regauth process under bench (`node --import …/event-loop-probe.js dist/main.js`), so the
 * product carries no bench hook. It measures event-loop delay and, on SIGUSR2, writes what it saw since the
 * previous SIGUSR2 to `$BENCH_PROBE_DIR/<pid>.json` and starts a new window. Cluster workers load it too
 * (they inherit execArgv) and answer for themselves; worker threads have no signals and are left alone.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, type Histogram } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const NANOSECONDS_PER_MS = 1e6;
const SECOND_MS = 1000;
/** The longest window the per-second list covers; a bench scenario is far shorter. */
const MAX_SECONDS_KEPT = 3600;

export interface EventLoopDelaySummary {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly samples: number;
}

export interface ProbeReport {
  readonly pid: number;
  /** 0 when the probe started; then one more per SIGUSR2. */
  readonly seq: number;
  readonly writtenAt: string;
  /** The whole window since the previous report. */
  readonly window: EventLoopDelaySummary | null;
  /** p99 of each whole second of the window, oldest first. */
  readonly secondP99sMs: readonly number[];
}

function summarize(histogram: Histogram): EventLoopDelaySummary | null {
  if (histogram.count === 0) return null;
  return {
    p50Ms: histogram.percentile(50) / NANOSECONDS_PER_MS,
    p99Ms: histogram.percentile(99) / NANOSECONDS_PER_MS,
    maxMs: histogram.max / NANOSECONDS_PER_MS,
    meanMs: histogram.mean / NANOSECONDS_PER_MS,
    samples: histogram.count,
  };
}

function startProbe(dir: string): void {
  const window = monitorEventLoopDelay({ resolution: 1 });
  const second = monitorEventLoopDelay({ resolution: 1 });
  window.enable();
  second.enable();
  let secondP99s: number[] = [];
  let seq = 0;

  const everySecond = setInterval(() => {
    if (second.count > 0) secondP99s.push(second.percentile(99) / NANOSECONDS_PER_MS);
    if (secondP99s.length > MAX_SECONDS_KEPT) secondP99s = secondP99s.slice(-MAX_SECONDS_KEPT);
    second.reset();
  }, SECOND_MS);
  everySecond.unref();

  const report = (): void => {
    const content: ProbeReport = {
      pid: process.pid,
      seq,
      writtenAt: new Date().toISOString(),
      window: summarize(window),
      secondP99sMs: secondP99s,
    };
    const path = join(dir, `${process.pid}.json`);
    // Written whole and renamed, so the bench never reads half a file.
    writeFileSync(`${path}.tmp`, JSON.stringify(content));
    renameSync(`${path}.tmp`, path);
    window.reset();
    secondP99s = [];
    seq += 1;
  };

  process.on('SIGUSR2', report);
  report();
}

const probeDir = process.env.BENCH_PROBE_DIR;
if (isMainThread && probeDir !== undefined && probeDir !== '') startProbe(probeDir);

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeReport } from './event-loop-probe.js';
import { processTree } from './process-memory.js';

const ANSWER_TIMEOUT_MS = 15_000;
const POLL_MS = 20;

export interface EventLoopWindow {
  /** The worst process's p99 over the window (a cluster's workers each have their own loop). */
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The worst p99 of any whole second in the window. */
  readonly worstSecondP99Ms: number | null;
  readonly processes: number;
}

function readReport(path: string): ProbeReport | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProbeReport;
  } catch {
    return null;
  }
}

/**
 * Reads the event-loop probes preloaded into a process tree: ends their current window (SIGUSR2) and
 * returns what it held; the next window starts at once. Call it at the start of a scenario to discard
 * what came before, and at its end to read the scenario. Only processes whose probe has already written a
 * report are signalled, so no other process can be killed by an unhandled SIGUSR2.
 */
export async function endEventLoopWindow(probeDir: string, rootPid: number): Promise<EventLoopWindow | null> {
  const probed = processTree(rootPid)
    .map((pid) => ({ pid, path: join(probeDir, `${pid}.json`) }))
    .filter(({ path }) => existsSync(path))
    .map((entry) => ({ ...entry, before: readReport(entry.path)?.seq ?? -1 }));
  for (const { pid } of probed) process.kill(pid, 'SIGUSR2');

  const reports: ProbeReport[] = [];
  for (const { path, before } of probed) {
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const report = readReport(path);
      if (report !== null && report.seq > before) {
        reports.push(report);
        break;
      }
      if (Date.now() > deadline) throw new Error(`the event-loop probe did not answer within ${ANSWER_TIMEOUT_MS} ms (${path})`);
      await sleep(POLL_MS);
    }
  }
  const windows = reports.flatMap((report) => (report.window === null ? [] : [report.window]));
  if (windows.length === 0) return null;
  const seconds = reports.flatMap((report) => report.secondP99sMs);
  return {
    p99Ms: Math.max(...windows.map((window) => window.p99Ms)),
    maxMs: Math.max(...windows.map((window) => window.maxMs)),
    worstSecondP99Ms: seconds.length === 0 ? null : Math.max(...seconds),
    processes: reports.length,
  };
}

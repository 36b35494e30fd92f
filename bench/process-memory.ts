import { readdirSync, readFileSync } from 'node:fs';

const KIB = 1024;
const MIB = 1024 * 1024;

/** The pid and every descendant (cluster workers), read from /proc. */
export function processTree(rootPid: number): number[] {
  const tree: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...childrenOf(pid));
  }
  return tree;
}

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  // Each thread lists the children it forked itself.
  const children = new Set<number>();
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        if (child.trim() !== '') children.add(Number(child));
      }
    } catch {
      // the thread ended meanwhile
    }
  }
  return [...children];
}

/** VmRSS and VmHWM (peak resident set) in bytes, or null when the process is gone. */
export function residentMemory(pid: number): { rss: number; peak: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? 0 : Number(match[1]) * KIB;
  };
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

export interface MemoryPeak {
  /** Sum over the process tree of each process's own peak (VmHWM): an upper bound of the tree's peak. */
  readonly peakHwmSumBytes: number;
  /** The largest sum of VmRSS over the tree seen at one sampling instant. */
  readonly peakSampledRssBytes: number;
  /** The main process's own peak (VmHWM): exact, where the tree's sampled sum can miss a short peak. */
  readonly mainPeakHwmBytes: number;
  readonly processes: number;
}

/** Resident memory at one instant. */
export interface MemorySnapshot {
  /** VmRSS summed over the process tree. */
  readonly treeRssBytes: number;
  readonly mainRssBytes: number;
  readonly processes: number;
}

/** The worst of several runs, each figure on its own. */
export function worstPeak(peaks: readonly MemoryPeak[]): MemoryPeak {
  return {
    peakHwmSumBytes: Math.max(0, ...peaks.map((peak) => peak.peakHwmSumBytes)),
    peakSampledRssBytes: Math.max(0, ...peaks.map((peak) => peak.peakSampledRssBytes)),
    mainPeakHwmBytes: Math.max(0, ...peaks.map((peak) => peak.mainPeakHwmBytes)),
    processes: Math.max(0, ...peaks.map((peak) => peak.processes)),
  };
}

/**
 * Samples the memory of a process tree until stopped. VmHWM is only readable while a process lives, so
 * it is read at every sample and the last value of each pid is kept.
 */
export class MemorySampler {
  private readonly hwmByPid = new Map<number, number>();
  private peakSampledRss = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly rootPid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): MemorySnapshot {
    let rss = 0;
    let mainRss = 0;
    let processes = 0;
    for (const pid of processTree(this.rootPid)) {
      const memory = residentMemory(pid);
      if (memory === null) continue;
      processes += 1;
      rss += memory.rss;
      if (pid === this.rootPid) mainRss = memory.rss;
      this.hwmByPid.set(pid, Math.max(memory.peak, this.hwmByPid.get(pid) ?? 0));
    }
    this.peakSampledRss = Math.max(this.peakSampledRss, rss);
    return { treeRssBytes: rss, mainRssBytes: mainRss, processes };
  }

  /** Takes a last sample and stops; call before the process exits. */
  stop(): MemoryPeak {
    this.sample();
    clearInterval(this.timer);
    return this.peak();
  }

  peak(): MemoryPeak {
    let hwmSum = 0;
    for (const hwm of this.hwmByPid.values()) hwmSum += hwm;
    return {
      peakHwmSumBytes: hwmSum,
      peakSampledRssBytes: this.peakSampledRss,
      mainPeakHwmBytes: this.hwmByPid.get(this.rootPid) ?? 0,
      processes: this.hwmByPid.size,
    };
  }
}

export function mebibytes(bytes: number): number {
  return bytes / MIB;
}

/** CPU time (user + system) of a process in clock ticks, or null when it is gone. */
function cpuTicks(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses; the fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function treeCpuTicks(rootPid: number): number {
  return processTree(rootPid).reduce((sum, pid) => sum + (cpuTicks(pid) ?? 0), 0);
}

/**
 * Waits until a process tree has (nearly) stopped using CPU: a load generator that stops drops its
 * connections, but the server still works through the requests it had accepted, and that backlog must
 * not be billed to the next scenario. Resolves false when it is still busy after `timeoutMs`.
 */
export async function waitUntilIdle(rootPid: number, timeoutMs = 120_000): Promise<boolean> {
  const windowMs = 500;
  // At the usual 100 ticks per second, 5 ticks in half a second is 10 % of one core.
  const idleTicks = 5;
  const deadline = Date.now() + timeoutMs;
  let before = treeCpuTicks(rootPid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = treeCpuTicks(rootPid);
    if (now - before <= idleTicks) return true;
    before = now;
  }
  return false;
}

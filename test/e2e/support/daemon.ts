import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInThisContext } from 'node:vm';

export interface DaemonOptions {
  /** Used in error messages only. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Polled until it resolves true; a rejection counts as "not ready yet". */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  logs(): string;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited(): Promise<DaemonExit>;
  stop(): Promise<void>;
}

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const POLL_INTERVAL_MS = 100;
const LOG_TAIL_CHARS = 4000;

// Inside a jest test `process` is a copy whose 'exit' event never fires; the real one lives in the
// main V8 context. Keeping the PID set on it also shares one listener across all test files of a worker.
const hostProcess = runInThisContext('process') as NodeJS.Process;
const registryKey = Symbol.for('regauth.e2e.running-daemon-pids');

function runningPids(): Set<number> {
  const holder = hostProcess as unknown as Record<symbol, Set<number> | undefined>;
  let pids = holder[registryKey];
  if (pids === undefined) {
    const created = new Set<number>();
    hostProcess.on('exit', () => {
      for (const pid of created) {
        try {
          hostProcess.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    holder[registryKey] = created;
    pids = created;
  }
  return pids;
}

function logTail(logFile: string): string {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return '(no log)';
  }
  return text.length > LOG_TAIL_CHARS ? `…${text.slice(-LOG_TAIL_CHARS)}` : text;
}

function exitOf(child: ChildProcess): Promise<DaemonExit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { name, command, args, logFile } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const stopGraceMs = options.stopGraceMs ?? 5_000;

  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = exitOf(child);
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${name}: could not start ${command}: ${(await spawnError).message}`);
  }
  // A forgotten daemon must not keep jest alive; the exit hook kills it instead.
  child.unref();
  const pids = runningPids();
  pids.add(pid);
  void exited.then(() => pids.delete(pid));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const graceOver = new AbortController();
    const killer = sleep(stopGraceMs, undefined, { signal: graceOver.signal }).then(
      () => child.kill('SIGKILL'),
      () => undefined,
    );
    await exited;
    graceOver.abort();
    await killer;
  };

  const failWith = async (reason: string): Promise<never> => {
    await stop();
    throw new Error(`${name} ${reason}\n--- ${logFile} (tail) ---\n${logTail(logFile)}`);
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return failWith(`exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    const isReady = await options.ready().catch(() => false);
    if (isReady) break;
    if (Date.now() > deadline) return failWith(`was not ready after ${readyTimeoutMs} ms`);
    await sleep(POLL_INTERVAL_MS);
  }

  return {
    name,
    pid,
    logs: () => readFileSync(logFile, 'utf8'),
    exited: () => exited,
    stop,
  };
}

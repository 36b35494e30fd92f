import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sendRequest } from './http-request.js';
import { summariseLatencies, type LatencySummary } from './latency-summary.js';
import type { RequestShape } from './load.js';

export interface OpenLoopOptions {
  readonly baseUrl: string;
  /** Requests per second, sent on a fixed schedule whatever the answers. */
  readonly ratePerSecond: number;
  /** Requests scheduled in this first part are sent but not counted (connections, JIT, caches). */
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Keep-alive connections at most; a request finding all busy waits in the agent, its wait counted. */
  readonly connections: number;
  readonly nextRequest: () => RequestShape;
  readonly expectedStatus: number;
}

export interface OpenLoopResult {
  readonly offeredPerSecond: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly expectedStatus: number;
  /** Requests scheduled in the measured part. */
  readonly scheduled: number;
  /**
   * From each request's scheduled send time to the end of its answer, so a server that stalls is billed for
   * every request that should have gone out meanwhile (no coordinated omission). No answer counts as ∞.
   */
  readonly latencyMs: LatencySummary;
  readonly answers: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Answers with another status, plus connection errors and timeouts. */
  readonly unexpected: number;
  readonly errors: number;
  readonly timeouts: number;
  /** How late the generator itself sent, p99 and max (ms): its own share of the latency. */
  readonly sendLagMs: { readonly p99: number; readonly max: number };
}

/** One open-loop run, with its samples so that runs can be pooled exactly. */
export interface OpenLoopRun {
  readonly result: OpenLoopResult;
  readonly latencies: readonly number[];
  readonly sendLags: readonly number[];
  readonly statuses: readonly (number | null)[];
  readonly timeouts: number;
}

/** Sends requests at a fixed rate on many keep-alive connections, measuring from the schedule. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const baseUrl = new URL(options.baseUrl);
  const intervalMs = 1000 / options.ratePerSecond;
  const warmupRequests = Math.floor(options.warmupSeconds * options.ratePerSecond);
  const total = warmupRequests + Math.floor(options.durationSeconds * options.ratePerSecond);
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const statuses: (number | null)[] = [];
  let timeouts = 0;
  const pending: Promise<void>[] = [];
  const fire = (index: number, scheduledAt: number) => {
    const lag = performance.now() - scheduledAt;
    const outcome = sendRequest(agent, baseUrl, options.nextRequest());
    if (index < warmupRequests) {
      pending.push(outcome.then(() => undefined));
      return;
    }
    sendLags.push(lag);
    pending.push(
      outcome.then((answer) => {
        statuses.push(answer.status);
        if (answer.status === null) {
          latencies.push(Number.POSITIVE_INFINITY);
          if (answer.timedOut) timeouts += 1;
        } else latencies.push(performance.now() - scheduledAt);
      }),
    );
  };
  const start = performance.now() + 5;
  await new Promise<void>((resolve) => {
    let index = 0;
    const tick = () => {
      const now = performance.now();
      while (index < total && start + index * intervalMs <= now) {
        fire(index, start + index * intervalMs);
        index += 1;
      }
      if (index >= total) resolve();
      // Node's timers fire 1 ms apart at best: each tick sends everything that fell due meanwhile.
      else setTimeout(tick, Math.max(0, start + index * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  return {
    result: summariseOpenLoop(options, options.durationSeconds, latencies, sendLags, statuses, timeouts),
    latencies,
    sendLags,
    statuses,
    timeouts,
  };
}

/** Several runs at one rate as one: every sample of each, so the percentiles are exact. */
export function pooledOpenLoop(runs: readonly OpenLoopRun[]): OpenLoopResult {
  const [first] = runs;
  if (first === undefined) throw new Error('pooledOpenLoop needs at least one run');
  if (runs.length === 1) return first.result;
  return summariseOpenLoop(
    first.result,
    runs.reduce((total, run) => total + run.result.durationSeconds, 0),
    runs.flatMap((run) => run.latencies),
    runs.flatMap((run) => run.sendLags),
    runs.flatMap((run) => run.statuses),
    runs.reduce((total, run) => total + run.timeouts, 0),
  );
}

function summariseOpenLoop(
  shape: { readonly connections: number; readonly expectedStatus: number } & ({ readonly ratePerSecond: number } | { readonly offeredPerSecond: number }),
  durationSeconds: number,
  latencies: readonly number[],
  sendLags: readonly number[],
  statuses: readonly (number | null)[],
  timeouts: number,
): OpenLoopResult {
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  for (const status of statuses) {
    if (status === null) errors += 1;
    else statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
  }
  const answers = statuses.length - errors;
  const lag = summariseLatencies(sendLags);
  return {
    offeredPerSecond: 'ratePerSecond' in shape ? shape.ratePerSecond : shape.offeredPerSecond,
    durationSeconds,
    connections: shape.connections,
    expectedStatus: shape.expectedStatus,
    scheduled: latencies.length,
    latencyMs: summariseLatencies(latencies),
    answers,
    statusCounts,
    unexpected: answers - (statusCounts[String(shape.expectedStatus)] ?? 0) + errors,
    errors,
    timeouts,
    sendLagMs: { p99: lag.p99, max: lag.max },
  };
}

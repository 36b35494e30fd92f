import autocannon from 'autocannon';
import { median } from './median.js';

export interface RequestShape {
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** GET without it. */
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
}

export interface LoadOptions {
  /** e.g. http://127.0.0.1:5001 */
  readonly baseUrl: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Called for every request, so each may carry other credentials. */
  readonly nextRequest: () => RequestShape;
  /** The status every answer should have; others are counted as unexpected (a 503 under overload, say). */
  readonly expectedStatus: number;
}

export interface LoadResult {
  readonly connections: number;
  readonly expectedStatus: number;
  readonly durationSeconds: number;
  /** Answers with the expected status, per second of the run. */
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
  readonly answers: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Answers with another status, plus connection errors (timeouts included). */
  readonly unexpected: number;
  /**
   * Requests sent that had no answer when the run ended: at least one per connection, since autocannon
   * stops with a request in flight on each; more means requests were queued in the server.
   */
  readonly unanswered: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
}

/** Loads the server with autocannon (keep-alive connections, one request in flight per connection). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const shape = options.nextRequest();
          return {
            ...request,
            method: shape.method ?? 'GET',
            path: shape.path,
            headers: { ...request.headers, ...shape.headers },
            ...(shape.body === undefined ? {} : { body: shape.body }),
          };
        },
      },
    ],
  });
  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statusCounts[status] = stats.count ?? 0;
  const expected = statusCounts[String(options.expectedStatus)] ?? 0;
  const answered = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  // autocannon 9 reports the requests it sent here; its type definitions (for 7) do not know the field.
  const sent = (result.requests as { sent?: number }).sent ?? answered;
  return {
    connections: options.connections,
    expectedStatus: options.expectedStatus,
    durationSeconds: result.duration,
    requestsPerSecond: result.duration > 0 ? expected / result.duration : 0,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, max: result.latency.max },
    answers: answered,
    statusCounts,
    unexpected: answered - expected + result.errors,
    unanswered: Math.max(0, sent - answered - result.errors),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * Several runs of one scenario as one: counts are summed and the rate is over their total time; p50 and p99
 * are the medians of the runs' own (percentiles of separate runs cannot be merged exactly), the mean is
 * weighted by answers and the max is the largest.
 */
export function pooledLoad(runs: readonly LoadResult[]): LoadResult {
  const [first] = runs;
  if (first === undefined) throw new Error('pooledLoad needs at least one run');
  if (runs.length === 1) return first;
  const sum = (of: (run: LoadResult) => number) => runs.reduce((total, run) => total + of(run), 0);
  const durationSeconds = sum((run) => run.durationSeconds);
  const answers = sum((run) => run.answers);
  const statusCounts: Record<string, number> = {};
  for (const run of runs) for (const [status, count] of Object.entries(run.statusCounts)) statusCounts[status] = (statusCounts[status] ?? 0) + count;
  return {
    connections: first.connections,
    expectedStatus: first.expectedStatus,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? sum((run) => run.requestsPerSecond * run.durationSeconds) / durationSeconds : 0,
    latencyMs: {
      p50: median(runs.map((run) => run.latencyMs.p50)),
      p99: median(runs.map((run) => run.latencyMs.p99)),
      mean: answers > 0 ? sum((run) => run.latencyMs.mean * run.answers) / answers : 0,
      max: Math.max(...runs.map((run) => run.latencyMs.max)),
    },
    answers,
    statusCounts,
    unexpected: sum((run) => run.unexpected),
    unanswered: sum((run) => run.unanswered),
    errors: sum((run) => run.errors),
    timeouts: sum((run) => run.timeouts),
  };
}

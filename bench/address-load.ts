import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendRequest } from './http-request.js';
import { summariseLatencies } from './latency-summary.js';
import type { LoadResult, RequestShape } from './load.js';

export interface AddressLoadOptions {
  readonly baseUrl: string;
  /** One keep-alive connection from each of these local addresses, one request in flight on each. */
  readonly localAddresses: readonly string[];
  readonly durationSeconds: number;
  readonly nextRequest: () => RequestShape;
  readonly expectedStatus: number;
}

/**
 * A closed loop like autocannon's, but each connection binds its own client address (autocannon has no
 * option for the local address). Requests still in flight when the time is up are abandoned and counted
 * as unanswered.
 */
export async function runAddressLoad(options: AddressLoadOptions): Promise<LoadResult> {
  const baseUrl = new URL(options.baseUrl);
  const startedAt = performance.now();
  const deadline = startedAt + options.durationSeconds * 1000;
  const agents = options.localAddresses.map((localAddress) => new Agent({ keepAlive: true, maxSockets: 1, localAddress }));
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let unanswered = 0;
  let stop: () => void = () => undefined;
  const timeUp = new Promise<'time up'>((resolve) => {
    const timer = setTimeout(() => resolve('time up'), options.durationSeconds * 1000);
    stop = () => {
      clearTimeout(timer);
      resolve('time up');
    };
  });
  const connection = async (agent: Agent) => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      const outcome = await Promise.race([sendRequest(agent, baseUrl, options.nextRequest()), timeUp]);
      if (outcome === 'time up') {
        unanswered += 1;
        return;
      }
      if (outcome.status === null) {
        errors += 1;
        if (outcome.timedOut) timeouts += 1;
        await sleep(10); // a refused connection fails at once: do not spin
        continue;
      }
      latencies.push(performance.now() - sentAt);
      statusCounts[String(outcome.status)] = (statusCounts[String(outcome.status)] ?? 0) + 1;
    }
  };
  await Promise.all(agents.map(connection));
  stop();
  for (const agent of agents) agent.destroy();
  const durationSeconds = (performance.now() - startedAt) / 1000;
  const expected = statusCounts[String(options.expectedStatus)] ?? 0;
  return {
    connections: agents.length,
    expectedStatus: options.expectedStatus,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? expected / durationSeconds : 0,
    latencyMs: summariseLatencies(latencies),
    answers: latencies.length,
    statusCounts,
    unexpected: latencies.length - expected + errors,
    unanswered,
    errors,
    timeouts,
  };
}

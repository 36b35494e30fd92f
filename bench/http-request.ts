import { request, type Agent } from 'node:http';
import type { RequestShape } from './load.js';

const REQUEST_TIMEOUT_MS = 30_000;

/** A status, or null for a connection error or a request unanswered after 30 s. */
export type RequestOutcome = { readonly status: number } | { readonly status: null; readonly timedOut: boolean };

/** One request (GET unless the shape says otherwise) through `agent` (keep-alive, and the client address when the agent has one); the body is drained. */
export function sendRequest(agent: Agent, baseUrl: URL, shape: RequestShape): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RequestOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const sent = request(
      { agent, hostname: baseUrl.hostname, port: baseUrl.port, path: shape.path, method: shape.method ?? 'GET', headers: shape.headers ?? {} },
      (response) => {
        response.on('end', () => settle({ status: response.statusCode ?? 0 }));
        response.on('error', () => settle({ status: null, timedOut: false }));
        response.resume();
      },
    );
    // Closed without a complete answer (the connection dropped mid-response): an error, never a hang.
    sent.on('close', () => settle({ status: null, timedOut: false }));
    sent.setTimeout(REQUEST_TIMEOUT_MS, () => {
      settle({ status: null, timedOut: true });
      sent.destroy();
    });
    sent.on('error', () => settle({ status: null, timedOut: false }));
    sent.end(shape.body);
  });
}

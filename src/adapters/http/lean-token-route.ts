import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import proxyAddr from 'proxy-addr';
import type { Logger } from '../../app/ports.js';
import type { RegistryTokenIssuer } from '../../app/registry-token-issuer.js';
import { runWithRequestId } from '../logging/request-context.js';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { failureAnswer } from './app-shell.js';
import { logRequestLine, markAudited, requestIdFor } from './request-logging.js';
import { tokenRequestFromGet } from './token-request-parsers.js';
import { NO_STORE_HEADERS, tokenResponseBody } from './token-routes.js';

export interface LeanTokenRouteDeps {
  readonly tokenPath: string;
  readonly issuer: RegistryTokenIssuer;
  readonly logger: Logger;
  readonly metrics?: PrometheusMetrics;
  /** As the express app is given them: whose X-Forwarded-For is believed. */
  readonly trustedProxies?: readonly string[];
}

/**
 * `GET <token path>`, the hot path, served before express: every registry pull asks for a token, and on
 * this path express's request and response decoration, its router and middleware stack took a fifth of a
 * token's CPU. It answers exactly what the express route answers (same headers, body, request id, request
 * line, metrics and errors); anything else (another method, the path in other case or with a trailing slash)
 * goes to `app`, as before.
 */
/** The listener, and the app behind it that serves everything else (for reading its routes). */
export type LeanTokenListener = RequestListener & { readonly behind: RequestListener };

export function withLeanTokenRoute(app: RequestListener, deps: LeanTokenRouteDeps): LeanTokenListener {
  const trustedProxies = deps.trustedProxies ?? [];
  const trust = trustedProxies.length === 0 ? null : proxyAddr.compile([...trustedProxies]);
  const clientIpOf = (request: IncomingMessage): string =>
    (trust === null ? request.socket.remoteAddress : proxyAddr(request, trust)) ?? '';
  const listener: RequestListener = (request, response) => {
    const url = request.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    if (request.method !== 'GET' || path !== deps.tokenPath) {
      app(request, response);
      return;
    }
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(headerText(request.headers['x-request-id']));
    const clientIp = clientIpOf(request);
    response.setHeader('X-Request-Id', requestId);
    response.setHeader('Cache-Control', NO_STORE_HEADERS['Cache-Control']);
    response.setHeader('Pragma', NO_STORE_HEADERS.Pragma);
    response.on('finish', () => {
      deps.metrics?.observeHttpRequest({
        method: 'GET',
        route: 'token',
        status: response.statusCode,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
      logRequestLine(deps.logger, response, { method: 'GET', path, clientIp, userAgent: request.headers['user-agent'], started });
    });
    runWithRequestId(requestId, () => {
      serveToken(request, response, queryAt < 0 ? '' : url.slice(queryAt + 1), clientIp, deps).catch(() => response.destroy());
    });
  };
  return Object.assign(listener, { behind: app });
}

async function serveToken(request: IncomingMessage, response: ServerResponse, query: string, clientIp: string, deps: LeanTokenRouteDeps): Promise<void> {
  try {
    const issued = await deps.issuer.issue(tokenRequestFromGet(parseQueryString(query), request.headers.authorization, clientIp));
    markAudited(response);
    writeJson(response, 200, tokenResponseBody(issued));
  } catch (error) {
    // As express does: an answer already under way cannot become an error answer; the connection ends.
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const { status, headers, body } = failureAnswer(error, deps.logger);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    writeJson(response, status, body);
  }
}

/** As express's `response.json` writes it. */
function writeJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.end(text);
}

/** Node joins a repeated X-Request-Id into one text; the type allows an array all the same. */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../app/ports.js';
import { runWithRequestId } from '../logging/request-context.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const AUDITED = Symbol('audited');

/**
 * Says that the audit line written while serving this response already records it (a token issued), so its
 * request line is written at debug level: on the hot path it would repeat the audit line at the cost of a
 * second formatted, redacted and written line per request. Error responses keep their info line.
 */
export function markAudited(response: ServerResponse): void {
  (response as unknown as Record<symbol, unknown>)[AUDITED] = true;
}

/** A well-formed incoming X-Request-Id is kept; otherwise a new one. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** What the request line says of a request, read when it arrives. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly clientIp: string | undefined;
  readonly userAgent: string | undefined;
  /** From process.hrtime.bigint(). */
  readonly started: bigint;
}

/** The one line per request, with no query string or headers (debug when the audit line records it). */
export function logRequestLine(logger: Logger, response: ServerResponse, line: RequestLine): void {
  const audited = (response as unknown as Record<symbol, unknown>)[AUDITED] === true && response.statusCode < 400;
  const level = audited ? 'debug' : 'info';
  // A disabled level costs nothing more: no fields are built for it.
  if (logger.isLevelEnabled?.(level) === false) return;
  logger[level]('request', {
    method: line.method,
    // Client-chosen and up to the header limit long: a log line stays small.
    path: line.path.slice(0, 256),
    status: response.statusCode,
    durationMs: Number((process.hrtime.bigint() - line.started) / 1000n) / 1000,
    clientIp: line.clientIp,
    userAgent: line.userAgent?.slice(0, 200),
  });
}

/**
 * Gives each request an id (a well-formed incoming X-Request-Id is kept), echoes it, makes every log line
 * written while serving it carry it, and logs one line per request (see logRequestLine).
 */
export function requestLogging(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const requestId = requestIdFor(request.get('x-request-id'));
    response.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    // Read now: a mounted router (the admin API) strips its prefix from the request while it serves it.
    const path = request.path;
    runWithRequestId(requestId, () => {
      response.on('finish', () => {
        logRequestLine(logger, response, { method: request.method, path, clientIp: request.ip, userAgent: request.get('user-agent'), started });
      });
      next();
    });
  };
}

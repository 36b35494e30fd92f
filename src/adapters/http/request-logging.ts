import { randomUUID } from 'node:crypto';
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
export function markAudited(response: Response): void {
  (response.locals as Record<symbol, unknown>)[AUDITED] = true;
}

/**
 * Gives each request an id (a well-formed incoming X-Request-Id is kept), echoes it, makes every log line
 * written while serving it carry it, and logs one line per request with no query string or headers (at debug
 * level when the audit line already records the request: see markAudited).
 */
export function requestLogging(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const incoming = request.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    response.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    // Read now: a mounted router (the admin API) strips its prefix from the request while it serves it.
    const path = request.path;
    runWithRequestId(requestId, () => {
      response.on('finish', () => {
        const audited = (response.locals as Record<symbol, unknown>)[AUDITED] === true && response.statusCode < 400;
        logger[audited ? 'debug' : 'info']('request', {
          method: request.method,
          // Client-chosen and up to the header limit long: a log line stays small.
          path: path.slice(0, 256),
          status: response.statusCode,
          durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          clientIp: request.ip,
          userAgent: request.get('user-agent')?.slice(0, 200),
        });
      });
      next();
    });
  };
}

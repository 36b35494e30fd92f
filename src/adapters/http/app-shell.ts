import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../app/ports.js';
import { describeError, errorAnswer, sendError, type ErrorAnswer } from './error-responses.js';
import { requestLogging } from './request-logging.js';

/** An express app with the settings and request logging every regauth listener shares. */
export function createAppShell(logger: Logger, trustedProxies: readonly string[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // request.ip is the client address the audit log and the brute-force protection key on.
  app.set('trust proxy', trustedProxies.length === 0 ? false : [...trustedProxies]);
  app.use(requestLogging(logger));
  return app;
}

/** The last handlers of every listener's app: a JSON 404 for any other path, and the JSON error answer. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use((_request: Request, response: Response) => sendError(response, 'not_found', 'no such endpoint'));
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { status, headers, body } = failureAnswer(error, logger);
    response.set(headers);
    response.status(status).json(body);
  });
  return app;
}

/** The answer to an error a handler threw, once what the operator must see of it is logged. */
export function failureAnswer(error: unknown, logger: Logger): ErrorAnswer {
  const { reason, message, expected, retryAfterSeconds } = describeError(error);
  if (reason === 'unavailable') {
    logger.error('dependency unavailable: nothing granted', { error: message, cause: causeOf(error) });
  } else if (!expected) {
    logger.error('unexpected error', { error: String(error), stack: (error as Error)?.stack });
  }
  return errorAnswer(reason, message, retryAfterSeconds);
}

function causeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : String(cause);
}

import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { AdminKeys } from '../../app/admin-keys.js';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { Logger } from '../../app/ports.js';
import type { Readiness } from '../../app/readiness.js';
import type { RegistryTokenIssuer } from '../../app/registry-token-issuer.js';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { adminApi, ADMIN_API_PREFIX } from './admin-api/admin-api.js';
import { adminKeyAuthentication } from './admin-api/admin-key-authentication.js';
import { describeError, sendError } from './error-responses.js';
import { healthRoutes } from './health-routes.js';
import { metricsRoutes, requestMetrics } from './metrics-routes.js';
import { requestLogging } from './request-logging.js';
import { tokenRoutes } from './token-routes.js';

export interface HttpAppDeps {
  readonly tokenPath: string;
  readonly issuer: RegistryTokenIssuer;
  readonly admin: DeployTokenAdmin;
  readonly adminKeys: AdminKeys;
  readonly readiness: () => Promise<Readiness>;
  readonly logger: Logger;
  /** Absent: no request timing and no metrics endpoint. */
  readonly metrics?: { readonly metrics: PrometheusMetrics; readonly path: string };
  /** Peers whose X-Forwarded-For is believed (addresses, CIDRs, `loopback`…); empty: the socket's address is the client's. */
  readonly trustedProxies?: readonly string[];
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // request.ip is the client address the audit log and the brute-force protection key on.
  app.set('trust proxy', deps.trustedProxies === undefined || deps.trustedProxies.length === 0 ? false : [...deps.trustedProxies]);
  app.use(requestLogging(deps.logger));
  if (deps.metrics !== undefined) {
    app.use(requestMetrics(deps.metrics.metrics, { tokenPath: deps.tokenPath, metricsPath: deps.metrics.path }));
  }
  // The token route first: it is the hot path, and every router it had to pass first costs each request.
  app.use(tokenRoutes(deps.tokenPath, deps.issuer));
  if (deps.metrics !== undefined) app.use(metricsRoutes(deps.metrics.metrics, deps.metrics.path));
  app.use(healthRoutes(deps.readiness));
  app.use(ADMIN_API_PREFIX, helmet(), adminApi(deps.admin, adminKeyAuthentication(deps.adminKeys), deps.logger));
  app.use((_request: Request, response: Response) => sendError(response, 'not_found', 'no such endpoint'));
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { reason, message, expected, retryAfterSeconds } = describeError(error);
    if (reason === 'unavailable') {
      deps.logger.error('dependency unavailable: nothing granted', { error: message, cause: causeOf(error) });
    } else if (!expected) {
      deps.logger.error('unexpected error', { error: String(error), stack: (error as Error)?.stack });
    }
    sendError(response, reason, message, retryAfterSeconds);
  });
  return app;
}

function causeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : String(cause);
}

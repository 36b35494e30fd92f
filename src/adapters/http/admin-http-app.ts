import type { Express } from 'express';
import type { Readiness } from '../../app/readiness.js';
import { useAdminRoutes, type AdminRoutesDeps } from './admin-routes.js';
import { createAppShell, finishApp } from './app-shell.js';
import { healthRoutes } from './health-routes.js';
import { requestMetrics } from './metrics-routes.js';

export interface AdminHttpAppDeps extends AdminRoutesDeps {
  /** Only to label the request-duration metric as the service port does. */
  readonly tokenPath: string;
  readonly readiness: () => Promise<Readiness>;
  readonly trustedProxies?: readonly string[];
}

/**
 * The app of the admin listener (`server.adminListener`): metrics, the admin API and the health routes,
 * never the token endpoint, which stays on the service port.
 */
export function createAdminHttpApp(deps: AdminHttpAppDeps): Express {
  const app = createAppShell(deps.logger, deps.trustedProxies);
  if (deps.metrics !== undefined) {
    app.use(requestMetrics(deps.metrics.metrics, { tokenPath: deps.tokenPath, metricsPath: deps.metrics.path }));
  }
  useAdminRoutes(app, deps);
  app.use(healthRoutes(deps.readiness));
  return finishApp(app, deps.logger);
}

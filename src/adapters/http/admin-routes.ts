import type { Express } from 'express';
import helmet from 'helmet';
import type { AdminKeys } from '../../app/admin-keys.js';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { FederatedCredentialAdmin } from '../../app/federation/federated-credential-admin.js';
import type { FederationAdmin } from '../../app/federation/federation-admin.js';
import type { Logger } from '../../app/ports.js';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { adminApi, ADMIN_API_PREFIX } from './admin-api/admin-api.js';
import { adminKeyAuthentication } from './admin-api/admin-key-authentication.js';
import { metricsRoutes } from './metrics-routes.js';

export interface AdminRoutesDeps {
  readonly admin: DeployTokenAdmin;
  readonly adminKeys: AdminKeys;
  /** Absent: the store keeps no minted credentials, and their routes are not served. */
  readonly federatedCredentials?: FederatedCredentialAdmin;
  readonly federation: FederationAdmin;
  readonly logger: Logger;
  /** Absent: no request timing and no metrics endpoint. */
  readonly metrics?: { readonly metrics: PrometheusMetrics; readonly path: string };
}

/**
 * Mounts what is for operators rather than registry clients: the metrics endpoint and the admin API.
 * Straight on the app, not in a router of their own, so each is one layer of the app's stack.
 */
export function useAdminRoutes(app: Express, deps: AdminRoutesDeps): void {
  if (deps.metrics !== undefined) app.use(metricsRoutes(deps.metrics.metrics, deps.metrics.path));
  app.use(
    ADMIN_API_PREFIX,
    helmet(),
    adminApi(deps.admin, adminKeyAuthentication(deps.adminKeys), deps.logger, deps.federation, deps.federatedCredentials),
  );
}

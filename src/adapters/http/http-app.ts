import type { RequestListener } from 'node:http';
import type { Readiness } from '../../app/readiness.js';
import type { RegistryTokenIssuer } from '../../app/registry-token-issuer.js';
import { useAdminRoutes, type AdminRoutesDeps } from './admin-routes.js';
import { createAppShell, finishApp } from './app-shell.js';
import { healthRoutes } from './health-routes.js';
import { withLeanTokenRoute } from './lean-token-route.js';
import { requestMetrics } from './metrics-routes.js';
import { tokenRoutes } from './token-routes.js';
import { UI_PREFIX, uiRouter, type UiRouterDeps } from '../ui/ui-router.js';
import { federationExchangeRoutes } from './federation-exchange-routes.js';
import type { IdentityTokenExchange } from '../../app/federation/identity-token-exchange.js';

export interface HttpAppDeps extends AdminRoutesDeps {
  readonly tokenPath: string;
  readonly issuer: RegistryTokenIssuer;
  readonly readiness: () => Promise<Readiness>;
  /** Peers whose X-Forwarded-For is believed (addresses, CIDRs, `loopback`…); empty: the socket's address is the client's. */
  readonly trustedProxies?: readonly string[];
  /** True when the admin listener serves metrics and the admin API: this app then answers them 404. */
  readonly adminRoutesElsewhere?: boolean;
  /** Absent: no web UI. */
  readonly ui?: UiRouterDeps;
  /** Keyless access: identity tokens exchanged for registry credentials. */
  readonly exchange?: { readonly path: string; readonly exchange: IdentityTokenExchange };
}

/**
 * The app of the service port: the token endpoint, the health routes and, without an admin listener, the
 * admin routes. GET on the token path is served before express (withLeanTokenRoute).
 */
export function createHttpApp(deps: HttpAppDeps): RequestListener {
  const app = createAppShell(deps.logger, deps.trustedProxies);
  if (deps.metrics !== undefined) {
    app.use(requestMetrics(deps.metrics.metrics, { tokenPath: deps.tokenPath, metricsPath: deps.metrics.path }));
  }
  // The token route first: it is the hot path, and every router it had to pass first costs each request.
  app.use(tokenRoutes(deps.tokenPath, deps.issuer));
  if (deps.exchange !== undefined) app.use(federationExchangeRoutes(deps.exchange.path, deps.exchange.exchange));
  if (deps.adminRoutesElsewhere !== true) useAdminRoutes(app, deps);
  app.use(healthRoutes(deps.readiness));
  if (deps.ui !== undefined) {
    app.get('/', (_request, response) => response.redirect(302, `${UI_PREFIX}/`));
    app.use(UI_PREFIX, uiRouter(deps.ui));
  }
  return withLeanTokenRoute(finishApp(app, deps.logger), {
    tokenPath: deps.tokenPath,
    issuer: deps.issuer,
    logger: deps.logger,
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics.metrics }),
    ...(deps.trustedProxies === undefined ? {} : { trustedProxies: deps.trustedProxies }),
  });
}

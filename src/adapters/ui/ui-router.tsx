import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AdminKeys } from '../../app/admin-keys.js';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { Clock, Logger, OpaqueTokens } from '../../app/ports.js';
import type { FederationAdmin } from '../../app/federation/federation-admin.js';
import type { SigningKeyRotation } from '../../app/signing-key-rotation.js';
import type { UiSessions } from '../../app/ui-sessions.js';
import { describeError } from '../http/error-responses.js';
import { adminKeyRoutes } from './admin-key-routes.js';
import { auditRoutes } from './audit-routes.js';
import { Layout } from './layout.js';
import { overviewRoutes } from './overview-routes.js';
import { sendPage } from './render-page.js';
import { signInRoutes } from './sign-in-routes.js';
import { ssoSignInRoutes, type SsoSignInOptions } from './sso-sign-in-routes.js';
import { signingKeyRoutes } from './signing-key-routes.js';
import type { SigningKeyFolder } from '../keys/signing-key-rotation.js';
import type { KeySummary } from './signing-key-summary.js';
import { tokenCreateRoutes } from './token-create-routes.js';
import { tokenEditRoutes } from './token-edit-routes.js';
import { tokenExtendRoutes } from './token-extend-routes.js';
import { tokenListRoutes } from './token-list-routes.js';
import { tokenRotateRoutes } from './token-rotate-routes.js';
import { tokenRoutes } from './token-routes.js';
import { trustPolicyEditRoutes } from './trust-policy-edit-routes.js';
import { trustPolicyRoutes } from './trust-policy-routes.js';
import { UI_ASSETS } from './ui-assets.js';
import { requireSession, UiForbiddenError } from './ui-context.js';
import { uiSecurityHeaders } from './ui-security.js';

export { UI_PREFIX } from './layout.js';

export interface UiRouterDeps {
  readonly sessions: UiSessions;
  readonly admin: DeployTokenAdmin;
  readonly adminKeys: AdminKeys;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signingKeys: () => KeySummary[];
  readonly signingKeyFolder: SigningKeyFolder;
  readonly signingKeyRotation: SigningKeyRotation;
  readonly federationAdmin: FederationAdmin;
  readonly registryConfigYaml: string;
  /** Single sign-on, when configured. */
  readonly sso?: SsoSignInOptions;
}

const FORM_LIMIT = '16kb';

/** The web UI, mounted at /ui: server-rendered pages over the same use cases as the CLI and the admin API. */
export function uiRouter(deps: UiRouterDeps): Router {
  const router = express.Router();
  router.use(uiSecurityHeaders());
  for (const asset of UI_ASSETS) {
    router.get(asset.path, (_request, response) => {
      response.set('Cache-Control', 'public, max-age=31536000, immutable');
      response.type(asset.contentType).send(asset.body);
    });
  }
  router.use(express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 100 }));
  router.use(signInRoutes(deps.sessions, deps.tokens, deps.sso?.providerName ?? null));
  if (deps.sso !== undefined) router.use(ssoSignInRoutes(deps.sso));
  router.use(requireSession(deps.sessions));
  router.use(overviewRoutes(deps));
  router.use(tokenCreateRoutes(deps.admin, deps.sessions, deps.tokens));
  router.use(tokenRotateRoutes(deps.admin, deps.sessions, deps.tokens));
  router.use(tokenEditRoutes(deps.admin));
  router.use(tokenExtendRoutes(deps.admin));
  router.use(tokenListRoutes(deps.admin));
  router.use(tokenRoutes(deps.admin));
  router.use(auditRoutes(deps.admin));
  router.use(signingKeyRoutes(deps.signingKeys, deps.signingKeyFolder, deps.signingKeyRotation, deps.logger));
  router.use(adminKeyRoutes(deps.adminKeys));
  router.use(trustPolicyEditRoutes(deps.federationAdmin));
  router.use(trustPolicyRoutes(deps.federationAdmin, () => deps.clock.now()));
  router.use((_request: Request, response: Response) => {
    sendPage(response, <Layout title="Page not found" session={null}><p>There is no such page.</p></Layout>, { status: 404 });
  });
  router.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    if (error instanceof UiForbiddenError) {
      sendPage(response, <Layout title="Not allowed" session={null}><p>{error.message}</p></Layout>, { status: 403 });
      return;
    }
    const { reason, message, expected } = describeError(error);
    if (!expected) deps.logger.error('unexpected error in the web UI', { error: String(error), stack: (error as Error)?.stack });
    const status = reason === 'not_found' ? 404 : reason === 'invalid_input' ? 400 : reason === 'unavailable' || reason === 'overloaded' ? 503 : expected ? 400 : 500;
    sendPage(response, <Layout title={status === 503 ? 'Unavailable' : 'Something went wrong'} session={null}><p>{expected ? message : 'The request failed; it has been logged.'}</p></Layout>, { status });
  });
  return router;
}

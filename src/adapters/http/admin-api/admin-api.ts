import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Actor, DeployTokenAdmin } from '../../../app/deploy-token-admin.js';
import type { FederatedCredentialAdmin } from '../../../app/federation/federated-credential-admin.js';
import type { Logger } from '../../../app/ports.js';
import { adminErrorOf, sendAdminError } from './admin-api-errors.js';
import { ADMIN_ROUTES, type AdminRoute } from './admin-api-routes.js';
import { FEDERATED_CREDENTIAL_ROUTES } from './federated-credential-routes.js';
import { FEDERATION_ADMIN_ROUTES } from './federation-admin-routes.js';
import type { FederationAdmin } from '../../../app/federation/federation-admin.js';
import { openApiDocument } from './openapi.js';
import { describeSchemaIssues } from './schema-issues.js';

export { ADMIN_API_PREFIX_PATH as ADMIN_API_PREFIX } from './admin-api-paths.js';
const BODY_LIMIT = '64kb';

/** Says who is calling, or throws; the unix control socket answers with a fixed local operator. */
export type AdminAuthenticator = (request: Request) => Promise<Actor>;

/**
 * The admin API: deploy tokens, keyless access (trusted issuers, trust policies, and minted credentials when
 * the store has them) and the audit log as JSON under /api/v1, with its OpenAPI document.
 */
export function adminApi(
  admin: DeployTokenAdmin,
  authenticate: AdminAuthenticator,
  logger: Logger,
  federation: FederationAdmin,
  federatedCredentials?: FederatedCredentialAdmin,
): Router {
  const router = express.Router();
  const document = openApiDocument();
  router.get('/openapi.json', (_request, response) => {
    response.json(document);
  });
  router.use(requireJsonBody, express.json({ limit: BODY_LIMIT }));
  mountRoutes(router, ADMIN_ROUTES, admin, authenticate);
  mountRoutes(router, FEDERATION_ADMIN_ROUTES, federation, authenticate);
  if (federatedCredentials !== undefined) mountRoutes(router, FEDERATED_CREDENTIAL_ROUTES, federatedCredentials, authenticate);
  router.use((_request: Request, response: Response) => sendAdminError(response, 'not_found', 'no such admin API route'));
  router.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { code, message } = adminErrorOf(error, logger);
    sendAdminError(response, code, message);
  });
  return router;
}

function mountRoutes<Admin>(router: Router, routes: readonly AdminRoute<Admin>[], useCases: Admin, authenticate: AdminAuthenticator): void {
  for (const route of routes) {
    router[route.method](route.path, async (request: Request, response: Response) => {
      response.set('Cache-Control', 'no-store');
      const actor = await authenticate(request);
      const input = parseInput(route, request);
      if (!input.success) {
        sendAdminError(response, 'invalid_input', input.message);
        return;
      }
      const params = request.params as Record<string, string | undefined>;
      const result = await route.handle(useCases, { ...input, reference: String(params.reference ?? ''), params, actor });
      response.status(route.status).json(result);
    });
  }
}

function requireJsonBody(request: Request, response: Response, next: NextFunction): void {
  const hasBody = (request.headers['content-length'] ?? '0') !== '0' || request.headers['transfer-encoding'] !== undefined;
  if (hasBody && !request.is('application/json')) {
    sendAdminError(response, 'unsupported_media_type', 'request bodies must be application/json');
    return;
  }
  next();
}

function parseInput(
  route: AdminRoute<never>,
  request: Request,
): { success: true; query: unknown; body: unknown } | { success: false; message: string } {
  const query = (route.query ?? z.object({}).strict()).safeParse(request.query);
  if (!query.success) return { success: false, message: `query: ${describeSchemaIssues(query.error)}` };
  if (route.body === undefined) return { success: true, query: query.data, body: undefined };
  const body = route.body.safeParse(request.body ?? {});
  if (!body.success) return { success: false, message: `body: ${describeSchemaIssues(body.error)}` };
  return { success: true, query: query.data, body: body.data };
}

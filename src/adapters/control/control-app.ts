import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AdminKeys } from '../../app/admin-keys.js';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { FederatedCredentialAdmin } from '../../app/federation/federated-credential-admin.js';
import type { FederationAdmin } from '../../app/federation/federation-admin.js';
import type { Logger } from '../../app/ports.js';
import { adminErrorOf, sendAdminError } from '../http/admin-api/admin-api-errors.js';
import { adminApi, ADMIN_API_PREFIX } from '../http/admin-api/admin-api.js';
import { describeSchemaIssues } from '../http/admin-api/schema-issues.js';
import { SERVER_SETTINGS_PATH, type ServerSettings } from './server-settings.js';

const LOCAL_OPERATOR = { actor: 'cli' } as const;
const createAdminKeyBody = z.object({ name: z.string() }).strict();

/**
 * The local control API a running server offers the CLI when it holds the embedded store: the admin API
 * plus admin-key management, as JSON over a unix socket. File permissions are its only authentication,
 * the same protection the database files themselves have. `settings` tells the CLI how this server was
 * started, so that what it prints for the registry matches.
 */
export function createControlApp(
  admin: DeployTokenAdmin,
  adminKeys: AdminKeys,
  logger: Logger,
  settings: ServerSettings,
  federation: FederationAdmin,
  federatedCredentials?: FederatedCredentialAdmin,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get(SERVER_SETTINGS_PATH, (_request, response) => {
    response.json(settings);
  });
  app.use(ADMIN_API_PREFIX, adminApi(admin, async () => LOCAL_OPERATOR, logger, federation, federatedCredentials));
  app.use('/control/admin-keys', express.json({ limit: '16kb' }));
  app.get('/control/admin-keys', async (_request, response) => {
    response.json(await adminKeys.list());
  });
  app.post('/control/admin-keys', async (request, response) => {
    const body = createAdminKeyBody.safeParse(request.body);
    if (!body.success) {
      sendAdminError(response, 'invalid_input', `body: ${describeSchemaIssues(body.error)}`);
      return;
    }
    response.status(201).json(await adminKeys.create(body.data.name));
  });
  app.post('/control/admin-keys/:id/revoke', async (request: Request<{ id: string }>, response) => {
    response.json(await adminKeys.revoke(Number(request.params.id)));
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { code, message } = adminErrorOf(error, logger);
    sendAdminError(response, code, message);
  });
  return app;
}

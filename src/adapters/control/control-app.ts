import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import { RegauthError } from '../../core/regauth-error.js';

const createBody = z
  .object({
    name: z.string(),
    repositories: z.array(z.string()),
    scopes: z.array(z.string()),
    username: z.string().optional(),
    expires: z.string().optional(),
  })
  .strict();

const STATUS_BY_CODE: Readonly<Record<string, number>> = { not_found: 404, username_taken: 409 };

/**
 * The local control API a running server offers the CLI when it holds the embedded store: the same
 * DeployTokenAdmin use cases, as JSON over a unix socket. File permissions are its only authentication,
 * the same protection the database files themselves have.
 */
export function createControlApp(admin: DeployTokenAdmin): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));
  app.get('/v1/deploy-tokens', async (_request, response) => {
    response.json(await admin.list());
  });
  app.post('/v1/deploy-tokens', async (request, response) => {
    const body = createBody.safeParse(request.body);
    if (!body.success) {
      response.status(400).json({ error: { code: 'invalid_input', message: z.prettifyError(body.error) } });
      return;
    }
    response.status(201).json(await admin.create(body.data));
  });
  app.post('/v1/deploy-tokens/:reference/revoke', async (request: Request<{ reference: string }>, response) => {
    response.json(await admin.revoke(request.params.reference));
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    if (error instanceof RegauthError) {
      response.status(STATUS_BY_CODE[error.code] ?? 400).json({ error: { code: error.code, message: error.message } });
    } else {
      response.status(500).json({ error: { code: 'internal_error', message: String(error) } });
    }
  });
  return app;
}

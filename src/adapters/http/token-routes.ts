import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { IssuedRegistryToken, RegistryTokenIssuer, RegistryTokenRequest } from '../../app/registry-token-issuer.js';
import { sendError } from './error-responses.js';
import { markAudited } from './request-logging.js';
import { tokenRequestFromForm, tokenRequestFromQuery } from './token-request-parsers.js';

const FORM_BODY_LIMIT = '16kb';

/** The token endpoint: GET with Basic credentials, POST with an OAuth2 form; both answer the same JSON. */
export function tokenRoutes(path: string, issuer: RegistryTokenIssuer): Router {
  const router = express.Router();
  const issue = (read: (request: Request) => RegistryTokenRequest) =>
    async (request: Request, response: Response): Promise<void> => {
      const issued = await issuer.issue(read(request));
      markAudited(response);
      response.json(tokenResponseBody(issued));
    };

  router.get(path, noStore, issue(tokenRequestFromQuery));
  router.post(path, noStore, express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT }), issue(tokenRequestFromForm));
  router.all(path, (_request, response) => {
    response.set('Allow', 'GET, POST');
    sendError(response, 'method_not_allowed', 'the token endpoint answers GET and POST');
  });
  return router;
}

/** Both `token` and `access_token`: docker and containerd read the latter, containers/image the former. */
export function tokenResponseBody(issued: IssuedRegistryToken): Record<string, unknown> {
  return {
    token: issued.token,
    access_token: issued.token,
    expires_in: issued.expiresIn,
    issued_at: issued.issuedAt.toISOString(),
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
  };
}

/** Token answers carry credentials: no cache may keep them. */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function noStore(_request: Request, response: Response, next: NextFunction): void {
  response.set(NO_STORE_HEADERS);
  next();
}

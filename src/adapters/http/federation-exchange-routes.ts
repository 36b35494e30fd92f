import express, { type Request, type Response, type Router } from 'express';
import type { ExchangeRequest, ExchangedCredential, IdentityTokenExchange } from '../../app/federation/identity-token-exchange.js';
import { sendError } from './error-responses.js';
import { markAudited } from './request-logging.js';
import { TokenRequestError } from './token-request-error.js';
import { noStore } from './token-routes.js';

/** A CI identity token is a few KB; GitLab's with many claims stays well under this. */
const BODY_LIMIT = '32kb';
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TOKEN_TYPES: ReadonlySet<string> = new Set(['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']);

/**
 * The exchange endpoint: a JSON `{"token", "policy"?}`, or a form with `token`, or an RFC 8693 token-exchange
 * form (`subject_token`); the answer is a registry username and password with their expiry.
 */
export function federationExchangeRoutes(path: string, exchange: IdentityTokenExchange): Router {
  const router = express.Router();
  router.post(
    path,
    noStore,
    express.json({ limit: BODY_LIMIT }),
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    async (request: Request, response: Response) => {
      const exchanged = await exchange.exchange(exchangeRequestFrom(request));
      markAudited(response);
      response.json(exchangeResponseBody(exchanged));
    },
  );
  router.all(path, (_request, response) => {
    response.set('Allow', 'POST');
    sendError(response, 'method_not_allowed', 'the exchange endpoint answers POST');
  });
  return router;
}

export function exchangeRequestFrom(request: Request): ExchangeRequest {
  if (!request.is('application/json') && !request.is('application/x-www-form-urlencoded')) {
    throw new TokenRequestError('invalid_request', 'send application/json {"token": "<identity token>"} or a form');
  }
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  const grantType = text(body, 'grant_type');
  let identityToken: string | null;
  if (grantType !== null) {
    if (grantType !== TOKEN_EXCHANGE_GRANT) throw new TokenRequestError('unsupported_grant_type', `grant_type must be ${TOKEN_EXCHANGE_GRANT}`);
    const tokenType = text(body, 'subject_token_type');
    if (tokenType === null || !JWT_TOKEN_TYPES.has(tokenType)) {
      throw new TokenRequestError('invalid_request', 'subject_token_type must be urn:ietf:params:oauth:token-type:jwt');
    }
    identityToken = text(body, 'subject_token');
  } else {
    identityToken = text(body, 'token');
  }
  if (identityToken === null || identityToken === '') throw new TokenRequestError('invalid_request', 'the identity token is required');
  return { identityToken, policyName: text(body, 'policy'), clientIp: request.ip ?? null };
}

function exchangeResponseBody(exchanged: ExchangedCredential): Record<string, unknown> {
  return {
    username: exchanged.username,
    password: exchanged.password,
    expires_at: exchanged.expiresAt.toISOString(),
    expires_in: exchanged.expiresInSeconds,
    policy: exchanged.policy.name,
  };
}

function text(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TokenRequestError('invalid_request', `${name} must be a string`);
  return value;
}

import type { Request } from 'express';
import type { RegistryTokenRequest } from '../../app/registry-token-issuer.js';
import { parseBasicAuthorization } from './basic-credentials.js';
import { TokenRequestError } from './token-request-error.js';

type Parameters = Record<string, unknown>;

/** GET: what docker, skopeo, crane and containerd's fallback send, with Basic credentials. */
export function tokenRequestFromQuery(request: Request): RegistryTokenRequest {
  return tokenRequestFromGet(request.query as Parameters, request.headers.authorization, request.ip ?? '');
}

/** The same from its parts: the parsed query string, the Authorization header and the client's address. */
export function tokenRequestFromGet(query: Parameters, authorization: string | undefined, clientIp: string): RegistryTokenRequest {
  const basic = parseBasicAuthorization(authorization);
  return {
    credentials: basic === null ? null : { kind: 'password', username: basic.username, secret: basic.secret },
    account: single(query, 'account'),
    service: single(query, 'service'),
    scopeParameters: many(query, 'scope'),
    offline: single(query, 'offline_token') === 'true',
    clientId: single(query, 'client_id'),
    clientIp,
  };
}

/**
 * POST: the OAuth2 form containerd sends first (password grant) and docker sends with an identity token
 * (refresh_token grant). containerd falls back to GET on a 400, so an unknown grant must be a 400, not a 403.
 */
export function tokenRequestFromForm(request: Request): RegistryTokenRequest {
  if (!request.is('application/x-www-form-urlencoded')) {
    throw new TokenRequestError('invalid_request', 'POST requests must be application/x-www-form-urlencoded');
  }
  const form = (request.body ?? {}) as Parameters;
  const grantType = single(form, 'grant_type');
  if (grantType === null) throw new TokenRequestError('invalid_request', 'grant_type is required');
  const common = {
    service: single(form, 'service'),
    scopeParameters: many(form, 'scope'),
    clientId: single(form, 'client_id'),
    clientIp: request.ip ?? '',
  };
  if (grantType === 'refresh_token') {
    const refreshToken = single(form, 'refresh_token');
    if (refreshToken === null) throw new TokenRequestError('invalid_request', 'the refresh_token grant needs refresh_token');
    return { ...common, credentials: { kind: 'refresh_token', refreshToken }, account: null };
  }
  if (grantType !== 'password') {
    throw new TokenRequestError('unsupported_grant_type', `grant_type "${grantType.slice(0, 40)}" is not supported`);
  }
  const username = single(form, 'username');
  const password = single(form, 'password');
  if (username === null || password === null) {
    throw new TokenRequestError('invalid_request', 'the password grant needs username and password');
  }
  return {
    ...common,
    credentials: { kind: 'password', username, secret: password },
    account: username,
    offline: single(form, 'access_type') === 'offline',
  };
}

function single(parameters: Parameters, name: string): string | null {
  const value = parameters[name];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new TokenRequestError('invalid_request', `${name} must be given once`);
  return value;
}

function many(parameters: Parameters, name: string): string[] {
  const value = parameters[name];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((item): item is string => typeof item === 'string')) {
    throw new TokenRequestError('invalid_request', `${name} must be text`);
  }
  return values;
}

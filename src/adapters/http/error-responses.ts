import type { Response } from 'express';
import { RegauthError } from '../../core/regauth-error.js';

interface WireError {
  readonly status: number;
  /** RFC 6749 code, read by OAuth2 clients (containerd's POST). */
  readonly oauth: string;
  /** distribution errcode, read by docker and other registry clients. */
  readonly registry: string;
}

const INVALID_REQUEST: WireError = { status: 400, oauth: 'invalid_request', registry: 'INVALID_REQUEST' };
const UNAUTHORIZED: WireError = { status: 401, oauth: 'invalid_grant', registry: 'UNAUTHORIZED' };

const WIRE_ERRORS: Readonly<Record<string, WireError>> = {
  invalid_request: INVALID_REQUEST,
  invalid_scope: { ...INVALID_REQUEST, oauth: 'invalid_scope' },
  unknown_service: INVALID_REQUEST,
  unsupported_grant_type: { status: 400, oauth: 'unsupported_grant_type', registry: 'UNSUPPORTED' },
  invalid_credentials: UNAUTHORIZED,
  invalid_refresh_token: UNAUTHORIZED,
  account_mismatch: UNAUTHORIZED,
  token_expired: UNAUTHORIZED,
  token_revoked: UNAUTHORIZED,
  invalid_identity_token: UNAUTHORIZED,
  untrusted_issuer: UNAUTHORIZED,
  identity_token_replayed: UNAUTHORIZED,
  no_matching_policy: { status: 403, oauth: 'access_denied', registry: 'DENIED' },
  too_many_attempts: { status: 429, oauth: 'too_many_requests', registry: 'TOOMANYREQUESTS' },
  unavailable: { status: 503, oauth: 'temporarily_unavailable', registry: 'UNAVAILABLE' },
  overloaded: { status: 503, oauth: 'temporarily_unavailable', registry: 'UNAVAILABLE' },
  payload_too_large: { status: 413, oauth: 'invalid_request', registry: 'SIZE_INVALID' },
  headers_too_large: { status: 431, oauth: 'invalid_request', registry: 'SIZE_INVALID' },
  request_timeout: { status: 408, oauth: 'invalid_request', registry: 'INVALID_REQUEST' },
  not_found: { status: 404, oauth: 'invalid_request', registry: 'NOT_FOUND' },
  method_not_allowed: { status: 405, oauth: 'invalid_request', registry: 'UNSUPPORTED' },
  internal_error: { status: 500, oauth: 'server_error', registry: 'UNKNOWN' },
};

export const RETRY_AFTER_SECONDS = 5;

/** An unknown reason is answered as an internal error. */
function wireErrorOf(reason: string): WireError {
  return WIRE_ERRORS[reason] ?? (WIRE_ERRORS.internal_error as WireError);
}

/** An error answer as status, headers and body, for express and for the token endpoint's lean path alike. */
export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Record<string, unknown>;
}

/**
 * An error in one body that both kinds of client understand:
 * `{"error", "error_description", "errors": [{"code", "message", "detail": {"reason"}}]}`, where `reason` is
 * this service's stable code. A 401 carries the Basic challenge; a 503 or an error that knows when its
 * condition ends (`retryAfterSeconds`, as a 429 lockout does) says when to retry.
 */
export function errorAnswer(reason: string, message: string, retryAfterSeconds?: number): ErrorAnswer {
  const wire = wireErrorOf(reason);
  const headers: Record<string, string> = {};
  if (wire.status === 401) headers['WWW-Authenticate'] = 'Basic realm="regauth", charset="UTF-8"';
  const retryAfter = retryAfterSeconds ?? (wire.status === 503 ? RETRY_AFTER_SECONDS : undefined);
  if (retryAfter !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfter)));
  return { status: wire.status, headers, body: errorBody(reason, message) };
}

/** Writes `errorAnswer` through express. */
export function sendError(response: Response, reason: string, message: string, retryAfterSeconds?: number): void {
  const { status, headers, body } = errorAnswer(reason, message, retryAfterSeconds);
  response.set(headers);
  response.status(status).json(body);
}

/** The status and body of an error, for answers written outside express (malformed HTTP). */
export function errorStatus(reason: string): number {
  return wireErrorOf(reason).status;
}

export function errorBody(reason: string, message: string): Record<string, unknown> {
  const wire = wireErrorOf(reason);
  return { error: wire.oauth, error_description: message, errors: [{ code: wire.registry, message, detail: { reason } }] };
}

/** The reason and message to send for any thrown value; details of unexpected errors stay in the log. */
export interface ErrorDescription {
  readonly reason: string;
  readonly message: string;
  readonly expected: boolean;
  readonly retryAfterSeconds?: number;
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof RegauthError && error.code in WIRE_ERRORS) {
    const retryAfterSeconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return {
      reason: error.code,
      message: error.message,
      expected: true,
      ...(typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : {}),
    };
  }
  if (isClientHttpError(error)) {
    const reason = error.status === 413 ? 'payload_too_large' : 'invalid_request';
    return { reason, message: error.expose ? error.message : 'malformed request', expected: true };
  }
  return { reason: 'internal_error', message: 'internal error', expected: false };
}

/** Errors raised by express's own body parsers carry an HTTP status below 500. */
function isClientHttpError(error: unknown): error is { status: number; expose: boolean; message: string } {
  if (typeof error !== 'object' || error === null || !('status' in error)) return false;
  const status = (error as { status: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

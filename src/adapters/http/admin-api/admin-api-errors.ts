import type { Response } from 'express';
import type { Logger } from '../../../app/ports.js';
import { RegauthError } from '../../../core/regauth-error.js';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_admin_key: 401,
  not_found: 404,
  username_taken: 409,
  name_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  overloaded: 503,
  internal_error: 500,
};

/** Admin API errors: `{"error": {"code", "message"}}`; every code not listed is the caller's mistake (400). */
export function sendAdminError(response: Response, code: string, message: string): void {
  const status = STATUS_BY_CODE[code] ?? 400;
  if (status === 401) response.set('WWW-Authenticate', 'Bearer realm="regauth admin API"');
  if (status === 503) response.set('Retry-After', '5');
  response.status(status).json({ error: { code, message } });
}

/** The code and message for a thrown value; unexpected errors are logged and answered without detail. */
export function adminErrorOf(error: unknown, logger: Logger): { code: string; message: string } {
  if (error instanceof RegauthError) return { code: error.code, message: error.message };
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return { code: 'payload_too_large', message: 'request body too large' };
    if ((error as { type?: unknown }).type === 'entity.parse.failed') {
      return { code: 'invalid_input', message: 'request body is not valid JSON' };
    }
    return { code: 'invalid_input', message: 'malformed request' };
  }
  logger.error('unexpected error in the admin API', { error: String(error), stack: (error as Error)?.stack });
  return { code: 'internal_error', message: 'internal error' };
}

import type { Request } from 'express';
import type { AdminKeys } from '../../../app/admin-keys.js';
import { InvalidAdminKeyError } from '../../../app/errors.js';
import type { AdminAuthenticator } from './admin-api.js';

const BEARER = /^Bearer +(\S+)$/i;

/** Admin API callers present an admin key as a bearer token. */
export function adminKeyAuthentication(adminKeys: AdminKeys): AdminAuthenticator {
  return async (request: Request) => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (match === null) throw new InvalidAdminKeyError();
    const key = await adminKeys.authenticate(match[1] as string);
    return { actor: `admin-key:${key.name}`, clientIp: request.ip ?? null };
  };
}

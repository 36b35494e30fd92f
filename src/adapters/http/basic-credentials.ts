import { TokenRequestError } from './token-request-error.js';

export interface BasicCredentials {
  readonly username: string;
  readonly secret: string;
}

const BASIC = /^Basic +([A-Za-z0-9+/]+=*) *$/i;

/**
 * Reads `Authorization: Basic …`. No header means an anonymous request (null); any other scheme or a
 * header that does not decode to `username:secret` is refused like wrong credentials (401), never a
 * silent fall-back to anonymous.
 */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | null {
  if (header === undefined || header === '') return null;
  const match = BASIC.exec(header);
  if (!match) throw new TokenRequestError('invalid_credentials', 'the Authorization header must use the Basic scheme');
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new TokenRequestError('invalid_credentials', 'Basic credentials must be base64 of username:secret');
  return { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

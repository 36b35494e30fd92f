/** Prefixes that say what a bearer string is, so a leaked one is recognised (and secret scanners can match). */
export const REFRESH_TOKEN_PREFIX = 'regauth_rt_';
export const ADMIN_KEY_PREFIX = 'regauth_admin_';

const RANDOM_PART = /^[A-Za-z0-9_-]{43}$/;

/** Whether `text` could be a token made with `prefix`: 32 random bytes in base64url follow it. */
export function isWellFormedOpaqueToken(text: string, prefix: string): boolean {
  return text.startsWith(prefix) && RANDOM_PART.test(text.slice(prefix.length));
}

import { checksummedSecretFormat } from '../checksummed-secret.js';

/**
 * Passwords of minted (federated) credentials: `regauth_fed_`, 32 base62 characters (190 bits), a base62
 * CRC32. Never the shape of a deploy-token secret (whose random part has no `_`), so the token endpoint tells
 * the two apart on the text alone, and secret scanners can name what leaked.
 */
export const FEDERATED_PASSWORD_PREFIX = 'regauth_fed_';

const FEDERATED_PASSWORD = checksummedSecretFormat(FEDERATED_PASSWORD_PREFIX);

/** Builds a password from (at least) 32 random or derived bytes. */
export function composeFederatedPassword(bytes: Uint8Array): string {
  return FEDERATED_PASSWORD.compose(bytes);
}

/** True for a password with the prefix and a matching checksum: anything else is refused without a lookup. */
export function isWellFormedFederatedPassword(text: string): boolean {
  return FEDERATED_PASSWORD.isWellFormed(text);
}

/** Whether the text claims to be a minted password (even a mistyped one): it is then judged as one. */
export function looksLikeFederatedPassword(text: string): boolean {
  return text.startsWith(FEDERATED_PASSWORD_PREFIX);
}

/** Refresh tokens bound to a minted credential, in the opaque-token format (`regauth_fedrt_` + 43 base64url). */
export const FEDERATED_REFRESH_TOKEN_PREFIX = 'regauth_fedrt_';

/** Usernames of minted credentials: `oidc-` and the credential's id. */
export const FEDERATED_USERNAME_PREFIX = 'oidc-';

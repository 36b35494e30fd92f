import { CHECKSUMMED_RANDOM_LENGTH, checksummedSecretFormat } from './checksummed-secret.js';

/** Recognisable prefix so secret scanners can find a leaked deploy-token secret. */
export const SECRET_PREFIX = 'regauth_';

const DEPLOY_TOKEN_SECRET = checksummedSecretFormat(SECRET_PREFIX);
export const SECRET_RANDOM_LENGTH = CHECKSUMMED_RANDOM_LENGTH;
/** Every secret has exactly this length; any other text is refused before a lookup or a hash. */
export const SECRET_LENGTH = DEPLOY_TOKEN_SECRET.length;

/** Builds a secret from random bytes: prefix, base62 random part, then a base62 CRC32 of that part. */
export function composeSecret(randomBytes: Uint8Array): string {
  return DEPLOY_TOKEN_SECRET.compose(randomBytes);
}

/** True when the text has a secret's shape and its checksum matches. */
export function isWellFormedSecret(text: string): boolean {
  return DEPLOY_TOKEN_SECRET.isWellFormed(text);
}

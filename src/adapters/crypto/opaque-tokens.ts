import { createHash, randomBytes } from 'node:crypto';
import type { OpaqueTokens } from '../../app/ports.js';

const RANDOM_BYTES = 32;

/** 256 random bits, base64url; a SHA-256 digest is enough to store something that cannot be guessed. */
export const randomOpaqueTokens: OpaqueTokens = {
  generate: (prefix) => `${prefix}${randomBytes(RANDOM_BYTES).toString('base64url')}`,
  digest: (token) => createHash('sha256').update(token, 'utf8').digest('hex'),
};

import { crc32 } from 'node:zlib';

/** Recognisable prefix so secret scanners can find a leaked deploy-token secret. */
export const SECRET_PREFIX = 'regauth_';

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SECRET_RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
/** Every secret has exactly this length; any other text is refused before a lookup or a hash. */
export const SECRET_LENGTH = SECRET_PREFIX.length + SECRET_RANDOM_LENGTH + CHECKSUM_LENGTH;
const SECRET_SHAPE = new RegExp(`^${SECRET_PREFIX}[0-9A-Za-z]{${SECRET_RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/**
 * Builds a secret from random bytes: prefix, base62 random part, then a base62 CRC32 of that part, so a
 * scanner (and this service) can tell a real secret from a typo or a random string without a lookup.
 */
export function composeSecret(randomBytes: Uint8Array): string {
  if (randomBytes.length < SECRET_RANDOM_LENGTH) {
    throw new RangeError(`need at least ${SECRET_RANDOM_LENGTH} random bytes`);
  }
  let randomPart = '';
  for (const byte of randomBytes.subarray(0, SECRET_RANDOM_LENGTH)) {
    // 256 is not a multiple of 62, so eight characters come up a little more often; the part still
    // carries over 180 bits of entropy, far beyond guessing.
    randomPart += BASE62_ALPHABET[byte % 62];
  }
  return `${SECRET_PREFIX}${randomPart}${checksum(randomPart)}`;
}

/** True when the text has a secret's shape and its checksum matches. */
export function isWellFormedSecret(text: string): boolean {
  if (text.length !== SECRET_LENGTH || !SECRET_SHAPE.test(text)) return false;
  const body = text.slice(SECRET_PREFIX.length);
  const randomPart = body.slice(0, SECRET_RANDOM_LENGTH);
  return body.slice(SECRET_RANDOM_LENGTH) === checksum(randomPart);
}

function checksum(randomPart: string): string {
  let value = crc32(randomPart);
  let encoded = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    encoded = BASE62_ALPHABET[value % 62] + encoded;
    value = Math.floor(value / 62);
  }
  return encoded;
}

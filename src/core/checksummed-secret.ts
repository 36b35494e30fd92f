import { crc32 } from 'node:zlib';

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const CHECKSUMMED_RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

/**
 * The shape of regauth's high-entropy secrets: a recognisable prefix, a base62 random part, then a base62
 * CRC32 of that part, so a scanner (and this service) can tell a real secret from a typo or a random string
 * without a lookup.
 */
export interface ChecksummedSecretFormat {
  readonly prefix: string;
  /** Every secret of the format has exactly this length. */
  readonly length: number;
  compose(randomBytes: Uint8Array): string;
  /** True when the text has the format's shape and its checksum matches. */
  isWellFormed(text: string): boolean;
}

export function checksummedSecretFormat(prefix: string): ChecksummedSecretFormat {
  const length = prefix.length + CHECKSUMMED_RANDOM_LENGTH + CHECKSUM_LENGTH;
  const shape = new RegExp(`^${prefix}[0-9A-Za-z]{${CHECKSUMMED_RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);
  return {
    prefix,
    length,
    compose(randomBytes) {
      if (randomBytes.length < CHECKSUMMED_RANDOM_LENGTH) {
        throw new RangeError(`need at least ${CHECKSUMMED_RANDOM_LENGTH} random bytes`);
      }
      let randomPart = '';
      for (const byte of randomBytes.subarray(0, CHECKSUMMED_RANDOM_LENGTH)) {
        // 256 is not a multiple of 62, so eight characters come up a little more often; the part still
        // carries over 180 bits of entropy, far beyond guessing.
        randomPart += BASE62_ALPHABET[byte % 62];
      }
      return `${prefix}${randomPart}${checksum(randomPart)}`;
    },
    isWellFormed(text) {
      if (text.length !== length || !shape.test(text)) return false;
      const body = text.slice(prefix.length);
      return body.slice(CHECKSUMMED_RANDOM_LENGTH) === checksum(body.slice(0, CHECKSUMMED_RANDOM_LENGTH));
    },
  };
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

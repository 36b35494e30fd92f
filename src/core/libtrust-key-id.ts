import { createHash } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The key id registry 2.8 looks up in its `rootcertbundle`: SHA-256 of the DER SubjectPublicKeyInfo,
 * first 240 bits, base32 without padding, in 12 groups of 4 joined by `:`.
 */
export function libtrustKeyId(subjectPublicKeyInfoDer: Uint8Array): string {
  const digest = createHash('sha256').update(subjectPublicKeyInfoDer).digest().subarray(0, 30);
  const encoded = base32(digest);
  return (encoded.match(/.{4}/g) ?? []).join(':');
}

function base32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      output += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}

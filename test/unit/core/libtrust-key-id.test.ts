import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { libtrustKeyId } from '../../../src/core/libtrust-key-id.js';

const FC_SEED = 20_260_105;
const KID_FORMAT = /^[A-Z2-7]{4}(?::[A-Z2-7]{4}){11}$/;

function spkiDer(fixture: string): Uint8Array {
  const pem = readFileSync(new URL(`../../fixtures/${fixture}`, import.meta.url), 'utf8');
  return createPublicKey(pem).export({ type: 'spki', format: 'der' });
}

// Expected kids computed by libtrust itself: docker/libtrust at commit aabc10e, a throwaway Go main that
// called libtrust.LoadPublicKeyFile(<fixture>) and printed KeyID(). Cross-checked with
//   openssl pkey -pubin -in test/fixtures/<fixture> -outform DER | sha256sum | head -c 60 | xxd -r -p | base32
// which printed the same 48 characters without the colons.
// (The spec's example kid PYYO:TEWU:... is not derivable from any published key, so it is not a vector.)
describe('libtrustKeyId matches libtrust KeyID()', () => {
  test.each<[string, string]>([
    ['libtrust-rsa.pub.pem', '6Z5T:4G7E:JE5V:63AI:NVCL:EOCX:HXPZ:PFAC:5N7A:YGDS:6T66:ZDCH'],
    ['libtrust-p256.pub.pem', 'SSP5:BUB6:G4GE:HAJW:SLPK:V3KU:4YPQ:GVZP:BVAO:6TYR:CS2A:Q7PK'],
  ])('%s → %s', (fixture, kid) => {
    const keyId = libtrustKeyId(spkiDer(fixture));
    expect(keyId).toBe(kid);
    expect(keyId).toMatch(KID_FORMAT);
  });
});

/** Plain reference: SHA-256, first 240 bits, read five bits at a time into base32. */
function referenceKeyId(der: Uint8Array): string {
  const bits = [...createHash('sha256').update(der).digest().subarray(0, 30)]
    .map((byte) => byte.toString(2).padStart(8, '0'))
    .join('');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let encoded = '';
  for (let i = 0; i < bits.length; i += 5) encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return (encoded.match(/.{4}/g) ?? []).join(':');
}

describe('libtrustKeyId format', () => {
  test('the id of empty input is the base32 of the first 30 bytes of SHA-256("")', () => {
    // printf '' | sha256sum | head -c 60 | xxd -r -p | base32
    expect(libtrustKeyId(new Uint8Array())).toBe('4OYM:IQUY:7QOB:JGX3:6TEJ:S35Z:EQT2:4QPE:MSNZ:GTFE:SWMR:W6CS');
  });

  test('any input gives 12 groups of 4 base32 characters, as the plain reference computes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const keyId = libtrustKeyId(bytes);
        expect(keyId).toMatch(KID_FORMAT);
        expect(keyId).toHaveLength(59);
        expect(keyId).toBe(referenceKeyId(bytes));
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

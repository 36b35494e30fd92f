import { calculateJwkThumbprint } from 'jose';
import { registryJwk, registryJwks, signingAlgorithmOf } from '../../../src/core/registry-jwk.js';

// RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint.
const RFC7638_RSA = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3' +
    'oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA' +
    'ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-' +
    'kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const P256 = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const KID = 'SSP5:BUB6:G4GE:HAJW:SLPK:V3KU:4YPQ:GVZP:BVAO:6TYR:CS2A:Q7PK';

describe('registryJwk', () => {
  test('an RSA key: public members only, the kid given, RS256, use sig', () => {
    expect(registryJwk({ ...RFC7638_RSA, d: 'private', p: 'p', q: 'q' }, KID)).toEqual({
      kty: 'RSA',
      n: RFC7638_RSA.n,
      e: 'AQAB',
      kid: KID,
      alg: 'RS256',
      use: 'sig',
    });
  });

  test('a P-256 key: ES256', () => {
    expect(registryJwk({ ...P256, d: 'private' }, KID)).toEqual({ ...P256, kid: KID, alg: 'ES256', use: 'sig' });
  });

  test.each([
    [{ kty: 'EC', crv: 'P-384', x: 'a', y: 'b' }, 'not an RSA or P-256 public key: kty EC, crv P-384'],
    [{ kty: 'OKP', crv: 'Ed25519', x: 'a' }, 'not an RSA or P-256 public key: kty OKP, crv Ed25519'],
    [{ kty: 'oct', k: 'secret' }, 'not an RSA or P-256 public key: kty oct'],
    [{ kty: 'RSA', e: 'AQAB' }, 'not an RSA or P-256 public key: kty RSA'],
  ])('refuses %j', (jwk, message) => {
    expect(() => registryJwk(jwk, KID)).toThrow(message);
  });

  test('the thumbprint of the entry is the RFC 7638 thumbprint of the key (kid, alg and use are not hashed)', async () => {
    const entry = registryJwk(RFC7638_RSA, KID);
    expect(await calculateJwkThumbprint(entry, 'sha256')).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('signingAlgorithmOf', () => {
  test.each([
    [{ kty: 'RSA' }, 'RS256'],
    [{ kty: 'EC', crv: 'P-256' }, 'ES256'],
    [{ kty: 'EC', crv: 'P-521' }, null],
    [{ kty: 'OKP', crv: 'Ed25519' }, null],
  ])('%j → %p', (jwk, algorithm) => {
    expect(signingAlgorithmOf(jwk)).toBe(algorithm);
  });
});

test('registryJwks keeps the order given', () => {
  const a = registryJwk(RFC7638_RSA, 'A');
  const b = registryJwk(P256, 'B');
  expect(registryJwks([a, b])).toEqual({ keys: [a, b] });
});

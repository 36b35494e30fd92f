import fc from 'fast-check';
import { checkIdentityTokenClaims, MAX_IDENTITY_CLAIM_LENGTH, type ClaimExpectations } from '../../../src/core/federation/identity-token-claims.js';

const NOW = new Date('2026-12-03T12:00:00Z');
const T = NOW.getTime() / 1000;
const EXPECTED: ClaimExpectations = { audience: 'registry', leewaySeconds: 30, maxTokenAgeSeconds: null };

const VALID = { aud: 'registry', sub: 'system:serviceaccount:ci:builder', jti: 'j-1', iat: T - 5, exp: T + 600 };

function failureOf(overrides: Record<string, unknown>, expected: ClaimExpectations = EXPECTED) {
  const result = checkIdentityTokenClaims({ ...VALID, ...overrides }, expected, NOW);
  return result.ok ? null : result.failure;
}

describe('checkIdentityTokenClaims', () => {
  it('passes a valid set and reports its subject, jti and times', () => {
    expect(checkIdentityTokenClaims(VALID, EXPECTED, NOW)).toEqual({
      ok: true,
      claims: { subject: VALID.sub, jwtId: 'j-1', issuedAt: new Date((T - 5) * 1000), expiresAt: new Date((T + 600) * 1000) },
    });
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['aud as an array holding the audience', { aud: ['registry'] }, 'aud', 'not_a_single_string'],
    ['aud missing', { aud: undefined }, 'aud', 'missing_or_not_a_string'],
    ['aud another service', { aud: 'other' }, 'aud', 'mismatch'],
    ['aud differing in case', { aud: 'Registry' }, 'aud', 'mismatch'],
    ['exp missing', { exp: undefined }, 'exp', 'missing'],
    ['exp as text', { exp: `${T + 600}` }, 'exp', 'not_a_number'],
    ['exp infinite', { exp: Infinity }, 'exp', 'not_a_number'],
    ['exp one second past the leeway', { exp: T - 31 }, 'exp', 'expired'],
    ['iat missing', { iat: undefined }, 'iat', 'missing'],
    ['iat as text', { iat: `${T}` }, 'iat', 'not_a_number'],
    ['iat one second past the leeway ahead', { iat: T + 31 }, 'iat', 'in_the_future'],
    ['nbf as text', { nbf: `${T}` }, 'nbf', 'not_a_number'],
    ['nbf one second past the leeway ahead', { nbf: T + 31 }, 'nbf', 'not_yet_valid'],
    ['sub missing', { sub: undefined }, 'sub', 'missing_or_not_a_bounded_string'],
    ['sub a number', { sub: 1 }, 'sub', 'missing_or_not_a_bounded_string'],
    ['sub empty', { sub: '' }, 'sub', 'missing_or_not_a_bounded_string'],
    ['sub too long', { sub: 's'.repeat(MAX_IDENTITY_CLAIM_LENGTH + 1) }, 'sub', 'missing_or_not_a_bounded_string'],
    ['jti missing', { jti: undefined }, 'jti', 'missing_or_not_a_bounded_string'],
    ['jti a number', { jti: 7 }, 'jti', 'missing_or_not_a_bounded_string'],
  ])('refuses %s', (_name, overrides, check, reason) => {
    expect(failureOf(overrides)).toMatchObject({ check, reason });
  });

  test.each<[string, Record<string, unknown>]>([
    ['exp within the leeway behind', { exp: T - 30 }],
    ['iat within the leeway ahead', { iat: T + 30 }],
    ['nbf within the leeway ahead', { nbf: T + 30 }],
    ['sub of the longest length', { sub: 's'.repeat(MAX_IDENTITY_CLAIM_LENGTH) }],
    ['claims it does not know', { repository: 'octo/app', extra: { nested: true } }],
  ])('passes %s', (_name, overrides) => {
    expect(failureOf(overrides)).toBeNull();
  });

  it('enforces the maximum age only when the issuer sets one', () => {
    const old = { iat: T - 3600 };
    expect(failureOf(old)).toBeNull();
    expect(failureOf(old, { ...EXPECTED, maxTokenAgeSeconds: 3569 })).toMatchObject({ check: 'iat', reason: 'too_old' });
    expect(failureOf(old, { ...EXPECTED, maxTokenAgeSeconds: 3570 })).toBeNull();
  });

  it('keeps a mismatched aud cut to the audit bound', () => {
    expect(JSON.stringify(failureOf({ aud: 'a'.repeat(10_000) })).length).toBeLessThan(400);
  });

  it('never passes a token that expired beyond the leeway, whatever else it holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 31, max: 10 ** 9 }), fc.dictionary(fc.string(), fc.jsonValue()), (pastLeeway, extra) => {
        const claims = { ...extra, ...VALID, exp: T - pastLeeway };
        return !checkIdentityTokenClaims(claims, EXPECTED, NOW).ok;
      }),
    );
  });

  it('never passes an aud other than the single configured string', () => {
    fc.assert(
      fc.property(fc.jsonValue().filter((aud) => aud !== 'registry'), (aud) => {
        const result = checkIdentityTokenClaims({ ...VALID, aud }, EXPECTED, NOW);
        return !result.ok && result.failure.check === 'aud';
      }),
    );
  });

  it('passes exactly the sets whose times all lie within the leeway', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (iatOffset, expOffset) => {
        const result = checkIdentityTokenClaims({ ...VALID, iat: T + iatOffset, exp: T + expOffset }, EXPECTED, NOW);
        return result.ok === (iatOffset <= 30 && expOffset >= -30);
      }),
    );
  });
});

import { boundAuditText } from '../audit-bounds.js';

/** Longest `sub` or `jti` accepted: GitHub's and GitLab's are under 300 characters. */
export const MAX_IDENTITY_CLAIM_LENGTH = 1_024;

/** What a verified token's claims are checked against. */
export interface ClaimExpectations {
  readonly audience: string;
  readonly leewaySeconds: number;
  readonly maxTokenAgeSeconds: number | null;
}

/** Which claim failed and why, for the audit event: never the token, and client text bounded. */
export interface ClaimFailure {
  readonly check: string;
  readonly reason: string;
  readonly expected?: unknown;
  readonly got?: unknown;
}

/** The claims a credential is minted from, once every check has passed. */
export interface CheckedClaims {
  readonly subject: string;
  readonly jwtId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export type ClaimCheck = { readonly ok: true; readonly claims: CheckedClaims } | { readonly ok: false; readonly failure: ClaimFailure };

/**
 * The checks of FEDERATION.md step 5 on a token whose signature verified: `aud` a single string equal to the
 * audience (an array is refused even when it holds the audience), `exp` and `iat` required, `iat` not in the
 * future, `nbf` honoured, the maximum age if one is set, all within the leeway; `sub` and `jti` non-empty,
 * bounded strings.
 */
export function checkIdentityTokenClaims(claims: Readonly<Record<string, unknown>>, expected: ClaimExpectations, now: Date): ClaimCheck {
  const nowSeconds = now.getTime() / 1000;
  const leeway = expected.leewaySeconds;
  const fail = (failure: ClaimFailure): ClaimCheck => ({ ok: false, failure });

  const { aud } = claims;
  if (typeof aud !== 'string') return fail({ check: 'aud', reason: Array.isArray(aud) ? 'not_a_single_string' : 'missing_or_not_a_string' });
  if (aud !== expected.audience) return fail({ check: 'aud', reason: 'mismatch', expected: expected.audience, got: boundAuditText(aud) });

  const exp = numericDate(claims.exp);
  if (exp === null) return fail({ check: 'exp', reason: claims.exp === undefined ? 'missing' : 'not_a_number' });
  if (nowSeconds > exp + leeway) return fail({ check: 'exp', reason: 'expired', expected: `before ${exp + leeway}`, got: nowSeconds });

  const iat = numericDate(claims.iat);
  if (iat === null) return fail({ check: 'iat', reason: claims.iat === undefined ? 'missing' : 'not_a_number' });
  if (iat > nowSeconds + leeway) return fail({ check: 'iat', reason: 'in_the_future', got: iat });
  if (expected.maxTokenAgeSeconds !== null && nowSeconds - iat > expected.maxTokenAgeSeconds + leeway) {
    return fail({ check: 'iat', reason: 'too_old', expected: expected.maxTokenAgeSeconds, got: nowSeconds - iat });
  }

  if (claims.nbf !== undefined) {
    const nbf = numericDate(claims.nbf);
    if (nbf === null) return fail({ check: 'nbf', reason: 'not_a_number' });
    if (nbf > nowSeconds + leeway) return fail({ check: 'nbf', reason: 'not_yet_valid', got: nbf });
  }

  const subject = boundedString(claims.sub);
  if (subject === null) return fail({ check: 'sub', reason: 'missing_or_not_a_bounded_string' });
  const jwtId = boundedString(claims.jti);
  if (jwtId === null) return fail({ check: 'jti', reason: 'missing_or_not_a_bounded_string' });

  return { ok: true, claims: { subject, jwtId, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) } };
}

function numericDate(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function boundedString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_IDENTITY_CLAIM_LENGTH ? value : null;
}

import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { boundAuditText } from '../../core/audit-bounds.js';
import { checkIdentityTokenClaims } from '../../core/federation/identity-token-claims.js';
import type { JsonWebKeySet, TrustedIssuer } from '../../core/federation/trusted-issuer.js';
import type { Clock } from '../ports.js';
import { unavailableOnFailure } from '../unavailable.js';
import { IdentityTokenError } from './federation-errors.js';
import type { IdentityTokenVerifier, KeySetSource, TrustedIssuerStore, VerifiedIdentityToken } from './federation-ports.js';

/** Longest compact token looked at: CI and service-account tokens are 1–3 KiB. */
export const MAX_IDENTITY_TOKEN_LENGTH = 16 * 1024;

/** Longest `kid` looked up. */
const MAX_KEY_ID_LENGTH = 256;

export interface JwtIdentityTokenVerifierDeps {
  readonly issuers: Pick<TrustedIssuerStore, 'findByIssuerUrl'>;
  readonly keySets: KeySetSource;
  readonly clock: Clock;
}

/** What the token says about itself before anything is verified: all that may steer the lookups. */
interface UnverifiedRouting {
  readonly issuerUrl: string;
  readonly keyId: unknown;
}

/**
 * Verifies identity tokens in FEDERATION.md's order: the unverified `iss` and `kid` only, an exact issuer
 * lookup before any network access, the key from the issuer's key set, the signature with the issuer's
 * pinned algorithms, then the claims. Every refusal names the failed check in its detail.
 */
export class JwtIdentityTokenVerifier implements IdentityTokenVerifier {
  constructor(private readonly deps: JwtIdentityTokenVerifierDeps) {}

  async verify(token: string): Promise<VerifiedIdentityToken> {
    const { issuerUrl, keyId } = readRouting(token);
    const issuer = await unavailableOnFailure('the trusted-issuer store', () => this.deps.issuers.findByIssuerUrl(issuerUrl));
    if (issuer === null || !issuer.enabled) {
      throw new IdentityTokenError('untrusted_issuer', { check: 'iss', reason: issuer === null ? 'unknown' : 'disabled', got: boundAuditText(issuerUrl) });
    }
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > MAX_KEY_ID_LENGTH) {
      throw invalid({ check: 'kid', reason: 'missing_or_not_a_bounded_string' });
    }
    const keySet = await unavailableOnFailure(`the key set of issuer "${issuer.name}"`, () => this.deps.keySets.keySetFor(issuer, keyId));
    if (keySet === null) throw invalid({ check: 'kid', reason: 'unknown_key', got: keyId });

    const now = this.deps.clock.now();
    const payload = await verifySignature(token, issuer, keyOf(keySet, keyId), now);
    const checked = checkIdentityTokenClaims(payload, issuer, now);
    if (!checked.ok) throw invalid({ ...checked.failure });
    return { issuer, claims: payload, ...checked.claims, tokenDigest: createHash('sha256').update(token).digest('hex') };
  }
}

function invalid(detail: Readonly<Record<string, unknown>>): IdentityTokenError {
  return new IdentityTokenError('invalid_identity_token', detail);
}

function readRouting(token: string): UnverifiedRouting {
  if (token.length === 0 || token.length > MAX_IDENTITY_TOKEN_LENGTH) throw invalid({ check: 'format', reason: 'length', got: token.length });
  let header: Readonly<Record<string, unknown>>;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw invalid({ check: 'format', reason: 'not_a_compact_jwt' });
  }
  const { iss } = payload;
  if (typeof iss !== 'string' || iss.length === 0) throw invalid({ check: 'iss', reason: 'missing_or_not_a_string' });
  return { issuerUrl: iss, keyId: header.kid };
}

/** Only the key the token names, so a key set of many keys is never tried key by key. */
function keyOf(keySet: JsonWebKeySet, keyId: string): JsonWebKeySet {
  return { keys: keySet.keys.filter((key) => key.kid === keyId) };
}

async function verifySignature(token: string, issuer: TrustedIssuer, keySet: JsonWebKeySet, now: Date): Promise<JWTPayload> {
  try {
    const keys = createLocalJWKSet({ keys: keySet.keys.map((key) => ({ ...key })) });
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [...issuer.algorithms],
      issuer: issuer.issuerUrl,
      currentDate: now,
      clockTolerance: issuer.leewaySeconds,
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw invalid(detailOfJoseError(error, token));
    throw error;
  }
}

function detailOfJoseError(error: InstanceType<typeof joseErrors.JOSEError>, token: string): Record<string, unknown> {
  if (error instanceof joseErrors.JWTClaimValidationFailed || error instanceof joseErrors.JWTExpired) {
    return { check: error.claim, reason: error.reason };
  }
  switch (error.code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { check: 'alg', reason: 'not_pinned', got: boundAuditText(String(headerAlgorithm(token))) };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { check: 'signature', reason: 'mismatch' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWKS_INVALID':
      return { check: 'kid', reason: 'no_usable_key' };
    default:
      return { check: 'format', reason: error.code };
  }
}

function headerAlgorithm(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

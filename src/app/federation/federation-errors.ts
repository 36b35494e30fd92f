import { RegauthError } from '../../core/regauth-error.js';

/**
 * Stable codes a client sees for a refused identity token. The detail (which check failed, expected vs got)
 * is for the audit event only: a client learns nothing of the configuration.
 */
export const IDENTITY_TOKEN_ERROR_CODES = [
  /** Not a JWT, bad signature, wrong audience, expired, missing claims, unknown key. */
  'invalid_identity_token',
  /** `iss` names no enabled trusted issuer. */
  'untrusted_issuer',
  /** No enabled policy of the issuer matches the claims (or a fork trigger was refused). */
  'no_matching_policy',
  /** `jti` already used (`once`), or used by a different token (`idempotent`). */
  'identity_token_replayed',
] as const;
export type IdentityTokenErrorCode = (typeof IDENTITY_TOKEN_ERROR_CODES)[number];

export class IdentityTokenError extends RegauthError {
  constructor(
    readonly code: IdentityTokenErrorCode,
    /** For the audit event: which check failed; never contains the token. */
    readonly detail: Readonly<Record<string, unknown>>,
  ) {
    super(messageFor(code));
    this.name = 'IdentityTokenError';
  }
}

function messageFor(code: IdentityTokenErrorCode): string {
  switch (code) {
    case 'invalid_identity_token':
      return 'the identity token is not valid for this service';
    case 'untrusted_issuer':
      return 'the identity token comes from an issuer this service does not trust';
    case 'no_matching_policy':
      return 'no trust policy grants access to this identity';
    case 'identity_token_replayed':
      return 'this identity token has already been used';
  }
}

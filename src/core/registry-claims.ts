import type { AccessEntry } from './access-policy.js';

/** The registry rejects tokens shorter-lived than this in practice: clients treat less as 60 s. */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;

/** `nbf` is set this far back so a registry whose clock runs slightly behind accepts a fresh token. */
export const NOT_BEFORE_SKEW_SECONDS = 5;

export interface RegistryTokenClaims {
  readonly iss: string;
  readonly sub?: string;
  readonly aud: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  readonly access: readonly AccessEntry[];
}

export interface RegistryClaimsInput {
  readonly issuer: string;
  /** The registry's `service`; the registry wants it as a single string `aud`, never an array. */
  readonly service: string;
  /** Absent for anonymous callers. */
  readonly subject?: string;
  readonly access: readonly AccessEntry[];
  readonly issuedAt: Date;
  readonly lifetimeSeconds: number;
  readonly jwtId: string;
}

export function buildRegistryClaims(input: RegistryClaimsInput): RegistryTokenClaims {
  if (!Number.isInteger(input.lifetimeSeconds) || input.lifetimeSeconds < MIN_TOKEN_LIFETIME_SECONDS) {
    throw new RangeError(`token lifetime must be an integer of at least ${MIN_TOKEN_LIFETIME_SECONDS} seconds`);
  }
  // The registry rejects float timestamps as malformed.
  const issuedAt = Math.floor(input.issuedAt.getTime() / 1000);
  return {
    iss: input.issuer,
    ...(input.subject === undefined ? {} : { sub: input.subject }),
    aud: input.service,
    iat: issuedAt,
    nbf: issuedAt - NOT_BEFORE_SKEW_SECONDS,
    exp: issuedAt + input.lifetimeSeconds,
    jti: input.jwtId,
    access: input.access,
  };
}

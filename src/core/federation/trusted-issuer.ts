/** A JSON Web Key Set as published at an issuer's `jwks_uri`. */
export interface JsonWebKeySet {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

export const ISSUER_KINDS = ['github', 'gitlab', 'kubernetes', 'generic'] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

/** Where an issuer's signing keys come from. */
export type KeySource =
  | { readonly kind: 'discovery' }
  | { readonly kind: 'jwks_uri'; readonly uri: string }
  | { readonly kind: 'inline'; readonly jwks: JsonWebKeySet };

export const REPLAY_MODES = ['once', 'idempotent'] as const;
/** `once`: a `jti` mints one credential; `idempotent`: the same token again gets the same credential back. */
export type ReplayMode = (typeof REPLAY_MODES)[number];

/** An OIDC issuer whose identity tokens may be exchanged for registry credentials. */
export interface TrustedIssuer {
  readonly id: number;
  readonly name: string;
  readonly kind: IssuerKind;
  /** Exact `iss` value, normalised once when saved (no trailing slash). */
  readonly issuerUrl: string;
  /** The single `aud` string a token must carry. */
  readonly audience: string;
  readonly keySource: KeySource;
  /** Signature algorithms accepted, never taken from the token's header. */
  readonly algorithms: readonly string[];
  readonly leewaySeconds: number;
  /** Tokens issued (`iat`) longer ago than this are refused; null: only `exp` counts. */
  readonly maxTokenAgeSeconds: number | null;
  readonly replayMode: ReplayMode;
  /** Names on it can be registered by anyone (GitHub, GitLab.com): policies must pin an owner ID. */
  readonly multiTenant: boolean;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

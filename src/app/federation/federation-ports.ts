import type { RegistryScope } from '../../core/deploy-token.js';
import type { JsonWebKeySet, TrustedIssuer } from '../../core/federation/trusted-issuer.js';
import type { TrustPolicy } from '../../core/federation/trust-policy.js';

export type NewTrustedIssuer = Omit<TrustedIssuer, 'id' | 'createdAt' | 'updatedAt'> & { readonly createdAt: Date };
export type TrustedIssuerChanges = Partial<Omit<TrustedIssuer, 'id' | 'createdAt' | 'updatedAt'>>;

/** Persistence of trusted issuers. `create` throws NameTakenError when the name or issuer URL exists. */
export interface TrustedIssuerStore {
  create(issuer: NewTrustedIssuer): Promise<TrustedIssuer>;
  findById(id: number): Promise<TrustedIssuer | null>;
  findByName(name: string): Promise<TrustedIssuer | null>;
  /** Exact match on the normalised URL: the only lookup a presented token's `iss` may cause. */
  findByIssuerUrl(issuerUrl: string): Promise<TrustedIssuer | null>;
  list(): Promise<TrustedIssuer[]>;
  update(id: number, changes: TrustedIssuerChanges, at: Date): Promise<TrustedIssuer | null>;
}

export type NewTrustPolicy = Omit<TrustPolicy, 'id' | 'createdAt' | 'updatedAt' | 'lastUsedAt'> & { readonly createdAt: Date };
export type TrustPolicyChanges = Partial<Omit<TrustPolicy, 'id' | 'createdAt' | 'updatedAt' | 'lastUsedAt'>>;

export interface TrustPolicyStore {
  create(policy: NewTrustPolicy): Promise<TrustPolicy>;
  findById(id: number): Promise<TrustPolicy | null>;
  findByName(name: string): Promise<TrustPolicy | null>;
  /** Every policy of the issuer, enabled or not, in id order. */
  listForIssuer(issuerId: number): Promise<TrustPolicy[]>;
  list(): Promise<TrustPolicy[]>;
  update(id: number, changes: TrustPolicyChanges, at: Date): Promise<TrustPolicy | null>;
  markUsed(id: number, at: Date): Promise<void>;
}

/** Non-secret claims kept with a minted credential and put in its audit events. */
export type ClaimsSnapshot = Readonly<Record<string, string>>;

/** A short-lived registry credential minted from a verified identity token. */
export interface FederatedCredential {
  readonly id: number;
  /** `oidc-<id>`-shaped, unique. */
  readonly username: string;
  readonly policyId: number;
  readonly issuerId: number;
  /** What the policy granted when it was minted. */
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly claims: ClaimsSnapshot;
  /** Subject of the identity token it was minted from. */
  readonly subject: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** What the verifier established about a presented identity token. */
export interface VerifiedIdentityToken {
  readonly issuer: TrustedIssuer;
  /** Every claim, as decoded after the signature verified. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly subject: string;
  readonly jwtId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** SHA-256 (hex) of the compact token, so the same token can be told from another with its `jti`. */
  readonly tokenDigest: string;
}

/** Verifies an identity token's issuer, key, signature and claims (FEDERATION.md steps 1–5). */
export interface IdentityTokenVerifier {
  /** Throws IdentityTokenError (codes below), or ServiceUnavailableError when no key set can be had. */
  verify(token: string): Promise<VerifiedIdentityToken>;
}

/** Fetches and caches issuers' key sets: only ever for a configured issuer. */
export interface KeySetSource {
  /** The key set that holds `keyId`, refreshing at most once per cooldown on a miss; null when none has it. */
  keySetFor(issuer: TrustedIssuer, keyId: string): Promise<JsonWebKeySet | null>;
}

export type { JsonWebKeySet };

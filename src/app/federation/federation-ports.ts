import type { RegistryScope } from '../../core/deploy-token.js';
import type { JsonWebKeySet, TrustedIssuer } from '../../core/federation/trusted-issuer.js';
import type { TrustPolicy } from '../../core/federation/trust-policy.js';
import type { DeployTokenChangeListener } from '../ports.js';

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

/** What a mint stores: the credential (its username is made from its id) and the use of the identity token. */
export interface NewFederatedCredential {
  readonly passwordDigest: string;
  readonly refreshTokenDigest: string | null;
  readonly policyId: number;
  readonly issuerId: number;
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly claims: ClaimsSnapshot;
  readonly subject: string;
  readonly jwtId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** One presentation of an identity token, for replay protection: kept until `expiresAt` (its exp + leeway). */
export interface IdentityTokenUse {
  readonly issuerId: number;
  readonly jwtId: string;
  readonly tokenDigest: string;
  readonly expiresAt: Date;
}

/** How a mint in `once` mode ended: the (issuer, jti) was used before, or the credential is stored. */
export type OnceMintOutcome =
  | { readonly outcome: 'minted'; readonly credential: FederatedCredential }
  | { readonly outcome: 'replayed' };

/**
 * How a mint in `idempotent` mode ended. `existing`: the same token was presented before, and its latest
 * credential (whatever its status, for the caller to judge) is the `mint`-th the token has had, the number its
 * password was derived from. `minted`: this presentation stored the `mint`-th.
 */
export type IdempotentMintOutcome =
  | { readonly outcome: 'minted'; readonly credential: FederatedCredential; readonly mint: number }
  | { readonly outcome: 'existing'; readonly credential: FederatedCredential; readonly mint: number }
  | { readonly outcome: 'replayed' };

export interface FederatedCredentialQuery {
  /** Status as of `now`. */
  readonly status?: 'active' | 'expired' | 'revoked';
  readonly now: Date;
  /** Keyset pagination: only ids greater than this. */
  readonly afterId?: number;
  readonly limit?: number;
}

/** A use of a minted credential on the token endpoint, written in batches. */
export interface FederatedCredentialUse {
  readonly id: number;
  readonly at: Date;
}

/**
 * Minted credentials that changed on any replica (revoked, deleted), by username: the same listener as the
 * deploy tokens' feed, so the same invalidation keeps a cache true to the store.
 */
export interface FederatedCredentialChangeFeed {
  /** Calls `resumed` once the feed is live; returns the unsubscribe function. */
  subscribe(listener: DeployTokenChangeListener): Promise<() => Promise<void>>;
}

/**
 * Minted credentials recently found by their password digest, so a warm login costs no query. Like the
 * deploy tokens' cache: take a `ticket()` before reading the store; a `remember` whose ticket predates a
 * `forget` or `suspend` is dropped, so a revocation that lands while a login reads the store is never papered
 * over by what that login read.
 */
export interface FederatedCredentialCache {
  ticket(): number;
  /** The credential remembered for this username and password digest; null for anything else. */
  lookup(username: string, passwordDigest: string): FederatedCredential | null;
  remember(credential: FederatedCredential, passwordDigest: string, ticket: number): void;
  forget(username: string): void;
  /** Forgets everything and answers nothing until `resume`: changes may be going unseen. */
  suspend(): void;
  resume(): void;
}

/**
 * Minted credentials and the identity-token uses that guard against replay, in one store: a mint records
 * the use and inserts the credential in one transaction, so two replicas presenting one `jti` at once
 * cannot both win.
 */
export interface FederatedCredentialStore {
  /** `once` replay mode: the first presentation of (issuer, jti) stores the credential; any later one is refused. */
  mintOnce(use: IdentityTokenUse, credential: NewFederatedCredential): Promise<OnceMintOutcome>;
  /**
   * `idempotent` replay mode: a (issuer, jti) seen with another token digest is refused; seen with the same
   * one, its latest credential comes back, unless `reissue(it)` says it may not be used any more (expired,
   * not revoked): then `build(mints)` makes a new one, numbered so its derived password differs.
   */
  mintIdempotent(
    use: IdentityTokenUse,
    build: (mints: number) => Promise<NewFederatedCredential>,
    reissue: (existing: FederatedCredential) => boolean,
  ): Promise<IdempotentMintOutcome>;
  findById(id: number): Promise<FederatedCredential | null>;
  findByUsername(username: string): Promise<FederatedCredential | null>;
  /** The hot path of a login with a minted password: by the HMAC of the password, returned for a constant-time comparison. */
  findByPasswordDigest(passwordDigest: string): Promise<{ readonly credential: FederatedCredential; readonly passwordDigest: string } | null>;
  findByRefreshTokenDigest(refreshTokenDigest: string): Promise<FederatedCredential | null>;
  /** Binds a (new) refresh token to the credential; an earlier one stops working. False when no such credential. */
  setRefreshTokenDigest(id: number, refreshTokenDigest: string): Promise<boolean>;
  /** In id order. */
  list(query: FederatedCredentialQuery): Promise<FederatedCredential[]>;
  /** Marks it revoked at `at` unless it already is; null when no such credential exists. */
  revoke(id: number, at: Date): Promise<FederatedCredential | null>;
  /** Never moves last_used_at backwards. */
  recordUses(uses: readonly FederatedCredentialUse[]): Promise<void>;
  /** Deletes up to `limit` identity-token uses whose `expiresAt` has passed; returns how many. */
  deleteExpiredUses(now: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` credentials expired before `cutoff`; returns how many. */
  deleteExpiredCredentials(cutoff: Date, limit: number): Promise<number>;
}

/** Secrets the service makes for itself and shares among replicas (stored in the database). */
export interface ServiceSecretStore {
  /** The secret called `name`: the stored one, or `generate()`'s, stored now if no replica stored one first. */
  getOrCreate(name: string, generate: () => string): Promise<string>;
}

/** What an idempotent issuer's token derives its password from: the same token gives the same password. */
export interface PasswordDerivation {
  readonly issuerId: number;
  readonly jwtId: string;
  readonly tokenDigest: string;
  /** Which credential of the token this is (1 for the first). */
  readonly mint: number;
}

/** Passwords of minted credentials and their keyed digests (HMAC-SHA256 with a key every replica shares). */
export interface FederatedPasswords {
  random(): string;
  derived(from: PasswordDerivation): Promise<string>;
  /** The keyed hash the store is looked up by. */
  digest(password: string): Promise<string>;
  /** Constant-time comparison of two digests. */
  digestsEqual(a: string, b: string): boolean;
}

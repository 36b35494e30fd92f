import type { DeployToken, DeployTokenStatus, RegistryScope } from '../core/deploy-token.js';
import type { DeployTokenSort } from '../core/deploy-token-sort.js';
import type { RegistryTokenClaims } from '../core/registry-claims.js';

export interface NewDeployToken {
  readonly name: string;
  /** Null asks the store for a generated `deploy-token-<id>`. */
  readonly username: string | null;
  readonly secretHash: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly expiresAt: Date | null;
  readonly tokenLifetimeSeconds: number | null;
  readonly createdAt: Date;
  /** Who creates it (an audit actor), kept as the issuer of its first secret; absent: not known. */
  readonly createdBy?: string | null;
}

/** Fields an update may change; absent fields stay as they are. */
export interface DeployTokenChanges {
  readonly name?: string;
  readonly repositories?: readonly string[];
  readonly scopes?: readonly RegistryScope[];
  readonly expiresAt?: Date | null;
  readonly tokenLifetimeSeconds?: number | null;
}

/** Which deploy tokens a search matches; every condition given must hold. */
export interface DeployTokenFilter {
  /** The time statuses, expiries and "unused" are judged at. */
  readonly now: Date;
  /** Lowercase text found in the name, the username or one of the repository patterns. */
  readonly text?: string;
  /** Status as of `now`. */
  readonly status?: DeployTokenStatus;
  readonly scope?: RegistryScope;
  /** Not yet expired at `now`, and expiring at or before this. */
  readonly expiresBy?: Date;
  /** Last used at or before this, or never used and created at or before it. */
  readonly unusedSince?: Date;
  /** Revoked at or after this. */
  readonly revokedSince?: Date;
  /**
   * Has a pattern that may cover this repository: exact for plain patterns, while a pattern with wildcards
   * always passes (the glob matcher is not SQL), so the caller confirms these with patternCovers.
   */
  readonly mayCover?: string;
  readonly ids?: readonly number[];
  /** Keyset paging in id order: only ids greater than this. */
  readonly afterId?: number;
}

export interface DeployTokenSearch extends DeployTokenFilter {
  readonly sort: DeployTokenSort;
  readonly offset: number;
  /** 0 counts without reading any token. */
  readonly limit: number;
}

export interface DeployTokenSearchResult {
  /** The page: at most `limit` tokens from `offset` on, in the sort order. */
  readonly tokens: DeployToken[];
  /** How many tokens match in all. */
  readonly total: number;
}

/** Just the repository patterns of a token, for filters the store cannot apply itself. */
export interface DeployTokenPatterns {
  readonly id: number;
  readonly repositories: readonly string[];
}

/** A use of a deploy token, written in batches. */
export interface DeployTokenUse {
  readonly id: number;
  readonly at: Date;
  readonly clientIp: string | null;
}

/** Persistence of deploy tokens. `create` throws UsernameTakenError when the username exists. */
export interface DeployTokenStore {
  create(token: NewDeployToken): Promise<DeployToken>;
  findById(id: number): Promise<DeployToken | null>;
  findByUsername(username: string): Promise<DeployToken | null>;
  /** One sorted page of the tokens the filter matches, and how many match in all. */
  search(query: DeployTokenSearch): Promise<DeployTokenSearchResult>;
  /** The patterns of every token the filter matches, in the sort order. */
  listPatterns(filter: DeployTokenFilter, sort: DeployTokenSort): Promise<DeployTokenPatterns[]>;
  /** Null when no such token exists. */
  update(id: number, changes: DeployTokenChanges, at: Date): Promise<DeployToken | null>;
  /** Replaces the secret's hash, records who issued it, and drops the refresh tokens made from the old secret. */
  rotateSecret(id: number, secretHash: string, at: Date, by?: string | null): Promise<DeployToken | null>;
  /** Marks the token revoked at `at` unless it already is; null when no such token exists. */
  revoke(id: number, at: Date): Promise<DeployToken | null>;
  /** Records when and from where tokens were last used; never moves last_used_at backwards. */
  recordUses(uses: readonly DeployTokenUse[]): Promise<void>;
  /** Resolves when the store answers a query. */
  ping(): Promise<void>;
}

export interface NewRefreshToken {
  readonly deployTokenId: number;
  /** The generation of the secret the login verified. */
  readonly secretGeneration: number;
  readonly tokenHash: string;
  readonly clientId: string | null;
  readonly createdAt: Date;
}

export interface RefreshTokenRecord {
  readonly id: number;
  readonly deployTokenId: number;
  readonly clientId: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** Refresh (identity) tokens, kept as a SHA-256 of the token. Only those of the deploy token's current secret count. */
export interface RefreshTokenStore {
  /** Stores it unless the deploy token's secret has moved on from `secretGeneration`: false then. */
  create(token: NewRefreshToken): Promise<boolean>;
  /**
   * The refresh token and its deploy token, whatever the deploy token's status; null for an unknown token or
   * one minted from an earlier secret.
   */
  find(tokenHash: string): Promise<{ readonly refreshToken: RefreshTokenRecord; readonly deployToken: DeployToken } | null>;
  markUsed(id: number, at: Date): Promise<void>;
  /** The deploy token's refresh tokens of its current secret, oldest first. */
  listForDeployToken(deployTokenId: number): Promise<RefreshTokenRecord[]>;
  /** Deletes one refresh token of a deploy token; null when it has no such one. */
  delete(deployTokenId: number, id: number): Promise<RefreshTokenRecord | null>;
}

export interface AdminKey {
  readonly id: number;
  readonly name: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** Keys for the admin API, kept as a SHA-256 of the key. */
export interface AdminKeyStore {
  create(key: { name: string; keyHash: string; createdAt: Date }): Promise<AdminKey>;
  findByHash(keyHash: string): Promise<AdminKey | null>;
  findById(id: number): Promise<AdminKey | null>;
  list(): Promise<AdminKey[]>;
  revoke(id: number, at: Date): Promise<AdminKey | null>;
  markUsed(id: number, at: Date): Promise<void>;
}

export const AUDIT_EVENT_TYPES = [
  'token.created',
  'token.updated',
  'token.rotated',
  'token.extended',
  'token.revoked',
  'refresh_token.revoked',
  'token.issued',
  'auth.failed',
  'federation.refused',
  'admin_key.created',
  'admin_key.revoked',
  'federated_credential.minted',
  'federated_credential.revoked',
  'issuer.created',
  'issuer.updated',
  'policy.created',
  'policy.updated',
  'sso.signed_in',
  'sso.refused',
  'key.rotated',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEvent {
  readonly occurredAt: Date;
  readonly event: AuditEventType;
  /** Who did it: `cli`, `admin-key:<name>`, or the deploy token's username for token requests. */
  readonly actor: string | null;
  readonly deployTokenId: number | null;
  readonly username: string | null;
  readonly clientIp: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface RecordedAuditEvent extends AuditEvent {
  readonly id: number;
}

export interface AuditQuery {
  readonly event?: AuditEventType;
  readonly deployTokenId?: number;
  readonly username?: string;
  /** Events whose actor contains this text, in any case (`alice` finds `admin-key:alice via ui`). */
  readonly actor?: string;
  readonly since?: Date;
  /** Only events that occurred before this. */
  readonly until?: Date;
  /** Keyset pagination, newest first: only ids below this. */
  readonly beforeId?: number;
  readonly limit: number;
}

export interface AuditLog {
  /** One statement: all the events are committed, or none. */
  record(events: readonly AuditEvent[]): Promise<void>;
  /** Newest first. */
  query(query: AuditQuery): Promise<RecordedAuditEvent[]>;
  /** Deletes up to `limit` of the oldest events that occurred before `cutoff`; returns how many it deleted. */
  deleteOlderThan(cutoff: Date, limit: number): Promise<number>;
}

/** What was concluded the last time a username and secret were checked. */
export type RememberedCheck =
  | { readonly outcome: 'verified'; readonly token: DeployToken }
  | { readonly outcome: 'refused' };

/**
 * Recent credential checks, so that repeating a username and secret costs no bcrypt. Take a `ticket()`
 * before reading the store: a `remember…` whose ticket predates a `forget` or `suspend` is dropped, so a
 * change that lands while a check is under way is never papered over by what that check read.
 */
export interface CredentialCache {
  ticket(): number;
  /** Nothing changed, and nothing can have gone unseen, since `ticket` was taken. */
  isCurrent(ticket: number): boolean;
  lookup(username: string, secret: string): RememberedCheck | null;
  rememberVerified(username: string, secret: string, token: DeployToken, ticket: number): void;
  rememberRefused(username: string, secret: string, ticket: number): void;
  forget(username: string): void;
  /** Forgets everything and answers nothing until `resume`: changes may be going unseen. */
  suspend(): void;
  resume(): void;
}

export interface DeployTokenChangeListener {
  changed(username: string): void;
  /** Changes may be missed from now until `resumed`. */
  interrupted(): void;
  resumed(): void;
}

/** Changes to deploy tokens made anywhere: this process, the CLI, another replica, plain SQL. */
export interface DeployTokenChangeFeed {
  /** Calls `resumed` once the feed is live; returns the unsubscribe function. */
  subscribe(listener: DeployTokenChangeListener): Promise<() => Promise<void>>;
}

export interface SecretHasher {
  hash(secret: string): Promise<string>;
  verify(secret: string, hash: string): Promise<boolean>;
}

export interface SecretGenerator {
  generate(): string;
}

export interface RegistryTokenSigner {
  readonly keyId: string;
  sign(claims: RegistryTokenClaims): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Lets a caller skip building the fields of a line that would be dropped; absent: every level is. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

/** High-entropy bearer tokens (refresh tokens, admin keys): made at random, kept only as a digest. */
export interface OpaqueTokens {
  generate(prefix: string): string;
  digest(token: string): string;
}

/** A login with a username and secret, as the brute-force protection sees it. */
export interface LoginAttempt {
  readonly username: string;
  readonly clientIp: string;
}

/** What the brute-force protection allows a login that may go on to a lookup and a hash. */
export interface LoginAllowance {
  /** The (username, address) has failures on record, which a success then clears. */
  readonly pendingFailures: boolean;
  /**
   * The address has spent its budget of hashing work: an unknown username is refused without the hash
   * that would otherwise hide that it is unknown. Valid credentials are never refused for it.
   */
  readonly addressOverBudget: boolean;
}

/**
 * Brute-force protection, shared by every replica. It locks a (username, address) that keeps failing and
 * limits the hashing work one address (an IPv6 /64) can cause; it never refuses a secret that verifies because
 * of what others at the same address did. Any failure but TooManyAttemptsError means its store is down.
 */
export interface LoginThrottle {
  /**
   * No I/O, for a request that needs no database (a secret that passed bcrypt moments ago): throws
   * TooManyAttemptsError when this process saw the (username, address) locked out, and says whether it saw
   * failures of it.
   */
  recall(attempt: LoginAttempt): { readonly pendingFailures: boolean };
  /** Throws TooManyAttemptsError while the attempt's (username, address) is locked out. */
  assertAllowed(attempt: LoginAttempt): Promise<LoginAllowance>;
  /** A wrong secret: counts for the (username, address) lockout and, when it cost a hash, for the address's budget. */
  recordFailure(attempt: LoginAttempt, cost: { readonly hashed: boolean }): Promise<void>;
  /** A check turned away because the hashing queue was full: counts for the address's budget. */
  recordTurnedAway(clientIp: string): Promise<void>;
  /** Forgets the failures of the attempt's (username, address). */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}

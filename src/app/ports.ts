import type { DeployToken, DeployTokenStatus, RegistryScope } from '../core/deploy-token.js';
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
}

/** Fields an update may change; absent fields stay as they are. */
export interface DeployTokenChanges {
  readonly name?: string;
  readonly repositories?: readonly string[];
  readonly scopes?: readonly RegistryScope[];
  readonly expiresAt?: Date | null;
  readonly tokenLifetimeSeconds?: number | null;
}

export interface DeployTokenQuery {
  /** Status as of `now`. */
  readonly status?: DeployTokenStatus;
  readonly now: Date;
  /** Keyset pagination: only ids greater than this. */
  readonly afterId?: number;
  readonly limit?: number;
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
  /** Tokens in id order. */
  list(query?: DeployTokenQuery): Promise<DeployToken[]>;
  /** Null when no such token exists. */
  update(id: number, changes: DeployTokenChanges, at: Date): Promise<DeployToken | null>;
  /** Replaces the secret's hash and drops the refresh tokens made from the old secret. */
  rotateSecret(id: number, secretHash: string, at: Date): Promise<DeployToken | null>;
  /** Marks the token revoked at `at` unless it already is; null when no such token exists. */
  revoke(id: number, at: Date): Promise<DeployToken | null>;
  /** Records when and from where tokens were last used; never moves last_used_at backwards. */
  recordUses(uses: readonly DeployTokenUse[]): Promise<void>;
  /** Resolves when the store answers a query. */
  ping(): Promise<void>;
}

/** Refresh (identity) tokens, kept as a SHA-256 of the token. */
export interface RefreshTokenStore {
  create(token: { deployTokenId: number; tokenHash: string; clientId: string | null; createdAt: Date }): Promise<void>;
  /** The deploy token a refresh token belongs to, whatever its status; null for an unknown token. */
  findDeployToken(tokenHash: string): Promise<DeployToken | null>;
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
  'token.revoked',
  'token.issued',
  'auth.failed',
  'admin_key.created',
  'admin_key.revoked',
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
  readonly since?: Date;
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
}

/** High-entropy bearer tokens (refresh tokens, admin keys): made at random, kept only as a digest. */
export interface OpaqueTokens {
  generate(prefix: string): string;
  digest(token: string): string;
}

/** A login as the brute-force protection sees it; `username` is null when only a refresh token was sent. */
export interface LoginAttempt {
  readonly username: string | null;
  readonly clientIp: string;
}

/** Brute-force protection, shared by every replica. Any failure but TooManyAttemptsError means its store is down. */
export interface LoginThrottle {
  /**
   * No I/O, for a request that needs no database (a secret that passed bcrypt moments ago): throws
   * TooManyAttemptsError when this process saw the attempt locked out, and says whether it saw failures.
   */
  recall(attempt: LoginAttempt): { readonly pendingFailures: boolean };
  /**
   * Throws TooManyAttemptsError while the attempt's (username, address) or address is locked out; otherwise
   * says whether that (username, address) has failures on record, which a success would then clear.
   */
  assertAllowed(attempt: LoginAttempt): Promise<{ readonly pendingFailures: boolean }>;
  /** Counts a failed login; may start a lockout. */
  recordFailure(attempt: LoginAttempt): Promise<void>;
  /** Forgets the failures of the attempt's (username, address). */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}

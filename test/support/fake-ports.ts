import { InMemoryTrustedIssuerStore, InMemoryTrustPolicyStore } from './in-memory-federation-stores.js';
import type {
  AdminKey,
  AdminKeyStore,
  AuditEvent,
  AuditLog,
  AuditQuery,
  DeployTokenChanges,
  DeployTokenFilter,
  DeployTokenPatterns,
  DeployTokenSearch,
  DeployTokenSearchResult,
  DeployTokenStore,
  DeployTokenUse,
  LoginAllowance,
  LoginAttempt,
  LoginThrottle,
  NewDeployToken,
  NewRefreshToken,
  RecordedAuditEvent,
  RefreshTokenRecord,
  RefreshTokenStore,
  SecretHasher,
} from '../../src/app/ports.js';
import { TooManyAttemptsError } from '../../src/app/errors.js';
import { deployTokenStatus } from '../../src/core/deploy-token.js';
import type { DeployToken } from '../../src/core/deploy-token.js';
import type { DeployTokenSort } from '../../src/core/deploy-token-sort.js';

/** An in-memory DeployTokenStore that counts what it is asked, for use-case tests. */
export class InMemoryDeployTokenStore implements DeployTokenStore {
  readonly tokens: DeployToken[] = [];
  lookups = 0;
  recordedUses: DeployTokenUse[] = [];
  failWith: Error | null = null;

  private check(): void {
    if (this.failWith !== null) throw this.failWith;
  }

  async create(token: NewDeployToken): Promise<DeployToken> {
    this.check();
    const id = this.tokens.length + 1;
    const created: DeployToken = {
      id,
      name: token.name,
      username: token.username ?? `deploy-token-${id}`,
      secretHash: token.secretHash,
      repositories: token.repositories,
      scopes: token.scopes,
      expiresAt: token.expiresAt,
      revokedAt: null,
      createdAt: token.createdAt,
      lastUsedAt: null,
      lastUsedIp: null,
      tokenLifetimeSeconds: token.tokenLifetimeSeconds,
      updatedAt: null,
      secretGeneration: 1,
      secretIssuedAt: token.createdAt,
      secretIssuedBy: token.createdBy ?? null,
    };
    this.tokens.push(created);
    return created;
  }

  async findById(id: number): Promise<DeployToken | null> {
    this.check();
    return this.tokens.find((token) => token.id === id) ?? null;
  }

  async findByUsername(username: string): Promise<DeployToken | null> {
    this.check();
    this.lookups += 1;
    return this.tokens.find((token) => token.username === username) ?? null;
  }

  async search(query: DeployTokenSearch): Promise<DeployTokenSearchResult> {
    this.check();
    const matching = this.matching(query, query.sort);
    return { tokens: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  }

  async listPatterns(filter: DeployTokenFilter, sort: DeployTokenSort): Promise<DeployTokenPatterns[]> {
    this.check();
    return this.matching(filter, sort).map((token) => ({ id: token.id, repositories: token.repositories }));
  }

  /** The SQL store's conditions and order, in plain code. */
  private matching(filter: DeployTokenFilter, sort: DeployTokenSort): DeployToken[] {
    const now = filter.now.getTime();
    const text = filter.text;
    const repository = filter.mayCover;
    const matches = (token: DeployToken) =>
      (filter.status === undefined || deployTokenStatus(token, filter.now) === filter.status) &&
      (text === undefined ||
        token.name.toLowerCase().includes(text) ||
        token.username.includes(text) ||
        token.repositories.some((pattern) => pattern.toLowerCase().includes(text))) &&
      (filter.scope === undefined || token.scopes.includes(filter.scope)) &&
      (filter.expiresBy === undefined ||
        (token.expiresAt !== null && token.expiresAt.getTime() > now && token.expiresAt.getTime() <= filter.expiresBy.getTime())) &&
      (filter.unusedSince === undefined || (token.lastUsedAt ?? token.createdAt).getTime() <= filter.unusedSince.getTime()) &&
      (filter.revokedSince === undefined || (token.revokedAt !== null && token.revokedAt.getTime() >= filter.revokedSince.getTime())) &&
      (repository === undefined ||
        token.repositories.some((pattern) => pattern.includes('*') || pattern === repository || repository.startsWith(`${pattern}/`))) &&
      (filter.ids === undefined || filter.ids.includes(token.id)) &&
      (filter.afterId === undefined || token.id > filter.afterId);
    const sign = sort.direction === 'asc' ? 1 : -1;
    const byTime = (value: Date | null, nullsFirst: boolean) => (value === null ? (nullsFirst ? -Infinity : Infinity) : value.getTime());
    const key = (token: DeployToken): number | string => {
      switch (sort.field) {
        case 'name':
          return token.name.toLowerCase();
        case 'created':
          return token.id;
        case 'expires':
          return byTime(token.expiresAt, false);
        case 'lastUsed':
          return byTime(token.lastUsedAt, true);
      }
    };
    return this.tokens.filter(matches).sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
      return (a.id - b.id) * sign;
    });
  }

  async update(id: number, changes: DeployTokenChanges, at: Date): Promise<DeployToken | null> {
    this.check();
    return this.change(id, (token) => ({ ...token, ...changes, updatedAt: at }));
  }

  async rotateSecret(id: number, secretHash: string, at: Date, by: string | null = null): Promise<DeployToken | null> {
    this.check();
    return this.change(id, (token) => ({
      ...token,
      secretHash,
      secretGeneration: token.secretGeneration + 1,
      updatedAt: at,
      secretIssuedAt: at,
      secretIssuedBy: by,
    }));
  }

  async revoke(id: number, at: Date): Promise<DeployToken | null> {
    this.check();
    return this.change(id, (token) => ({ ...token, revokedAt: token.revokedAt ?? at }));
  }

  async recordUses(uses: readonly DeployTokenUse[]): Promise<void> {
    this.check();
    this.recordedUses.push(...uses);
    for (const use of uses) this.change(use.id, (token) => ({ ...token, lastUsedAt: use.at, lastUsedIp: use.clientIp }));
  }

  async ping(): Promise<void> {
    this.check();
  }

  private change(id: number, change: (token: DeployToken) => DeployToken): DeployToken | null {
    const index = this.tokens.findIndex((token) => token.id === id);
    if (index < 0) return null;
    const updated = change(this.tokens[index] as DeployToken);
    this.tokens[index] = updated;
    return updated;
  }
}

/** A hasher whose "hash" is readable, and that records which hashes it compared against. */
export class TransparentHasher implements SecretHasher {
  readonly comparedAgainst: string[] = [];

  async hash(secret: string): Promise<string> {
    return `hash(${secret})`;
  }

  async verify(secret: string, hash: string): Promise<boolean> {
    this.comparedAgainst.push(hash);
    return hash === `hash(${secret})`;
  }
}

/** Refresh tokens in memory, looked up in a DeployTokenStore as the SQL join does. */
export class InMemoryRefreshTokenStore implements RefreshTokenStore {
  readonly tokens = new Map<string, RefreshTokenRecord & { secretGeneration: number }>();
  private nextId = 1;

  constructor(private readonly deployTokens: InMemoryDeployTokenStore) {}

  async create(token: NewRefreshToken): Promise<boolean> {
    const deployToken = await this.deployTokens.findById(token.deployTokenId);
    if (deployToken?.secretGeneration !== token.secretGeneration) return false;
    this.tokens.set(token.tokenHash, {
      id: this.nextId++,
      deployTokenId: token.deployTokenId,
      secretGeneration: token.secretGeneration,
      clientId: token.clientId,
      createdAt: token.createdAt,
      lastUsedAt: null,
    });
    return true;
  }

  async find(tokenHash: string): Promise<{ refreshToken: RefreshTokenRecord; deployToken: DeployToken } | null> {
    const refreshToken = this.tokens.get(tokenHash);
    if (refreshToken === undefined) return null;
    const deployToken = await this.deployTokens.findById(refreshToken.deployTokenId);
    if (deployToken === null || deployToken.secretGeneration !== refreshToken.secretGeneration) return null;
    return { refreshToken, deployToken };
  }

  async markUsed(id: number, at: Date): Promise<void> {
    for (const [hash, token] of this.tokens) if (token.id === id) this.tokens.set(hash, { ...token, lastUsedAt: at });
  }

  async listForDeployToken(deployTokenId: number): Promise<RefreshTokenRecord[]> {
    const deployToken = await this.deployTokens.findById(deployTokenId);
    return [...this.tokens.values()].filter((token) => token.deployTokenId === deployTokenId && token.secretGeneration === deployToken?.secretGeneration);
  }

  async delete(deployTokenId: number, id: number): Promise<RefreshTokenRecord | null> {
    for (const [hash, token] of this.tokens) {
      if (token.id === id && token.deployTokenId === deployTokenId) {
        this.tokens.delete(hash);
        return token;
      }
    }
    return null;
  }
}

/** An audit log in memory. */
export class InMemoryAuditLog implements AuditLog {
  readonly events: RecordedAuditEvent[] = [];

  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const doomed = new Set(this.events.filter((event) => event.occurredAt < cutoff).slice(0, limit));
    const kept = this.events.filter((event) => !doomed.has(event));
    this.events.splice(0, this.events.length, ...kept);
    return doomed.size;
  }

  async record(events: readonly AuditEvent[]): Promise<void> {
    for (const event of events) this.events.push({ ...event, id: this.events.length + 1 });
  }

  async query(query: AuditQuery): Promise<RecordedAuditEvent[]> {
    return [...this.events]
      .reverse()
      .filter((event) => query.event === undefined || event.event === query.event)
      .filter((event) => query.deployTokenId === undefined || event.deployTokenId === query.deployTokenId)
      .filter((event) => query.actor === undefined || (event.actor ?? '').toLowerCase().includes(query.actor.toLowerCase()))
      .filter((event) => query.since === undefined || event.occurredAt >= query.since)
      .filter((event) => query.until === undefined || event.occurredAt < query.until)
      .filter((event) => query.beforeId === undefined || event.id < query.beforeId)
      .slice(0, query.limit);
  }
}

/** Admin keys in memory. */
export class InMemoryAdminKeyStore implements AdminKeyStore {
  readonly keys: (AdminKey & { keyHash: string })[] = [];

  async create(key: { name: string; keyHash: string; createdAt: Date }): Promise<AdminKey> {
    const created = { id: this.keys.length + 1, name: key.name, keyHash: key.keyHash, createdAt: key.createdAt, revokedAt: null, lastUsedAt: null };
    this.keys.push(created);
    return created;
  }

  async findByHash(keyHash: string): Promise<AdminKey | null> {
    return this.keys.find((key) => key.keyHash === keyHash) ?? null;
  }

  async findById(id: number): Promise<AdminKey | null> {
    return this.keys.find((key) => key.id === id) ?? null;
  }

  async list(): Promise<AdminKey[]> {
    return [...this.keys];
  }

  async revoke(id: number, at: Date): Promise<AdminKey | null> {
    const index = this.keys.findIndex((key) => key.id === id);
    if (index < 0) return null;
    const key = this.keys[index] as AdminKey & { keyHash: string };
    this.keys[index] = { ...key, revokedAt: key.revokedAt ?? at };
    return this.keys[index] ?? null;
  }

  async markUsed(id: number, at: Date): Promise<void> {
    const index = this.keys.findIndex((key) => key.id === id);
    if (index >= 0) this.keys[index] = { ...(this.keys[index] as AdminKey & { keyHash: string }), lastUsedAt: at };
  }
}

/** Every store the service needs, in memory. */
export function inMemoryStores(store: InMemoryDeployTokenStore = new InMemoryDeployTokenStore()) {
  return {
    store,
    refreshTokens: new InMemoryRefreshTokenStore(store),
    adminKeys: new InMemoryAdminKeyStore(),
    auditLog: new InMemoryAuditLog(),
    trustedIssuers: new InMemoryTrustedIssuerStore(),
    trustPolicies: new InMemoryTrustPolicyStore(),
  };
}

/**
 * A LoginThrottle that records what it is told; `lockedFor` locks every attempt, `failWith` breaks it,
 * `pendingFailures` is what it says is on record, `addressOverBudget` what it says of the address.
 */
export class RecordingLoginThrottle implements LoginThrottle {
  readonly calls: [method: 'assertAllowed' | 'recordFailure' | 'recordTurnedAway' | 'recordSuccess', subject: LoginAttempt | string, hashed?: boolean][] = [];
  lockedFor: number | null = null;
  failWith: Error | null = null;
  pendingFailures = true;
  addressOverBudget = false;

  recall(): { pendingFailures: boolean } {
    return { pendingFailures: false };
  }

  async assertAllowed(attempt: LoginAttempt): Promise<LoginAllowance> {
    this.calls.push(['assertAllowed', attempt]);
    if (this.failWith !== null) throw this.failWith;
    if (this.lockedFor !== null) throw new TooManyAttemptsError(this.lockedFor);
    return { pendingFailures: this.pendingFailures, addressOverBudget: this.addressOverBudget };
  }

  async recordFailure(attempt: LoginAttempt, cost: { hashed: boolean }): Promise<void> {
    this.calls.push(['recordFailure', attempt, cost.hashed]);
    if (this.failWith !== null) throw this.failWith;
  }

  async recordTurnedAway(clientIp: string): Promise<void> {
    this.calls.push(['recordTurnedAway', clientIp]);
    if (this.failWith !== null) throw this.failWith;
  }

  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    this.calls.push(['recordSuccess', attempt]);
    if (this.failWith !== null) throw this.failWith;
  }
}

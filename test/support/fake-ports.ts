import type { DeployTokenStore, NewDeployToken, SecretHasher } from '../../src/app/ports.js';
import type { DeployToken } from '../../src/core/deploy-token.js';

/** An in-memory DeployTokenStore that counts what it is asked, for use-case tests. */
export class InMemoryDeployTokenStore implements DeployTokenStore {
  readonly tokens: DeployToken[] = [];
  lookups = 0;
  markUsedCalls = 0;
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

  async list(): Promise<DeployToken[]> {
    this.check();
    return [...this.tokens];
  }

  async revoke(id: number, at: Date): Promise<DeployToken | null> {
    this.check();
    return this.update(id, (token) => ({ ...token, revokedAt: token.revokedAt ?? at }));
  }

  async markUsed(id: number, at: Date): Promise<void> {
    this.check();
    this.markUsedCalls += 1;
    this.update(id, (token) => ({ ...token, lastUsedAt: at }));
  }

  async ping(): Promise<void> {
    this.check();
  }

  private update(id: number, change: (token: DeployToken) => DeployToken): DeployToken | null {
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

import { NameTakenError } from '../../src/app/federation/federation-admin-errors.js';
import type {
  NewTrustedIssuer,
  NewTrustPolicy,
  TrustedIssuerChanges,
  TrustedIssuerStore,
  TrustPolicyChanges,
  TrustPolicyStore,
} from '../../src/app/federation/federation-ports.js';
import type { TrustedIssuer } from '../../src/core/federation/trusted-issuer.js';
import type { TrustPolicy } from '../../src/core/federation/trust-policy.js';

/** Trusted issuers in memory, unique by name and URL as in SQL. */
export class InMemoryTrustedIssuerStore implements TrustedIssuerStore {
  readonly issuers: TrustedIssuer[] = [];

  async create(issuer: NewTrustedIssuer): Promise<TrustedIssuer> {
    if (this.issuers.some((other) => other.name === issuer.name || other.issuerUrl === issuer.issuerUrl)) throw new NameTakenError(issuer.name);
    const created = { ...issuer, id: this.issuers.length + 1, updatedAt: null };
    this.issuers.push(created);
    return created;
  }

  async findById(id: number): Promise<TrustedIssuer | null> {
    return this.issuers.find((issuer) => issuer.id === id) ?? null;
  }

  async findByName(name: string): Promise<TrustedIssuer | null> {
    return this.issuers.find((issuer) => issuer.name === name) ?? null;
  }

  async findByIssuerUrl(issuerUrl: string): Promise<TrustedIssuer | null> {
    return this.issuers.find((issuer) => issuer.issuerUrl === issuerUrl) ?? null;
  }

  async list(): Promise<TrustedIssuer[]> {
    return [...this.issuers];
  }

  async update(id: number, changes: TrustedIssuerChanges, at: Date): Promise<TrustedIssuer | null> {
    const index = this.issuers.findIndex((issuer) => issuer.id === id);
    if (index < 0) return null;
    const clash = this.issuers.some((other) => other.id !== id && (other.name === changes.name || other.issuerUrl === changes.issuerUrl));
    if (clash) throw new NameTakenError(changes.name ?? changes.issuerUrl ?? '');
    this.issuers[index] = { ...(this.issuers[index] as TrustedIssuer), ...changes, updatedAt: at };
    return this.issuers[index] ?? null;
  }
}

/** Trust policies in memory. */
export class InMemoryTrustPolicyStore implements TrustPolicyStore {
  readonly policies: TrustPolicy[] = [];

  async create(policy: NewTrustPolicy): Promise<TrustPolicy> {
    if (this.policies.some((other) => other.name === policy.name)) throw new NameTakenError(policy.name);
    const created = { ...policy, id: this.policies.length + 1, updatedAt: null, lastUsedAt: null };
    this.policies.push(created);
    return created;
  }

  async findById(id: number): Promise<TrustPolicy | null> {
    return this.policies.find((policy) => policy.id === id) ?? null;
  }

  async findByName(name: string): Promise<TrustPolicy | null> {
    return this.policies.find((policy) => policy.name === name) ?? null;
  }

  async listForIssuer(issuerId: number): Promise<TrustPolicy[]> {
    return this.policies.filter((policy) => policy.issuerId === issuerId);
  }

  async list(): Promise<TrustPolicy[]> {
    return [...this.policies];
  }

  async update(id: number, changes: TrustPolicyChanges, at: Date): Promise<TrustPolicy | null> {
    const index = this.policies.findIndex((policy) => policy.id === id);
    if (index < 0) return null;
    if (changes.name !== undefined && this.policies.some((other) => other.id !== id && other.name === changes.name)) throw new NameTakenError(changes.name);
    this.policies[index] = { ...(this.policies[index] as TrustPolicy), ...changes, updatedAt: at };
    return this.policies[index] ?? null;
  }

  async markUsed(id: number, at: Date): Promise<void> {
    const index = this.policies.findIndex((policy) => policy.id === id);
    if (index >= 0) this.policies[index] = { ...(this.policies[index] as TrustPolicy), lastUsedAt: at };
  }
}

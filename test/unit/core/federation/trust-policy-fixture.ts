import type { ClaimCondition, TrustPolicy } from '../../../../src/core/federation/trust-policy.js';

export const NOW = new Date('2026-12-03T12:00:00Z');

export function trustPolicy(conditions: readonly ClaimCondition[], overrides: Partial<TrustPolicy> = {}): TrustPolicy {
  return {
    id: 1,
    name: 'ci',
    issuerId: 1,
    conditions,
    repositories: ['team/app'],
    scopes: ['read_registry'],
    credentialLifetimeSeconds: 900,
    allowForkTriggers: false,
    expiresAt: null,
    enabled: true,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

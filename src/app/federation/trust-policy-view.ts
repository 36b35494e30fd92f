import type { RegistryScope } from '../../core/deploy-token.js';
import type { ClaimCondition, TrustPolicy } from '../../core/federation/trust-policy.js';

export interface TrustPolicyView {
  readonly id: number;
  readonly name: string;
  readonly issuerId: number;
  readonly conditions: readonly ClaimCondition[];
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly credentialLifetimeSeconds: number;
  readonly allowForkTriggers: boolean;
  readonly expiresAt: string | null;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string | null;
  readonly lastUsedAt: string | null;
}

export function trustPolicyViewOf(policy: TrustPolicy): TrustPolicyView {
  return {
    ...policy,
    expiresAt: policy.expiresAt?.toISOString() ?? null,
    createdAt: policy.createdAt.toISOString(),
    updatedAt: policy.updatedAt?.toISOString() ?? null,
    lastUsedAt: policy.lastUsedAt?.toISOString() ?? null,
  };
}

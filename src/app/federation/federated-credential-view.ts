import type { RegistryScope } from '../../core/deploy-token.js';
import { deployTokenStatus, type DeployTokenStatus } from '../../core/deploy-token.js';
import type { ClaimsSnapshot, FederatedCredential } from './federation-ports.js';

/** A minted credential as shown to operators: everything but its password's and refresh token's digests. */
export interface FederatedCredentialView {
  readonly id: number;
  readonly username: string;
  readonly issuerId: number;
  readonly policyId: number;
  readonly subject: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly claims: ClaimsSnapshot;
  readonly status: DeployTokenStatus;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export function federatedCredentialViewOf(credential: FederatedCredential, now: Date): FederatedCredentialView {
  return {
    id: credential.id,
    username: credential.username,
    issuerId: credential.issuerId,
    policyId: credential.policyId,
    subject: credential.subject,
    repositories: credential.repositories,
    scopes: credential.scopes,
    claims: credential.claims,
    status: federatedCredentialStatus(credential, now),
    createdAt: credential.createdAt.toISOString(),
    expiresAt: credential.expiresAt.toISOString(),
    revokedAt: credential.revokedAt?.toISOString() ?? null,
    lastUsedAt: credential.lastUsedAt?.toISOString() ?? null,
  };
}

/** Revoked first, then expired: the same judgement as a deploy token's. */
export function federatedCredentialStatus(credential: FederatedCredential, now: Date): DeployTokenStatus {
  return deployTokenStatus(credential, now);
}

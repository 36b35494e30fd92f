import { deployTokenStatus, type DeployToken, type DeployTokenStatus, type RegistryScope } from '../core/deploy-token.js';

/** A deploy token as shown to operators: everything but the secret's hash. */
export interface DeployTokenView {
  readonly id: number;
  readonly name: string;
  readonly username: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly status: DeployTokenStatus;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly lastUsedIp: string | null;
  /** Lifetime of its registry tokens; null means the service's default. */
  readonly tokenLifetimeSeconds: number | null;
  readonly updatedAt: string | null;
  /** When its current secret was issued (created or last rotated), and by whom. */
  readonly secretIssuedAt: string;
  readonly secretIssuedBy: string | null;
}

export function viewOf(token: DeployToken, now: Date): DeployTokenView {
  return {
    id: token.id,
    name: token.name,
    username: token.username,
    repositories: token.repositories,
    scopes: token.scopes,
    status: deployTokenStatus(token, now),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: token.lastUsedIp,
    tokenLifetimeSeconds: token.tokenLifetimeSeconds,
    updatedAt: token.updatedAt?.toISOString() ?? null,
    secretIssuedAt: token.secretIssuedAt.toISOString(),
    secretIssuedBy: token.secretIssuedBy,
  };
}

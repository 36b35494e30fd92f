import type { AccessRights } from './access-policy.js';
import { RegauthError } from './regauth-error.js';
import { ALL_REPOSITORIES } from './repository-pattern.js';

export const REGISTRY_SCOPES = ['read_registry', 'write_registry', 'delete_registry', 'read_catalog'] as const;
export type RegistryScope = (typeof REGISTRY_SCOPES)[number];

export interface DeployToken {
  readonly id: number;
  readonly name: string;
  readonly username: string;
  readonly secretHash: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly lastUsedIp: string | null;
  /** Lifetime of the registry tokens issued for it; null means the service's default. */
  readonly tokenLifetimeSeconds: number | null;
  readonly updatedAt: Date | null;
  /** Counts the secrets it has had (1 for the first): a refresh token works only with the generation it was minted from. */
  readonly secretGeneration: number;
  /** When its current secret was issued: at creation or at the last rotation. */
  readonly secretIssuedAt: Date;
  /** Who issued its current secret (an audit actor); null when no record of it was kept. */
  readonly secretIssuedBy: string | null;
}

export type DeployTokenStatus = 'active' | 'expired' | 'revoked';

export class RegistryScopeError extends RegauthError {
  readonly code = 'invalid_token_scope';

  constructor(readonly scope: string) {
    super(`unknown scope "${scope}": use ${REGISTRY_SCOPES.join(', ')}`);
    this.name = 'RegistryScopeError';
  }
}

export function parseRegistryScope(text: string): RegistryScope {
  const scope = REGISTRY_SCOPES.find((known) => known === text);
  if (scope === undefined) throw new RegistryScopeError(text);
  return scope;
}

/**
 * Repository actions a deploy token's scopes allow. Write implies pull: the registry needs both to push.
 * Delete implies pull too: a cleanup job has to read tags to find the digests it deletes.
 */
export function actionsForScopes(scopes: readonly RegistryScope[]): ReadonlySet<string> {
  const actions = new Set<string>();
  for (const scope of scopes) {
    if (scope === 'read_catalog') continue;
    actions.add('pull');
    if (scope === 'write_registry') actions.add('push');
    if (scope === 'delete_registry') actions.add('delete');
  }
  return actions;
}

/** What a deploy token may do at the registry. */
export function rightsOf(token: Pick<DeployToken, 'repositories' | 'scopes'>): AccessRights {
  return {
    repositories: token.repositories,
    actions: actionsForScopes(token.scopes),
    catalog: token.scopes.includes('read_catalog'),
  };
}

export class CatalogScopeError extends RegauthError {
  readonly code = 'invalid_token_scope';

  constructor() {
    super('read_catalog lists every repository, so it is only for deploy tokens whose repositories include *');
    this.name = 'CatalogScopeError';
  }
}

/** The catalog names every repository in the registry, so only a token that covers all of them may read it. */
export function checkCatalogScope(scopes: readonly RegistryScope[], repositories: readonly string[]): void {
  if (scopes.includes('read_catalog') && !repositories.includes(ALL_REPOSITORIES)) throw new CatalogScopeError();
}

export function deployTokenStatus(token: Pick<DeployToken, 'expiresAt' | 'revokedAt'>, now: Date): DeployTokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

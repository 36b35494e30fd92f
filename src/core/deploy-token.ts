import { RegauthError } from './regauth-error.js';

export const REGISTRY_SCOPES = ['read_registry', 'write_registry'] as const;
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
}

export type DeployTokenStatus = 'active' | 'expired' | 'revoked';

export class RegistryScopeError extends RegauthError {
  readonly code = 'invalid_token_scope';

  constructor(readonly scope: string) {
    super(`unknown scope "${scope}": use ${REGISTRY_SCOPES.join(' or ')}`);
    this.name = 'RegistryScopeError';
  }
}

export function parseRegistryScope(text: string): RegistryScope {
  const scope = REGISTRY_SCOPES.find((known) => known === text);
  if (scope === undefined) throw new RegistryScopeError(text);
  return scope;
}

/** Registry actions a deploy token's scopes allow. Write implies pull: the registry needs both to push. */
export function actionsForScopes(scopes: readonly RegistryScope[]): ReadonlySet<string> {
  const actions = new Set<string>();
  for (const scope of scopes) {
    actions.add('pull');
    if (scope === 'write_registry') actions.add('push');
  }
  return actions;
}

export function deployTokenStatus(token: Pick<DeployToken, 'expiresAt' | 'revokedAt'>, now: Date): DeployTokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

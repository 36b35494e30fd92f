import type { RegistryScope } from '../deploy-token.js';
import { ALL_REPOSITORIES, patternCovers } from '../repository-pattern.js';
import { isValidRepositoryPath } from '../resource-name.js';
import type { TrustPolicy } from './trust-policy.js';

/** What an exchange asks for; absent parts ask for all the policy grants. */
export interface RequestedAccess {
  /** Repository paths (no wildcards). */
  readonly repositories?: readonly string[];
  readonly scopes?: readonly RegistryScope[];
}

export interface GrantedAccess {
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
}

const ANY_DEPTH_SUFFIX = '/**';

/**
 * The grants of a minted credential: the policy's, narrowed to what was requested, never more than either.
 * A requested path becomes a deploy-token pattern that also covers everything below it, so it is kept only
 * when a policy pattern covers that whole subtree (`*`, a plain path, or one ending in `/**`): under
 * `team/*`, a grant of `team/app` would reach `team/app/cache`, which the policy does not. A scope is kept
 * only when the policy has it; read_catalog only with `*`, as for deploy tokens. Null when nothing is left.
 */
export function grantedAccess(
  policy: Pick<TrustPolicy, 'repositories' | 'scopes'>,
  requested: RequestedAccess = {},
): GrantedAccess | null {
  const repositories =
    requested.repositories === undefined
      ? [...policy.repositories]
      : [...new Set(requested.repositories)].filter(
          (repository) =>
            isValidRepositoryPath(repository) && policy.repositories.some((pattern) => coversSubtree(pattern, repository)),
        );
  let scopes =
    requested.scopes === undefined ? [...policy.scopes] : policy.scopes.filter((scope) => requested.scopes?.includes(scope));
  if (!repositories.includes(ALL_REPOSITORIES)) scopes = scopes.filter((scope) => scope !== 'read_catalog');
  if (repositories.length === 0 || scopes.length === 0) return null;
  return { repositories, scopes };
}

function coversSubtree(pattern: string, repository: string): boolean {
  const subtreeSafe = pattern === ALL_REPOSITORIES || !pattern.includes('*') || pattern.endsWith(ANY_DEPTH_SUFFIX);
  return subtreeSafe && patternCovers(pattern, repository);
}

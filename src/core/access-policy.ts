import { patternCovers } from './repository-pattern.js';
import type { ResourceScope } from './scope.js';

/** One entry of the `access` claim, as the registry matches it on (type, name). */
export interface AccessEntry {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** What an authenticated deploy token may do. */
export interface AccessRights {
  readonly repositories: readonly string[];
  /** Repository actions: pull, push, delete. */
  readonly actions: ReadonlySet<string>;
  /** May list the registry's catalog (`registry:catalog:*`). */
  readonly catalog?: boolean;
}

export interface AccessDecision {
  readonly granted: readonly AccessEntry[];
  /** Requested actions that were not granted, for the log; never placed in a token. */
  readonly refused: readonly AccessEntry[];
}

const PULL_ONLY: ReadonlySet<string> = new Set(['pull']);
const CATALOG: ReadonlySet<string> = new Set(['*']);
const NOTHING: ReadonlySet<string> = new Set();

/**
 * Grants the requested actions the rights allow and nothing else (requested ∩ allowed). Anonymous callers
 * (`rights` null) get pull on the public repositories and nothing more; so does everyone else, on top of
 * their own rights. A resource class such as `repository(plugin)` is dropped: the registry matches access
 * entries on the bare type.
 */
export function decideAccess(
  requested: readonly ResourceScope[],
  rights: AccessRights | null,
  publicRepositories: readonly string[] = [],
): AccessDecision {
  const granted: AccessEntry[] = [];
  const refused: AccessEntry[] = [];
  for (const scope of requested) {
    const allowed = allowedActions(scope, rights, publicRepositories);
    const grantedActions = scope.actions.filter((action) => allowed.has(action));
    const refusedActions = scope.actions.filter((action) => !allowed.has(action));
    if (grantedActions.length > 0) granted.push({ type: scope.type, name: scope.name, actions: grantedActions });
    if (refusedActions.length > 0) refused.push({ type: scope.type, name: scope.name, actions: refusedActions });
  }
  return { granted, refused };
}

function allowedActions(
  scope: ResourceScope,
  rights: AccessRights | null,
  publicRepositories: readonly string[],
): ReadonlySet<string> {
  if (scope.type === 'registry') {
    return scope.name === 'catalog' && rights?.catalog === true ? CATALOG : NOTHING;
  }
  if (scope.type !== 'repository') return NOTHING;
  const own =
    rights !== null && rights.repositories.some((pattern) => patternCovers(pattern, scope.name)) ? rights.actions : NOTHING;
  if (own.has('pull') || !publicRepositories.some((pattern) => patternCovers(pattern, scope.name))) return own;
  return own.size === 0 ? PULL_ONLY : new Set([...own, 'pull']);
}

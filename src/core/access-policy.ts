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
  readonly actions: ReadonlySet<string>;
}

export interface AccessDecision {
  readonly granted: readonly AccessEntry[];
  /** Requested actions that were not granted, for the log; never placed in a token. */
  readonly refused: readonly AccessEntry[];
}

/**
 * Grants the requested actions the rights allow and nothing else (requested ∩ allowed). Anonymous callers
 * (`rights` null) get nothing. A resource class such as `repository(plugin)` is dropped: the registry
 * matches access entries on the bare type.
 */
export function decideAccess(requested: readonly ResourceScope[], rights: AccessRights | null): AccessDecision {
  const granted: AccessEntry[] = [];
  const refused: AccessEntry[] = [];
  for (const scope of requested) {
    const allowed = allowedActions(scope, rights);
    const grantedActions = scope.actions.filter((action) => allowed.has(action));
    const refusedActions = scope.actions.filter((action) => !allowed.has(action));
    if (grantedActions.length > 0) granted.push({ type: scope.type, name: scope.name, actions: grantedActions });
    if (refusedActions.length > 0) refused.push({ type: scope.type, name: scope.name, actions: refusedActions });
  }
  return { granted, refused };
}

const NOTHING: ReadonlySet<string> = new Set();

function allowedActions(scope: ResourceScope, rights: AccessRights | null): ReadonlySet<string> {
  if (rights === null || scope.type !== 'repository') return NOTHING;
  const covered = rights.repositories.some((pattern) => patternCovers(pattern, scope.name));
  return covered ? rights.actions : NOTHING;
}

export type SsoRole = 'admin' | 'viewer';

export interface SsoRoleRules {
  /** The claim naming the person's groups: an array of strings, or one string. */
  readonly groupsClaim: string;
  readonly adminGroups: readonly string[];
  readonly viewerGroups: readonly string[];
}

const MAX_GROUPS = 1_000;

/** The groups an identity provider's claims name; anything that is not a string (or a list of them) is none. */
export function groupsOf(claims: Readonly<Record<string, unknown>>, groupsClaim: string): string[] {
  const value = Object.hasOwn(claims, groupsClaim) ? claims[groupsClaim] : undefined;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_GROUPS).filter((group): group is string => typeof group === 'string');
}

/** An admin group wins over a viewer group; a person in neither has no role (null) and is refused. */
export function ssoRoleOf(groups: readonly string[], rules: SsoRoleRules): SsoRole | null {
  if (groups.some((group) => rules.adminGroups.includes(group))) return 'admin';
  if (groups.some((group) => rules.viewerGroups.includes(group))) return 'viewer';
  return null;
}

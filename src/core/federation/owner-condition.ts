import type { TrustedIssuer } from './trusted-issuer.js';
import type { ClaimCondition } from './trust-policy.js';

/** Claims whose values the platform assigns once and never gives to anyone else, unlike names. */
export const OWNER_ID_CLAIMS: readonly string[] = ['repository_owner_id', 'namespace_id', 'organization_id'];

const GITLAB_COM = 'https://gitlab.com';

/** Whether anyone may register names on the issuer: GitHub, GitLab.com, or an issuer saved as multi-tenant. */
export function isMultiTenant(issuer: Pick<TrustedIssuer, 'kind' | 'issuerUrl' | 'multiTenant'>): boolean {
  return issuer.multiTenant || issuer.kind === 'github' || (issuer.kind === 'gitlab' && issuer.issuerUrl === GITLAB_COM);
}

/**
 * Why a policy on a multi-tenant issuer cannot be saved with these conditions, or null when it can. It must
 * pin an owner by ID with `eq` or `in`: a user, organisation or group name can be deleted and registered again
 * by someone else, who would then get the policy's rights; an owner ID is never reused. A glob on an ID pins
 * nothing.
 */
export function missingOwnerCondition(
  issuer: Pick<TrustedIssuer, 'kind' | 'issuerUrl' | 'multiTenant'>,
  conditions: readonly ClaimCondition[],
): string | null {
  if (!isMultiTenant(issuer)) return null;
  const pinned = conditions.some(
    (condition) =>
      OWNER_ID_CLAIMS.includes(condition.claim) &&
      (condition.operator === 'eq' || condition.operator === 'in') &&
      condition.values.length > 0,
  );
  if (pinned) return null;
  return (
    `this issuer is multi-tenant, so a policy on it needs an eq or in condition on an owner ID ` +
    `(${OWNER_ID_CLAIMS.join(', ')}): names can be re-registered by someone else, IDs cannot`
  );
}

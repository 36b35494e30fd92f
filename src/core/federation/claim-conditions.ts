import { claimGlobMatches } from './claim-glob.js';
import type { ClaimCondition, FailedCondition, PolicyMatch, TrustPolicy } from './trust-policy.js';

/** Claims of a verified identity token, as decoded from its payload. */
export type IdentityClaims = Readonly<Record<string, unknown>>;

/** Longest claim value an audit event keeps of a failed condition. */
export const MAX_REPORTED_CLAIM_LENGTH = 256;

/** Why a policy matched nothing before any claim was read. */
export type InactiveReason = 'disabled' | 'expired' | 'unconditional';

/**
 * A policy that is switched off, past its expiry, or has no conditions (deny by default). Its `failed` is a
 * pseudo-condition on `policy` so that whoever reads only PolicyMatch still sees a reason.
 */
export interface InactivePolicyMatch {
  readonly matched: false;
  readonly inactive: InactiveReason;
  readonly failed: FailedCondition;
}

/**
 * The claim at a `/`-separated path (`kubernetes.io/namespace` is `claims['kubernetes.io'].namespace`), as
 * text: strings as they are, booleans as `true`/`false`, safe integers in decimal; anything else, and a path
 * through something that is not a plain object, is null. Only own properties are read, so `__proto__` or
 * `constructor` in a path finds nothing the token did not carry.
 */
export function claimText(claims: IdentityClaims, path: string): string | null {
  let current: unknown = claims;
  for (const key of path.split('/')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return null;
    if (!Object.hasOwn(current, key)) return null;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'boolean') return current ? 'true' : 'false';
  if (typeof current === 'number' && Number.isSafeInteger(current)) return String(current);
  return null;
}

/** Whether one condition holds for a claim value already read as text. */
export function conditionHolds(condition: ClaimCondition, text: string | null): boolean {
  if (text === null) return false;
  switch (condition.operator) {
    case 'eq':
      return condition.values.length === 1 && condition.values[0] === text;
    case 'in':
      return condition.values.includes(text);
    case 'glob':
      return condition.values.some((pattern) => claimGlobMatches(pattern, text));
    default:
      // An operator this version does not know (a newer row, a damaged one) never matches.
      return false;
  }
}

/** All of the policy's conditions must hold; a disabled, expired or unconditional policy never matches. */
export function evaluateTrustPolicy(
  policy: Pick<TrustPolicy, 'conditions' | 'enabled' | 'expiresAt'>,
  claims: IdentityClaims,
  now: Date,
): PolicyMatch | InactivePolicyMatch {
  if (!policy.enabled) return inactive('disabled');
  if (policy.expiresAt !== null && policy.expiresAt.getTime() <= now.getTime()) return inactive('expired');
  if (policy.conditions.length === 0) return inactive('unconditional');
  for (const condition of policy.conditions) {
    const text = claimText(claims, condition.claim);
    if (!conditionHolds(condition, text)) {
      return {
        matched: false,
        failed: { claim: condition.claim, operator: condition.operator, expected: condition.values, got: bounded(text) },
      };
    }
  }
  return { matched: true };
}

function inactive(reason: InactiveReason): InactivePolicyMatch {
  return { matched: false, inactive: reason, failed: { claim: 'policy', operator: 'eq', expected: ['active'], got: reason } };
}

/** Cut to the audit bound without leaving half of a surrogate pair at the end. */
export function bounded(text: string | null): string | null {
  if (text === null || text.length <= MAX_REPORTED_CLAIM_LENGTH) return text;
  const cut = text.slice(0, MAX_REPORTED_CLAIM_LENGTH);
  const lastCode = cut.charCodeAt(cut.length - 1);
  return lastCode >= 0xd800 && lastCode <= 0xdbff ? cut.slice(0, -1) : cut;
}

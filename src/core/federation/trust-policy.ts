import type { RegistryScope } from '../deploy-token.js';

export const CONDITION_OPERATORS = ['eq', 'in', 'glob'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/**
 * One test on a discrete claim. `claim` is a path of object keys joined by `/` (`repository_owner_id`,
 * `kubernetes.io/serviceaccount/name`). Claim values are compared as text: strings as they are, booleans as
 * `true`/`false`, integers as decimal text; anything else never matches. `eq` has one value, `in` and `glob`
 * match when any value does; a glob's `*` never crosses `/` or `:`.
 */
export interface ClaimCondition {
  readonly claim: string;
  readonly operator: ConditionOperator;
  readonly values: readonly string[];
}

/** "A token from this issuer, with these claims, may have these repositories and scopes." */
export interface TrustPolicy {
  readonly id: number;
  readonly name: string;
  readonly issuerId: number;
  /** All must hold. */
  readonly conditions: readonly ClaimCondition[];
  /** Repository patterns in the deploy-token grammar. */
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  /** Life of a minted credential: default 900, at most 3600. */
  readonly credentialLifetimeSeconds: number;
  /** GitHub `pull_request_target` / `workflow_run` are refused unless this is set. */
  readonly allowForkTriggers: boolean;
  readonly expiresAt: Date | null;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** The first condition that did not hold, for the audit event (never sent to the client). */
export interface FailedCondition {
  readonly claim: string;
  readonly operator: ConditionOperator;
  readonly expected: readonly string[];
  /** The claim's value as text, bounded; null when absent or not a string, boolean or integer. */
  readonly got: string | null;
}

export type PolicyMatch = { readonly matched: true } | { readonly matched: false; readonly failed: FailedCondition };

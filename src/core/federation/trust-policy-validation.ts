import { parseRegistryScope, REGISTRY_SCOPES, type RegistryScope } from '../deploy-token.js';
import { ALL_REPOSITORIES, parseRepositoryPattern } from '../repository-pattern.js';
import { FederationConfigError } from './federation-error.js';
import { missingOwnerCondition } from './owner-condition.js';
import type { TrustedIssuer } from './trusted-issuer.js';
import { CONDITION_OPERATORS, type ClaimCondition, type ConditionOperator } from './trust-policy.js';

export const DEFAULT_CREDENTIAL_LIFETIME_SECONDS = 900;
export const MIN_CREDENTIAL_LIFETIME_SECONDS = 60;
export const MAX_CREDENTIAL_LIFETIME_SECONDS = 3_600;

export const MAX_CONDITIONS = 32;
export const MAX_CONDITION_VALUES = 64;
export const MAX_CONDITION_VALUE_LENGTH = 512;
export const MAX_CLAIM_PATH_LENGTH = 256;
export const MAX_CLAIM_PATH_DEPTH = 8;
export const MAX_POLICY_REPOSITORIES = 100;

/** A condition as an admin wrote it, before its operator and sizes are checked. */
export interface ConditionInput {
  readonly claim: string;
  readonly operator: string;
  readonly values: readonly string[];
}

export interface NewTrustPolicyInput {
  readonly conditions: readonly ConditionInput[];
  readonly repositories: readonly string[];
  readonly scopes: readonly string[];
  readonly credentialLifetimeSeconds?: number | undefined;
}

export interface PolicyGrants {
  readonly repositories: string[];
  readonly scopes: RegistryScope[];
}

export interface ValidatedTrustPolicy extends PolicyGrants {
  readonly conditions: ClaimCondition[];
  readonly credentialLifetimeSeconds: number;
}

/** Checks every field of a new policy against the issuer it is for; throws FederationConfigError saying what to change. */
export function validateNewTrustPolicy(
  issuer: Pick<TrustedIssuer, 'kind' | 'issuerUrl' | 'multiTenant' | 'name'>,
  input: NewTrustPolicyInput,
): ValidatedTrustPolicy {
  const conditions = parseConditions(input.conditions);
  checkOwnerCondition(issuer, conditions);
  return {
    conditions,
    ...parsePolicyGrants(input.repositories, input.scopes),
    credentialLifetimeSeconds: parseCredentialLifetime(input.credentialLifetimeSeconds),
  };
}

export function checkOwnerCondition(
  issuer: Pick<TrustedIssuer, 'kind' | 'issuerUrl' | 'multiTenant' | 'name'>,
  conditions: readonly ClaimCondition[],
): void {
  const missing = missingOwnerCondition(issuer, conditions);
  if (missing !== null) throw new FederationConfigError(`issuer "${issuer.name}": ${missing}`);
}

/** Known operators, bounded claim paths and values, `eq` with exactly one value; at least one condition. */
export function parseConditions(conditions: readonly ConditionInput[]): ClaimCondition[] {
  if (conditions.length === 0) {
    throw new FederationConfigError('a policy needs at least one condition: an issuer is never trusted as a whole');
  }
  if (conditions.length > MAX_CONDITIONS) throw new FederationConfigError(`a policy has at most ${MAX_CONDITIONS} conditions`);
  return conditions.map((condition) => {
    const operator = CONDITION_OPERATORS.find((known) => known === condition.operator);
    if (operator === undefined) {
      throw new FederationConfigError(
        `unknown condition operator "${String(condition.operator).slice(0, 20)}": use ${CONDITION_OPERATORS.join(', ')}`,
      );
    }
    const claim = parseClaimPath(condition.claim);
    return { claim, operator, values: parseValues(claim, operator, condition.values) };
  });
}

function parseClaimPath(path: string): string {
  const valid =
    typeof path === 'string' &&
    path.length > 0 &&
    path.length <= MAX_CLAIM_PATH_LENGTH &&
    path.split('/').length <= MAX_CLAIM_PATH_DEPTH &&
    !path.split('/').includes('');
  if (!valid) {
    throw new FederationConfigError(
      `invalid claim "${String(path).slice(0, 80)}": give a claim name, or keys joined by / such as kubernetes.io/serviceaccount/name`,
    );
  }
  return path;
}

function parseValues(claim: string, operator: ConditionOperator, values: readonly string[]): string[] {
  if (!Array.isArray(values) || values.length === 0 || values.length > MAX_CONDITION_VALUES) {
    throw new FederationConfigError(`condition on "${claim}" needs 1 to ${MAX_CONDITION_VALUES} values`);
  }
  if (operator === 'eq' && values.length !== 1) {
    throw new FederationConfigError(`condition "${claim} eq" takes one value; use "in" for several`);
  }
  for (const value of values) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CONDITION_VALUE_LENGTH) {
      throw new FederationConfigError(`condition on "${claim}": each value is text of 1 to ${MAX_CONDITION_VALUE_LENGTH} characters`);
    }
    if (operator === 'glob' && value.replaceAll('*', '').length === 0) {
      throw new FederationConfigError(`condition on "${claim}": a glob of stars alone matches anything; say what it must be`);
    }
  }
  return [...new Set(values)];
}

/** Repository patterns in the deploy-token grammar and registry scopes, at least one of each. */
export function parsePolicyGrants(repositories: readonly string[], scopes: readonly string[]): PolicyGrants {
  if (repositories.length === 0) throw new FederationConfigError('a policy needs at least one repository to grant');
  if (scopes.length === 0) {
    throw new FederationConfigError(`a policy needs at least one scope to grant: ${REGISTRY_SCOPES.join(', ')}`);
  }
  if (repositories.length > MAX_POLICY_REPOSITORIES) {
    throw new FederationConfigError(`a policy grants at most ${MAX_POLICY_REPOSITORIES} repository patterns`);
  }
  const parsedRepositories = [...new Set(repositories.map(parseRepositoryPattern))];
  const parsedScopes = [...new Set(scopes.map(parseRegistryScope))];
  if (parsedScopes.includes('read_catalog') && !parsedRepositories.includes(ALL_REPOSITORIES)) {
    throw new FederationConfigError('read_catalog lists every repository, so it is only for policies whose repositories include *');
  }
  return { repositories: parsedRepositories, scopes: parsedScopes };
}

/** The minted credential's life in seconds: 900 unless given, from 60 up to 3600. */
export function parseCredentialLifetime(seconds: number | undefined): number {
  if (seconds === undefined) return DEFAULT_CREDENTIAL_LIFETIME_SECONDS;
  if (!Number.isInteger(seconds) || seconds < MIN_CREDENTIAL_LIFETIME_SECONDS || seconds > MAX_CREDENTIAL_LIFETIME_SECONDS) {
    throw new FederationConfigError(
      `a credential lifetime is from ${MIN_CREDENTIAL_LIFETIME_SECONDS} to ${MAX_CREDENTIAL_LIFETIME_SECONDS} seconds ` +
        `(${DEFAULT_CREDENTIAL_LIFETIME_SECONDS} by default)`,
    );
  }
  return seconds;
}

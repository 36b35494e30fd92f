import { bounded, claimText, type IdentityClaims } from './claim-conditions.js';
import type { TrustedIssuer } from './trusted-issuer.js';
import type { FailedCondition, TrustPolicy } from './trust-policy.js';

/**
 * GitHub events that a fork's pull request can start and that run with the base repository's identity: a
 * policy matching on repository and ref would hand the fork's code the base repository's rights.
 */
export const PRIVILEGED_FORK_TRIGGERS: readonly string[] = ['pull_request_target', 'workflow_run'];

const EVENT_CLAIM = 'event_name';

/**
 * The refusal of a GitHub token started by a privileged fork trigger, as the condition it failed, or null.
 * Other issuers have no such events; a policy may let them in with `allowForkTriggers`.
 */
export function forkTriggerRefusal(
  issuer: Pick<TrustedIssuer, 'kind'>,
  policy: Pick<TrustPolicy, 'allowForkTriggers'>,
  claims: IdentityClaims,
): FailedCondition | null {
  if (issuer.kind !== 'github' || policy.allowForkTriggers) return null;
  const event = claimText(claims, EVENT_CLAIM);
  if (event === null || !PRIVILEGED_FORK_TRIGGERS.includes(event)) return null;
  return { claim: EVENT_CLAIM, operator: 'in', expected: ['any event but', ...PRIVILEGED_FORK_TRIGGERS], got: bounded(event) };
}

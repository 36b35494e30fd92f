import { isMultiTenant } from './owner-condition.js';
import type { IssuerKind } from './trusted-issuer.js';

// The names the admin use cases were first written against; the rules live in their own files.
export { OWNER_ID_CLAIMS } from './owner-condition.js';
export {
  checkOwnerCondition,
  DEFAULT_CREDENTIAL_LIFETIME_SECONDS,
  MAX_CREDENTIAL_LIFETIME_SECONDS,
  MIN_CREDENTIAL_LIFETIME_SECONDS,
  parseConditions,
  parseCredentialLifetime,
  parsePolicyGrants,
  type PolicyGrants,
} from './trust-policy-validation.js';

/** Whether anyone may register names on the issuer, whatever the issuer record says. */
export function impliedMultiTenant(kind: IssuerKind, issuerUrl: string): boolean {
  return isMultiTenant({ kind, issuerUrl, multiTenant: false });
}

import type { TrustedIssuerAdmin } from './trusted-issuer-admin.js';
import type { TrustPolicyAdmin } from './trust-policy-admin.js';

/** What the admin API, the control socket and the CLI can do with keyless access. */
export interface FederationAdmin {
  readonly issuers: TrustedIssuerAdmin;
  readonly policies: TrustPolicyAdmin;
}

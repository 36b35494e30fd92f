import type { AuditTrail } from './app/audit-trail.js';
import type { FederatedCredentials } from './app/federation/federated-credentials.js';
import type { TrustedIssuerStore, TrustPolicyStore } from './app/federation/federation-ports.js';
import { IdentityTokenExchange } from './app/federation/identity-token-exchange.js';
import type { Clock } from './app/ports.js';
import type { RegauthConfig } from './adapters/config/load-config.js';
import type { KeySetFetchObserver } from './adapters/federation/cached-key-sets.js';
import { createIdentityTokenVerifier } from './adapters/federation/identity-token-verifier-factory.js';

/** Where identity tokens are exchanged; the kubelet plugin and the CI examples post here. */
export const EXCHANGE_PATH = '/federation/exchange';

export interface ExchangePartsDeps {
  readonly config: RegauthConfig;
  readonly stores: { readonly trustedIssuers: TrustedIssuerStore; readonly trustPolicies: TrustPolicyStore };
  readonly credentials: FederatedCredentials;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly keySetObserver?: KeySetFetchObserver;
}

/** The exchange of identity tokens: key sets fetched only for trusted issuers, the verifier, the policies. */
export function identityTokenExchangeParts(deps: ExchangePartsDeps): IdentityTokenExchange {
  const { config, stores, clock } = deps;
  const verifier = createIdentityTokenVerifier({
    issuers: stores.trustedIssuers,
    clock,
    allowInsecureLoopback: config.federation.allowInsecureLoopbackIssuers,
    cooldownSeconds: config.federation.keySetRefreshCooldownSeconds,
    ...(deps.keySetObserver === undefined ? {} : { observer: deps.keySetObserver }),
  });
  return new IdentityTokenExchange({ verifier, policies: stores.trustPolicies, credentials: deps.credentials, audit: deps.audit, clock });
}

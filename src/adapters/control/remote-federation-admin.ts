import type { FederationAdmin } from '../../app/federation/federation-admin.js';
import type { CreateTrustedIssuerInput, TrustedIssuerAdmin, UpdateTrustedIssuerInput } from '../../app/federation/trusted-issuer-admin.js';
import type { TrustedIssuerView } from '../../app/federation/trusted-issuer-view.js';
import type { CreateTrustPolicyInput, TrustPolicyAdmin, UpdateTrustPolicyInput } from '../../app/federation/trust-policy-admin.js';
import type { TrustPolicyView } from '../../app/federation/trust-policy-view.js';
import { callControlSocket } from './control-client.js';

/** Trusted issuers and trust policies managed by the running server that holds the embedded store. */
export function remoteFederationAdmin(socketPath: string): FederationAdmin {
  const call = <T>(method: string, path: string, body?: unknown) => callControlSocket<T>(socketPath, method, `/api/v1${path}`, body);
  const issuerPath = (reference: string) => `/trusted-issuers/${encodeURIComponent(reference)}`;
  const policyPath = (reference: string) => `/trust-policies/${encodeURIComponent(reference)}`;
  const issuers: TrustedIssuerAdmin = {
    create: (input: CreateTrustedIssuerInput) => call<TrustedIssuerView>('POST', '/trusted-issuers', input),
    list: async () => (await call<{ items: TrustedIssuerView[] }>('GET', '/trusted-issuers')).items,
    get: (reference) => call<TrustedIssuerView>('GET', issuerPath(reference)),
    update: (reference, input: UpdateTrustedIssuerInput) => call<TrustedIssuerView>('PATCH', issuerPath(reference), input),
  };
  const policies: TrustPolicyAdmin = {
    create: (input: CreateTrustPolicyInput) => call<TrustPolicyView>('POST', '/trust-policies', input),
    list: async (issuer) =>
      (await call<{ items: TrustPolicyView[] }>('GET', `/trust-policies${issuer === undefined ? '' : `?issuer=${encodeURIComponent(issuer)}`}`)).items,
    get: (reference) => call<TrustPolicyView>('GET', policyPath(reference)),
    update: (reference, input: UpdateTrustPolicyInput) => call<TrustPolicyView>('PATCH', policyPath(reference), input),
  };
  return { issuers, policies };
}

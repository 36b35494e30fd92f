import type { CredentialProviderResponse } from './credential-provider-response.js';
import { buildCredentialProviderResponse } from './credential-provider-response.js';
import { parseCredentialProviderRequest } from './credential-provider-request.js';
import type { ExchangeRequest } from './exchange-client.js';
import type { ExchangedCredential } from './exchanged-credential.js';
import type { ProviderOptions } from './provider-options.js';

export type Exchange = (exchange: ExchangeRequest) => Promise<ExchangedCredential>;

/**
 * One kubelet request answered: the pod's service-account token exchanged at regauth (with the policy its
 * service account names in an annotation, if any) for a credential per configured registry host.
 */
export async function provideCredentials(
  requestText: string,
  options: ProviderOptions,
  ca: string | undefined,
  exchange: Exchange,
): Promise<CredentialProviderResponse> {
  const request = parseCredentialProviderRequest(requestText);
  const policy = request.serviceAccountAnnotations[options.policyAnnotation];
  const credential = await exchange({
    url: options.exchangeUrl,
    ca,
    timeoutMs: options.timeoutMs,
    token: request.serviceAccountToken,
    policy: policy === undefined || policy === '' ? undefined : policy,
  });
  return buildCredentialProviderResponse(request, options.registryHosts, credential);
}

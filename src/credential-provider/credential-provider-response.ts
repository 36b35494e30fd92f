import { CredentialProviderError } from './credential-provider-error.js';
import type { CredentialProviderRequest } from './credential-provider-request.js';
import type { ExchangedCredential } from './exchanged-credential.js';
import { formatGoSeconds } from './go-duration.js';

export interface CredentialProviderResponse {
  readonly apiVersion: string;
  readonly kind: 'CredentialProviderResponse';
  readonly cacheKeyType: 'Registry';
  readonly cacheDuration: string;
  readonly auth: Readonly<Record<string, { readonly username: string; readonly password: string }>>;
}

/**
 * The answer to the kubelet: the credential for each configured registry host, cached per registry for half
 * of its remaining life (as the ECR provider does), so the kubelet asks again well before it expires.
 */
export function buildCredentialProviderResponse(
  request: CredentialProviderRequest,
  registryHosts: readonly string[],
  credential: ExchangedCredential,
): CredentialProviderResponse {
  if (credential.expiresInSeconds <= 0) throw new CredentialProviderError('regauth answered a credential that has already expired');
  // The kubelet refuses such a response; answering it would also mean the token itself is the password.
  if (credential.password === request.serviceAccountToken) {
    throw new CredentialProviderError('regauth answered the service-account token as the password; refusing it');
  }
  const auth: Record<string, { username: string; password: string }> = {};
  for (const host of registryHosts) auth[host] = { username: credential.username, password: credential.password };
  return {
    apiVersion: request.apiVersion,
    kind: 'CredentialProviderResponse',
    cacheKeyType: 'Registry',
    cacheDuration: formatGoSeconds(credential.expiresInSeconds / 2),
    auth,
  };
}

import { CredentialProviderError } from './credential-provider-error.js';

export const CREDENTIAL_PROVIDER_API_VERSION = 'credentialprovider.kubelet.k8s.io/v1';

/** What the kubelet asks, as far as this provider reads it. */
export interface CredentialProviderRequest {
  readonly apiVersion: typeof CREDENTIAL_PROVIDER_API_VERSION;
  readonly image: string;
  readonly serviceAccountToken: string;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function annotationsOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new CredentialProviderError('serviceAccountAnnotations must be an object of strings');
  const annotations: Record<string, string> = {};
  for (const [key, annotation] of Object.entries(value)) {
    if (typeof annotation !== 'string') throw new CredentialProviderError('serviceAccountAnnotations must be an object of strings');
    annotations[key] = annotation;
  }
  return annotations;
}

/**
 * The kubelet's `CredentialProviderRequest` from the text on stdin. Only `credentialprovider.kubelet.k8s.io/v1`
 * carries the service-account token, so other versions are refused, as is a request without a token (the
 * provider's `tokenAttributes` are missing from the kubelet's config).
 */
export function parseCredentialProviderRequest(text: string): CredentialProviderRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialProviderError('the request on stdin is not JSON');
  }
  if (!isRecord(parsed)) throw new CredentialProviderError('the request on stdin is not a JSON object');
  const { apiVersion, kind, image, serviceAccountToken, serviceAccountAnnotations } = parsed;
  if (apiVersion !== CREDENTIAL_PROVIDER_API_VERSION) {
    throw new CredentialProviderError(
      `unsupported apiVersion ${JSON.stringify(apiVersion) ?? 'undefined'}: expected ${CREDENTIAL_PROVIDER_API_VERSION}`,
    );
  }
  if (kind !== 'CredentialProviderRequest') {
    throw new CredentialProviderError(`unsupported kind ${JSON.stringify(kind) ?? 'undefined'}: expected CredentialProviderRequest`);
  }
  if (typeof image !== 'string' || image === '') throw new CredentialProviderError('the request has no image');
  if (typeof serviceAccountToken !== 'string' || serviceAccountToken === '') {
    throw new CredentialProviderError(
      'the request has no serviceAccountToken: set tokenAttributes.serviceAccountTokenAudience in the CredentialProviderConfig',
    );
  }
  return { apiVersion, image, serviceAccountToken, serviceAccountAnnotations: annotationsOf(serviceAccountAnnotations) };
}

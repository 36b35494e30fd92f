/**
 * A reason the provider gives the kubelet no credentials. Its message is one line, safe for the kubelet's log:
 * it never holds the service-account token or a credential.
 */
export class CredentialProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialProviderError';
  }
}

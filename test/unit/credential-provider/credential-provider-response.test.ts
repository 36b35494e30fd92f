import { CredentialProviderError } from '../../../src/credential-provider/credential-provider-error.js';
import type { CredentialProviderRequest } from '../../../src/credential-provider/credential-provider-request.js';
import { buildCredentialProviderResponse } from '../../../src/credential-provider/credential-provider-response.js';

const REQUEST: CredentialProviderRequest = {
  apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
  image: 'registry.example.com/team/app:1.0',
  serviceAccountToken: 'service-account-token',
  serviceAccountAnnotations: {},
};
const CREDENTIAL = { username: 'federated:team-pull:1', password: 'minted-password', expiresInSeconds: 900 };

describe('buildCredentialProviderResponse', () => {
  test('answers the credential for every registry host, cached per registry for half its remaining life', () => {
    expect(buildCredentialProviderResponse(REQUEST, ['registry.example.com', 'mirror.example.com:5000'], CREDENTIAL)).toEqual({
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      kind: 'CredentialProviderResponse',
      cacheKeyType: 'Registry',
      cacheDuration: '450s',
      auth: {
        'registry.example.com': { username: 'federated:team-pull:1', password: 'minted-password' },
        'mirror.example.com:5000': { username: 'federated:team-pull:1', password: 'minted-password' },
      },
    });
  });

  test.each<[number, string]>([
    [900, '450s'],
    [3600, '1800s'],
    [61, '30s'],
    [1, '0s'],
  ])('a credential with %p s left is cached for %p', (expiresInSeconds, cacheDuration) => {
    expect(buildCredentialProviderResponse(REQUEST, ['r'], { ...CREDENTIAL, expiresInSeconds }).cacheDuration).toBe(cacheDuration);
  });

  test.each([0, -5])('refuses a credential with %p s left', (expiresInSeconds) => {
    expect(() => buildCredentialProviderResponse(REQUEST, ['r'], { ...CREDENTIAL, expiresInSeconds })).toThrow('already expired');
  });

  test('refuses a password equal to the service-account token', () => {
    const echoed = { ...CREDENTIAL, password: REQUEST.serviceAccountToken };
    expect(() => buildCredentialProviderResponse(REQUEST, ['r'], echoed)).toThrow(CredentialProviderError);
    expect(() => buildCredentialProviderResponse(REQUEST, ['r'], echoed)).toThrow('refusing it');
  });
});

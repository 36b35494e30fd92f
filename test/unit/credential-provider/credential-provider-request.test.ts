import { CredentialProviderError } from '../../../src/credential-provider/credential-provider-error.js';
import { parseCredentialProviderRequest } from '../../../src/credential-provider/credential-provider-request.js';

const VALID = {
  apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
  kind: 'CredentialProviderRequest',
  image: 'registry.example.com/team/app:1.0',
  serviceAccountToken: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
  serviceAccountAnnotations: { 'regauth.io/policy': 'team-pull' },
};

describe('parseCredentialProviderRequest', () => {
  test('reads the image, the token and the annotations of a v1 request', () => {
    const { kind: _kind, ...expected } = VALID;
    expect(parseCredentialProviderRequest(JSON.stringify(VALID))).toEqual(expected);
  });

  test('a request without annotations has none', () => {
    const { serviceAccountAnnotations: _annotations, ...withoutAnnotations } = VALID;
    expect(parseCredentialProviderRequest(JSON.stringify(withoutAnnotations)).serviceAccountAnnotations).toEqual({});
    expect(parseCredentialProviderRequest(JSON.stringify({ ...VALID, serviceAccountAnnotations: null })).serviceAccountAnnotations).toEqual({});
  });

  test.each<[string, string, string]>([
    ['not JSON', '{"apiVersion":', 'not JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['v1beta1', JSON.stringify({ ...VALID, apiVersion: 'credentialprovider.kubelet.k8s.io/v1beta1' }), 'unsupported apiVersion "credentialprovider.kubelet.k8s.io/v1beta1"'],
    ['no apiVersion', JSON.stringify({ ...VALID, apiVersion: undefined }), 'unsupported apiVersion undefined'],
    ['another kind', JSON.stringify({ ...VALID, kind: 'CredentialProviderResponse' }), 'unsupported kind "CredentialProviderResponse"'],
    ['no image', JSON.stringify({ ...VALID, image: undefined }), 'no image'],
    ['an empty image', JSON.stringify({ ...VALID, image: '' }), 'no image'],
    ['no token', JSON.stringify({ ...VALID, serviceAccountToken: undefined }), 'no serviceAccountToken: set tokenAttributes'],
    ['an empty token', JSON.stringify({ ...VALID, serviceAccountToken: '' }), 'no serviceAccountToken'],
    ['a numeric token', JSON.stringify({ ...VALID, serviceAccountToken: 42 }), 'no serviceAccountToken'],
    ['annotations as a list', JSON.stringify({ ...VALID, serviceAccountAnnotations: ['a'] }), 'serviceAccountAnnotations must be'],
    ['a numeric annotation', JSON.stringify({ ...VALID, serviceAccountAnnotations: { a: 1 } }), 'serviceAccountAnnotations must be'],
  ])('refuses %s', (_name, text, reason) => {
    expect(() => parseCredentialProviderRequest(text)).toThrow(CredentialProviderError);
    expect(() => parseCredentialProviderRequest(text)).toThrow(reason);
  });

  test('never repeats the token in a refusal', () => {
    const text = JSON.stringify({ ...VALID, kind: 'Other' });
    expect(() => parseCredentialProviderRequest(text)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(VALID.serviceAccountToken) }));
  });
});

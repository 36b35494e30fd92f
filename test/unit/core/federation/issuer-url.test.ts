import { FederationConfigError } from '../../../../src/core/federation/federation-error.js';
import { normaliseIssuerUrl } from '../../../../src/core/federation/issuer-url.js';

const GITHUB = 'https://token.actions.githubusercontent.com';

describe('normaliseIssuerUrl', () => {
  test.each<[string, string]>([
    [GITHUB, GITHUB],
    [`${GITHUB}/`, GITHUB],
    [`  ${GITHUB}  `, GITHUB],
    [`${GITHUB}/acme`, `${GITHUB}/acme`],
    [`${GITHUB}/acme/`, `${GITHUB}/acme`],
    ['https://gitlab.com', 'https://gitlab.com'],
    ['https://kubernetes.default.svc.cluster.local', 'https://kubernetes.default.svc.cluster.local'],
    ['https://issuer.example:8443/realms/ci', 'https://issuer.example:8443/realms/ci'],
    ['https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF', 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF'],
  ])('%j is %j', (text, normal) => {
    expect(normaliseIssuerUrl(text)).toBe(normal);
  });

  test('removes one trailing slash, not every one', () => {
    expect(normaliseIssuerUrl('https://issuer.example/a//')).toBe('https://issuer.example/a/');
  });

  test.each<[string, string]>([
    ['', 'give 1 to 2048 characters'],
    ['   ', 'give 1 to 2048 characters'],
    [`https://issuer.example/${'a'.repeat(2_048)}`, 'give 1 to 2048 characters'],
    ['token.actions.githubusercontent.com', 'it is not an absolute URL'],
    ['/relative', 'it is not an absolute URL'],
    ['http://token.actions.githubusercontent.com', 'use https'],
    ['ftp://issuer.example', 'use https'],
    ['http://localhost:8080', 'use https'],
    ['https://user@issuer.example', 'must not carry a username or password'],
    ['https://user:secret@issuer.example', 'must not carry a username or password'],
    ['https://issuer.example/?', 'must not have a query'],
    ['https://issuer.example/?a=1', 'must not have a query'],
    ['https://issuer.example/#', 'must not have a fragment'],
    ['https://issuer.example/#x', 'must not have a fragment'],
    ['https://Issuer.Example', 'write it as https://issuer.example'],
    ['HTTPS://issuer.example', 'write it as https://issuer.example'],
    ['https://issuer.example:443', 'write it as https://issuer.example'],
    ['https://issuer.example/a/../b', 'write it as https://issuer.example/b'],
    ['https://issuer.example/a b', 'write it as https://issuer.example/a%20b'],
    ['https://gïthub.example', 'write it as https://xn--gthub-cta.example'],
  ])('refuses %j: %s', (text, reason) => {
    expect(() => normaliseIssuerUrl(text)).toThrow(FederationConfigError);
    expect(() => normaliseIssuerUrl(text)).toThrow(reason);
  });

  test('the message is bounded and names what is wrong', () => {
    expect(() => normaliseIssuerUrl('http://x', {}, 'jwks_uri')).toThrow('invalid jwks_uri "http://x": use https');
  });

  test.each<string>(['http://localhost:8080', 'http://127.0.0.1:9000/issuer', 'http://[::1]:9000'])(
    'accepts http on the loopback host %j only when allowed',
    (text) => {
      expect(normaliseIssuerUrl(text, { allowInsecureLoopback: true })).toBe(text);
      expect(() => normaliseIssuerUrl(text)).toThrow('use https');
    },
  );

  test.each<string>(['http://localhost.evil.example', 'http://127.0.0.1.evil.example', 'http://10.0.0.1'])(
    'keeps refusing http on %j, which is no loopback host',
    (text) => {
      expect(() => normaliseIssuerUrl(text, { allowInsecureLoopback: true })).toThrow('use https');
    },
  );

  test('lookalike issuers stay distinct strings after normalisation', () => {
    const lookalikes = [
      `${GITHUB}.evil.com`,
      `${GITHUB}.evil.com/`,
      'https://token.actions.githubusercontent.co',
      'https://token-actions.githubusercontent.com',
      `${GITHUB}/evil`,
      'https://evil.com/token.actions.githubusercontent.com',
      `${GITHUB}:8443`,
    ];
    const normal = normaliseIssuerUrl(GITHUB);
    for (const lookalike of lookalikes) expect(normaliseIssuerUrl(lookalike)).not.toBe(normal);
    expect(new Set(lookalikes.map((text) => normaliseIssuerUrl(text))).size).toBe(lookalikes.length - 1);
  });
});

import { CredentialProviderError } from '../../../src/credential-provider/credential-provider-error.js';
import { parseProviderOptions } from '../../../src/credential-provider/provider-options.js';

describe('parseProviderOptions', () => {
  test('reads every setting from the arguments', () => {
    const argv = [
      '--regauth-url', 'https://regauth.example.com/',
      '--ca-file', '/etc/regauth/ca.pem',
      '--registry', 'registry.example.com',
      '--registry', 'mirror.example.com:5000',
      '--registry', 'registry.example.com',
      '--policy-annotation', 'example.com/pull-policy',
      '--timeout', '5s',
    ];
    expect(parseProviderOptions(argv, {})).toEqual({
      exchangeUrl: new URL('https://regauth.example.com/federation/exchange'),
      caFile: '/etc/regauth/ca.pem',
      registryHosts: ['registry.example.com', 'mirror.example.com:5000'],
      policyAnnotation: 'example.com/pull-policy',
      timeoutMs: 5_000,
    });
  });

  test('reads the environment when there are no arguments, with defaults for the optional settings', () => {
    const env = { REGAUTH_URL: 'https://regauth.example.com/auth//', REGAUTH_REGISTRIES: ' registry.example.com, ,mirror.example.com ' };
    expect(parseProviderOptions([], env)).toEqual({
      exchangeUrl: new URL('https://regauth.example.com/auth/federation/exchange'),
      caFile: undefined,
      registryHosts: ['registry.example.com', 'mirror.example.com'],
      policyAnnotation: 'regauth.io/policy',
      timeoutMs: 10_000,
    });
  });

  test('arguments win over the environment', () => {
    const env = { REGAUTH_URL: 'https://env.example.com', REGAUTH_REGISTRIES: 'env.example.com', REGAUTH_TIMEOUT: '3s' };
    const options = parseProviderOptions(['--regauth-url', 'https://args.example.com', '--registry', 'args.example.com', '--timeout', '7s'], env);
    expect(options.exchangeUrl.href).toBe('https://args.example.com/federation/exchange');
    expect(options.registryHosts).toEqual(['args.example.com']);
    expect(options.timeoutMs).toBe(7_000);
  });

  const REGISTRY = ['--registry', 'registry.example.com'];
  test.each<[string, string[], string]>([
    ['no URL', REGISTRY, 'no regauth URL given'],
    ['a URL that is not one', ['--regauth-url', 'regauth', ...REGISTRY], 'not a URL'],
    ['plain http', ['--regauth-url', 'http://regauth.example.com', ...REGISTRY], 'must be https'],
    ['a URL with credentials', ['--regauth-url', 'https://u:p@regauth.example.com', ...REGISTRY], 'no credentials, query or fragment'],
    ['a URL with a query', ['--regauth-url', 'https://regauth.example.com/?a=1', ...REGISTRY], 'no credentials, query or fragment'],
    ['no registry', ['--regauth-url', 'https://regauth.example.com'], 'no registry host given'],
    ['a registry with a space', ['--regauth-url', 'https://r.example.com', '--registry', 'a b'], 'not a registry host: "a b"'],
    ['a bare number as timeout', ['--regauth-url', 'https://r.example.com', ...REGISTRY, '--timeout', '10'], 'the timeout must be'],
    ['a zero timeout', ['--regauth-url', 'https://r.example.com', ...REGISTRY, '--timeout', '0'], 'the timeout must be'],
    ['a timeout past the kubelet\'s minute', ['--regauth-url', 'https://r.example.com', ...REGISTRY, '--timeout', '1m'], 'the timeout must be'],
    ['an unknown option', ['--regauth-url', 'https://r.example.com', ...REGISTRY, '--verbose'], "Unknown option '--verbose'"],
    ['a positional argument', ['--regauth-url', 'https://r.example.com', ...REGISTRY, 'extra'], 'usage: regauth-credential-provider'],
  ])('refuses %s', (_name, argv, reason) => {
    expect(() => parseProviderOptions(argv, {})).toThrow(CredentialProviderError);
    expect(() => parseProviderOptions(argv, {})).toThrow(reason);
  });
});

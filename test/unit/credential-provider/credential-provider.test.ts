import { provideCredentials } from '../../../src/credential-provider/credential-provider.js';
import type { ExchangeRequest } from '../../../src/credential-provider/exchange-client.js';
import { parseProviderOptions } from '../../../src/credential-provider/provider-options.js';

const OPTIONS = parseProviderOptions(['--regauth-url', 'https://regauth.example.com', '--registry', 'registry.example.com', '--timeout', '3s'], {});

function requestText(annotations: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
    kind: 'CredentialProviderRequest',
    image: 'registry.example.com/team/app',
    serviceAccountToken: 'sa-token',
    serviceAccountAnnotations: annotations,
  });
}

async function exchangeFor(text: string, options = OPTIONS): Promise<ExchangeRequest[]> {
  const exchanges: ExchangeRequest[] = [];
  await provideCredentials(text, options, 'CA PEM', async (exchange) => {
    exchanges.push(exchange);
    return { username: 'u', password: 'p', expiresInSeconds: 600 };
  });
  return exchanges;
}

describe('provideCredentials', () => {
  test.each<[string, Record<string, string>, string | undefined]>([
    ['the annotated policy', { 'regauth.io/policy': 'team-pull' }, 'team-pull'],
    ['no policy without the annotation', { 'other.io/policy': 'team-pull' }, undefined],
    ['no policy for an empty annotation', { 'regauth.io/policy': '' }, undefined],
  ])('exchanges the token with %s', async (_name, annotations, policy) => {
    expect(await exchangeFor(requestText(annotations))).toEqual([
      { url: new URL('https://regauth.example.com/federation/exchange'), ca: 'CA PEM', timeoutMs: 3_000, token: 'sa-token', policy },
    ]);
  });

  test('reads the policy from the configured annotation key', async () => {
    const options = { ...OPTIONS, policyAnnotation: 'example.com/pull-policy' };
    const exchanges = await exchangeFor(requestText({ 'example.com/pull-policy': 'p1', 'regauth.io/policy': 'p2' }), options);
    expect(exchanges.map((exchange) => exchange.policy)).toEqual(['p1']);
  });

  test('exchanges nothing for a request it refuses', async () => {
    await expect(exchangeFor('{"apiVersion":"v1"}')).rejects.toThrow('unsupported apiVersion');
  });

  test('answers the exchanged credential', async () => {
    const response = await provideCredentials(requestText({}), OPTIONS, undefined, async () => ({ username: 'u', password: 'p', expiresInSeconds: 600 }));
    expect(response).toMatchObject({ cacheDuration: '300s', auth: { 'registry.example.com': { username: 'u', password: 'p' } } });
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeySetFetcher, KeySetFetchError, type KeySetFetcherOptions } from '../../../src/adapters/federation/key-set-fetcher.js';
import type { KeySource, TrustedIssuer } from '../../../src/core/federation/trusted-issuer.js';
import { LoopbackIssuerAgents } from '../../support/loopback-issuer-agents.js';
import { JWKS_PATH, OidcTestIssuer } from '../../support/oidc-test-issuer.js';

const DISCOVERY_PATH = '/.well-known/openid-configuration';
const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const KUBERNETES = 'https://kubernetes.default.svc';

function trustedIssuer(issuerUrl: string, keySource: KeySource = { kind: 'discovery' }): TrustedIssuer {
  return {
    id: 1,
    name: new URL(issuerUrl).hostname,
    kind: 'generic',
    issuerUrl,
    audience: 'https://registry.example.com',
    keySource,
    algorithms: ['RS256'],
    leewaySeconds: 30,
    maxTokenAgeSeconds: null,
    replayMode: 'once',
    multiTenant: false,
    enabled: true,
    createdAt: new Date('2026-12-03T12:00:00Z'),
    updatedAt: null,
  };
}

describe('KeySetFetcher', () => {
  let github: OidcTestIssuer;
  let gitlab: OidcTestIssuer;
  let kubernetes: OidcTestIssuer;
  let agents: LoopbackIssuerAgents;

  beforeAll(async () => {
    github = await OidcTestIssuer.start({ issuer: GITHUB });
    gitlab = await OidcTestIssuer.start({ issuer: GITLAB, jwksUri: `${GITLAB}/oauth/discovery/keys` });
    kubernetes = await OidcTestIssuer.start({ issuer: KUBERNETES });
  });

  afterAll(async () => {
    await Promise.all([github.close(), gitlab.close(), kubernetes.close()]);
  });

  beforeEach(() => {
    for (const issuer of [github, gitlab, kubernetes]) issuer.fault('none');
    agents = new LoopbackIssuerAgents(
      new Map([
        ['token.actions.githubusercontent.com', github],
        ['gitlab.com', gitlab],
        ['kubernetes.default.svc', kubernetes],
      ]),
    );
  });

  function fetcher(options: Partial<KeySetFetcherOptions> = {}): KeySetFetcher {
    return new KeySetFetcher({ allowInsecureLoopbackIssuers: false, httpsAgent: agents.https, httpAgent: agents.http, ...options });
  }

  it('fetches the JWKS named by the discovery document of a production issuer string', async () => {
    const before = { discovery: github.requestsTo(DISCOVERY_PATH), jwks: github.requestsTo(JWKS_PATH) };
    await expect(fetcher().fetchKeySet(trustedIssuer(GITHUB))).resolves.toEqual(github.jwks);
    expect(github.requestsTo(DISCOVERY_PATH)).toBe(before.discovery + 1);
    expect(github.requestsTo(JWKS_PATH)).toBe(before.jwks + 1);
    expect(agents.connections).toEqual(['token.actions.githubusercontent.com', 'token.actions.githubusercontent.com']);
  });

  it('follows a discovery document to a jwks_uri at another path (GitLab names /oauth/discovery/keys)', async () => {
    // The test issuer serves its JWKS at JWKS_PATH only, so the discovered URI answers 404: it was followed.
    await expect(fetcher().fetchKeySet(trustedIssuer(GITLAB))).rejects.toThrow('https://gitlab.com: answered 404');
  });

  it('fetches a configured jwks_uri without discovery (a Kubernetes issuer)', async () => {
    const before = kubernetes.requestsTo(DISCOVERY_PATH);
    const keySet = await fetcher().fetchKeySet(trustedIssuer(KUBERNETES, { kind: 'jwks_uri', uri: `${KUBERNETES}${JWKS_PATH}` }));
    expect(keySet).toEqual(kubernetes.jwks);
    expect(kubernetes.requestsTo(DISCOVERY_PATH)).toBe(before);
  });

  it('returns an inline key set without any request, leaving kid-less keys out', async () => {
    const jwks = { keys: [...kubernetes.jwks.keys, { kty: 'RSA', n: 'AQAB', e: 'AQAB' }] };
    await expect(fetcher().fetchKeySet(trustedIssuer(KUBERNETES, { kind: 'inline', jwks }))).resolves.toEqual(kubernetes.jwks);
    expect(agents.connections).toEqual([]);
  });

  it('leaves out a published key without a kid', async () => {
    github.fault('kid-less-key', 'jwks');
    await expect(fetcher().fetchKeySet(trustedIssuer(GITHUB))).resolves.toEqual({ keys: [] });
  });

  it('accepts an empty key set as the issuer publishes it', async () => {
    github.fault('empty-set', 'jwks');
    await expect(fetcher().fetchKeySet(trustedIssuer(GITHUB))).resolves.toEqual({ keys: [] });
  });

  it('refuses a discovery document that names another issuer', async () => {
    const impostor = await OidcTestIssuer.start({ issuer: `${GITHUB}.evil.com`, hostNames: ['token.actions.githubusercontent.com'] });
    try {
      const routed = new LoopbackIssuerAgents(new Map([['token.actions.githubusercontent.com', impostor]]));
      const fetching = new KeySetFetcher({ allowInsecureLoopbackIssuers: false, httpsAgent: routed.https });
      await expect(fetching.fetchKeySet(trustedIssuer(GITHUB))).rejects.toThrow('the discovery document names another issuer');
      expect(impostor.requestsTo(JWKS_PATH)).toBe(0);
    } finally {
      await impostor.close();
    }
  });

  it.each([
    ['plain http', 'http://token.actions.githubusercontent.com/.well-known/jwks', 'key sets are fetched over https only'],
    ['credentials', 'https://user:secret@token.actions.githubusercontent.com/.well-known/jwks', 'must not carry credentials'],
    ['a query', 'https://token.actions.githubusercontent.com/.well-known/jwks?next=x', 'must not have a query or fragment'],
    ['a fragment', 'https://token.actions.githubusercontent.com/.well-known/jwks#x', 'must not have a query or fragment'],
  ])('refuses a discovered jwks_uri with %s, sending nothing to it', async (_case, jwksUri, message) => {
    const misconfigured = await OidcTestIssuer.start({ issuer: GITHUB, jwksUri });
    try {
      const routed = new LoopbackIssuerAgents(new Map([['token.actions.githubusercontent.com', misconfigured]]));
      const fetching = new KeySetFetcher({ allowInsecureLoopbackIssuers: true, httpsAgent: routed.https, httpAgent: routed.http });
      await expect(fetching.fetchKeySet(trustedIssuer(GITHUB))).rejects.toThrow(message);
      expect(routed.connections).toEqual(['token.actions.githubusercontent.com']);
      expect(misconfigured.requestsTo(JWKS_PATH)).toBe(0);
    } finally {
      await misconfigured.close();
    }
  });

  it('refuses a redirect without following it', async () => {
    github.fault('redirect', 'jwks');
    const error = await fetcher().fetchKeySet(trustedIssuer(GITHUB)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeySetFetchError);
    expect((error as Error).message).toBe(`${GITHUB}: answered a redirect (302), which is not followed`);
    expect(github.requestsTo(`/moved${JWKS_PATH}`)).toBe(0);
  });

  it('stops reading a document past 64 KiB even without a content-length', async () => {
    github.fault('oversized', 'jwks');
    await expect(fetcher().fetchKeySet(trustedIssuer(GITHUB))).rejects.toThrow(`${GITHUB}: document larger than 65536 bytes`);
  });

  it('refuses a document over a smaller cap', async () => {
    await expect(fetcher({ maxBytes: 64 }).fetchKeySet(trustedIssuer(GITHUB))).rejects.toThrow('document larger than 64 bytes');
  });

  it('gives up on an issuer that sends nothing after its headers', async () => {
    github.fault('slow', 'jwks');
    await expect(fetcher({ timeoutMs: 200 }).fetchKeySet(trustedIssuer(GITHUB))).rejects.toThrow(`${GITHUB}: no complete answer within 200 ms`);
  });

  it('refuses an error status', async () => {
    github.fault('server-error', 'discovery');
    await expect(fetcher().fetchKeySet(trustedIssuer(GITHUB))).rejects.toThrow(`${GITHUB}: answered 500`);
  });

  it('refuses a server whose certificate does not name the issuer host', async () => {
    const elsewhere = await OidcTestIssuer.start({ issuer: 'https://gitlab.example' });
    try {
      const routed = new LoopbackIssuerAgents(new Map([['gitlab.com', elsewhere]]));
      const fetching = new KeySetFetcher({ allowInsecureLoopbackIssuers: false, httpsAgent: routed.https });
      await expect(fetching.fetchKeySet(trustedIssuer(GITLAB))).rejects.toThrow('https://gitlab.com: the request failed');
      expect(elsewhere.requests).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('fails like a network failure for a host that cannot be reached', async () => {
    await expect(fetcher().fetchKeySet(trustedIssuer('https://buildkite.example'))).rejects.toThrow('https://buildkite.example: the request failed');
  });

  describe('plain http', () => {
    let plain: OidcTestIssuer;
    beforeAll(async () => {
      plain = await OidcTestIssuer.start({ protocol: 'http' });
    });
    afterAll(() => plain.close());

    it('is refused for a loopback issuer unless allowInsecureLoopbackIssuers', async () => {
      await expect(new KeySetFetcher({ allowInsecureLoopbackIssuers: false }).fetchKeySet(trustedIssuer(plain.issuer))).rejects.toThrow(
        'key sets are fetched over https only',
      );
      expect(plain.requests).toBe(0);
      await expect(new KeySetFetcher({ allowInsecureLoopbackIssuers: true }).fetchKeySet(trustedIssuer(plain.issuer))).resolves.toEqual(plain.jwks);
    });

    it.each([
      ['text/html', '<html>{"keys":[]}</html>', 'answered content type "text/html", not JSON'],
      ['application/json', '{"keys":', 'answered a document that is not JSON'],
      ['application/json', '{"keys":{}}', 'the JWKS document has no keys array'],
    ])('refuses a %s answer %s', async (contentType, body, message) => {
      const server = createServer((_request, response) => response.writeHead(200, { 'content-type': contentType }).end(body));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
        const fetching = new KeySetFetcher({ allowInsecureLoopbackIssuers: true });
        await expect(fetching.fetchKeySet(trustedIssuer(plain.issuer, { kind: 'jwks_uri', uri }))).rejects.toThrow(message);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('is refused for any host that is not a loopback address, whatever the setting', async () => {
      const fetching = new KeySetFetcher({ allowInsecureLoopbackIssuers: true, httpAgent: agents.http });
      await expect(fetching.fetchKeySet(trustedIssuer('http://gitlab.com'))).rejects.toThrow('key sets are fetched over https only');
      await expect(fetching.fetchKeySet(trustedIssuer('http://localhost'))).rejects.toThrow('key sets are fetched over https only');
      expect(agents.connections).toEqual([]);
    });
  });
});

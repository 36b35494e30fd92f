import { get as httpsGet } from 'node:https';
import { DISCOVERY_PATH, JWKS_PATH, OidcTestIssuer } from '../../support/oidc-test-issuer.js';

const GITHUB = 'https://token.actions.githubusercontent.com';

let issuer: OidcTestIssuer;

beforeAll(async () => {
  issuer = await OidcTestIssuer.start({ issuer: GITHUB });
});

afterAll(() => issuer.close());

beforeEach(() => issuer.fault('none'));

async function json(path: string): Promise<Record<string, unknown>> {
  const response = await issuer.fetch(`${GITHUB}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('OidcTestIssuer', () => {
  it('serves discovery under the production issuer name over https on loopback, trusting only its own certificate', async () => {
    await expect(json(DISCOVERY_PATH)).resolves.toMatchObject({ issuer: GITHUB, jwks_uri: `${GITHUB}${JWKS_PATH}` });
    expect(issuer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('publishes the current key with its kid, and withdraws it on rotation unless asked to keep it', async () => {
    const first = issuer.currentKeyId;
    expect(await json(JWKS_PATH)).toEqual({ keys: [expect.objectContaining({ kid: first, kty: 'RSA', alg: 'RS256', use: 'sig' })] });

    const second = await issuer.rotate({ keepPrevious: true });
    expect(((await json(JWKS_PATH)).keys as { kid: string }[]).map((key) => key.kid)).toEqual([first, second]);

    const third = await issuer.rotate();
    expect(((await json(JWKS_PATH)).keys as { kid: string }[]).map((key) => key.kid)).toEqual([third]);
    expect(JSON.stringify(issuer.jwks)).not.toMatch(/"d":/);
  });

  it('counts requests by path', async () => {
    const before = issuer.requestsTo(JWKS_PATH);
    const total = issuer.requests;
    await json(JWKS_PATH);
    expect(issuer.requestsTo(JWKS_PATH)).toBe(before + 1);
    expect(issuer.requests).toBe(total + 1);
  });

  it('refuses a host it does not serve without sending anything', async () => {
    const total = issuer.requests;
    await expect(issuer.fetch('https://gitlab.com/.well-known/openid-configuration')).rejects.toThrow(TypeError);
    expect(issuer.requests).toBe(total);
  });

  it('answers 500 under the server-error fault', async () => {
    issuer.fault('server-error');
    expect((await issuer.fetch(`${GITHUB}${JWKS_PATH}`)).status).toBe(500);
  });

  it('answers a redirect to a working copy under the redirect fault, and does not follow it', async () => {
    issuer.fault('redirect', 'discovery');
    const response = await issuer.fetch(`${GITHUB}${DISCOVERY_PATH}`, { redirect: 'follow' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${issuer.url}/moved${DISCOVERY_PATH}`);
    expect((await issuer.fetch(`${GITHUB}${JWKS_PATH}`)).status).toBe(200);
  });

  it('streams more than 64 KiB without a length under the oversized fault', async () => {
    issuer.fault('oversized', 'jwks');
    const response = await issuer.fetch(`${GITHUB}${JWKS_PATH}`);
    expect(response.headers.get('content-length')).toBeNull();
    expect((await response.text()).length).toBeGreaterThan(128 * 1024);
  });

  it('sends headers and then holds the body under the slow fault until the fault is lifted', async () => {
    issuer.fault('slow', 'jwks');
    const response = await issuer.fetch(`${GITHUB}${JWKS_PATH}`);
    expect(response.status).toBe(200);
    const body = response.text();
    issuer.fault('none');
    await expect(body).rejects.toThrow();
  });

  it('honours an abort signal', async () => {
    issuer.fault('slow', 'jwks');
    const controller = new AbortController();
    const response = await issuer.fetch(`${GITHUB}${JWKS_PATH}`, { signal: controller.signal });
    const body = response.text();
    controller.abort(new Error('timed out'));
    await expect(body).rejects.toThrow();
  });

  it('publishes an empty set, or its key without a kid, under those faults', async () => {
    issuer.fault('empty-set');
    expect(await json(JWKS_PATH)).toEqual({ keys: [] });
    expect(await json(DISCOVERY_PATH)).toMatchObject({ issuer: GITHUB });
    issuer.fault('kid-less-key');
    const { keys } = (await json(JWKS_PATH)) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty('kid');
    expect(keys[0]).toHaveProperty('n');
  });

  it('serves plain http on loopback when asked to', async () => {
    const plain = await OidcTestIssuer.start({ protocol: 'http' });
    try {
      expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(plain.certificatePem).toBeNull();
      const response = await plain.fetch(`${plain.issuer}${DISCOVERY_PATH}`);
      expect(await response.json()).toMatchObject({ issuer: plain.url });
    } finally {
      await plain.close();
    }
  });
});

describe('OidcTestIssuer.httpsAgent', () => {
  function get(url: string, agent: import('node:https').Agent): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      httpsGet(url, { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      }).on('error', reject);
    });
  }

  it('sends the production host name to loopback, verifying the certificate against that name', async () => {
    const { status, body } = await get(`${GITHUB}${DISCOVERY_PATH}`, issuer.httpsAgent());
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ issuer: GITHUB });
  });

  it('fails any other host as unresolvable, sending nothing', async () => {
    const total = issuer.requests;
    await expect(get('https://gitlab.com/.well-known/openid-configuration', issuer.httpsAgent())).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(issuer.requests).toBe(total);
  });

});

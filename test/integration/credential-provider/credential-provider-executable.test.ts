import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CommandResult } from '../../e2e/support/run-command.js';
import { buildCredentialProvider, runCredentialProvider } from '../../support/credential-provider.js';
import { REPOSITORY_ROOT } from '../../support/repository.js';
import { selfSignedServerCertificate } from '../../support/tls-certificate.js';

const CONFIG_FILE = join(REPOSITORY_ROOT, 'deploy/kubelet/credential-provider-config.yaml');
const API_VERSION = 'credentialprovider.kubelet.k8s.io/v1';

const GOOD_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.good-service-account-token.c2lnbmF0dXJl';
const REFUSED_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.refused-service-account-token.c2lnbmF0dXJl';
const UNAVAILABLE_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.unavailable-token.c2lnbmF0dXJl';
const SILENT_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.silent-token.c2lnbmF0dXJl';
const ECHOED_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.echoed-token.c2lnbmF0dXJl';
const MINTED_PASSWORD = 'rgf_minted-password-0123456789abcdef';
const MINTED_USERNAME = 'federated:team-pull:42';

interface CredentialProvider {
  name: string;
  apiVersion: string;
  args: string[];
  env?: { name: string; value: string }[];
  tokenAttributes: { serviceAccountTokenAudience: string; cacheType: string; requireServiceAccount: boolean; optionalServiceAccountAnnotationKeys?: string[] };
}
interface ExchangeCall {
  method: string | undefined;
  url: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

const config = parseYaml(await readFile(CONFIG_FILE, 'utf8')) as { providers: [CredentialProvider] };
const provider = config.providers[0];

/** The exchange endpoint regauth serves, per its contract: the answer depends on the token presented. */
function answerExchange(token: unknown): { status: number; body: unknown } | undefined {
  switch (token) {
    case GOOD_TOKEN:
      return {
        status: 200,
        body: { username: MINTED_USERNAME, password: MINTED_PASSWORD, expires_at: '2026-12-03T17:15:00.000Z', expires_in: 900, policy: 'team-pull' },
      };
    case ECHOED_TOKEN:
      return { status: 200, body: { username: MINTED_USERNAME, password: ECHOED_TOKEN, expires_at: '2026-12-03T17:15:00.000Z', expires_in: 900 } };
    case REFUSED_TOKEN:
      return {
        status: 403,
        body: {
          error: 'access_denied',
          error_description: 'no trust policy allows this token',
          errors: [{ code: 'IDENTITY_TOKEN_DENIED', message: 'no trust policy allows this token', detail: { reason: 'no_matching_policy' } }],
        },
      };
    case UNAVAILABLE_TOKEN:
      return { status: 503, body: { error: 'temporarily_unavailable', errors: [{ code: 'UNAVAILABLE', message: 'try again later' }] } };
    default:
      return undefined;
  }
}

let workDir: string;
let caFile: string;
let server: Server;
let regauthUrl: string;
const calls: ExchangeCall[] = [];

beforeAll(async () => {
  await buildCredentialProvider();
  workDir = await mkdtemp(join(tmpdir(), 'regauth-credential-provider-'));
  const certificate = selfSignedServerCertificate();
  caFile = join(workDir, 'ca.pem');
  await writeFile(caFile, certificate.certificatePem);
  server = createServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      calls.push({ method: request.method, url: request.url, contentType: request.headers['content-type'], body });
      const answer = answerExchange(body.token);
      if (answer === undefined) return; // SILENT_TOKEN: never answers
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  regauthUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  calls.length = 0;
});

/** The config's args with this test's regauth and CA in place of the example's. */
function argsFor(overrides: Record<string, string | undefined> = {}): string[] {
  const values: Record<string, string | undefined> = { '--regauth-url': regauthUrl, '--ca-file': caFile, ...overrides };
  return provider.args.flatMap((arg) => {
    const flag = arg.slice(0, arg.indexOf('='));
    if (!(flag in values)) return [arg];
    const value = values[flag];
    return value === undefined ? [] : [`${flag}=${value}`];
  });
}

function kubeletRequest(token: string, annotations: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: 'CredentialProviderRequest',
    image: 'registry.example.com/team/app:1.0',
    serviceAccountToken: token,
    serviceAccountAnnotations: annotations,
  };
}

/** Runs the provider as the kubelet does, with the example config's env. */
function runProvider(request: unknown, args: string[] = argsFor()): Promise<CommandResult> {
  const env: Record<string, string> = {};
  for (const variable of provider.env ?? []) env[variable.name] = variable.value;
  return runCredentialProvider(args, request, env);
}

function expectRefusal(result: CommandResult, reason: string): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`regauth-credential-provider: ${reason}\n`);
  for (const secret of [GOOD_TOKEN, REFUSED_TOKEN, ECHOED_TOKEN, UNAVAILABLE_TOKEN, SILENT_TOKEN, MINTED_PASSWORD]) {
    expect(result.stderr).not.toContain(secret);
  }
}

describe('the example CredentialProviderConfig', () => {
  test('runs regauth-credential-provider with a service-account token for its audience, cached per service account', () => {
    expect(provider).toMatchObject({
      name: 'regauth-credential-provider',
      apiVersion: API_VERSION,
      tokenAttributes: { cacheType: 'ServiceAccount', requireServiceAccount: true, optionalServiceAccountAnnotationKeys: ['regauth.io/policy'] },
    });
    expect(provider.args).toContain(`--regauth-url=${provider.tokenAttributes.serviceAccountTokenAudience}`);
  });
});

describe('regauth-credential-provider, run as the kubelet runs it', () => {
  test('exchanges the pod\'s token with the policy its service account names and answers per registry host for half the credential\'s life', async () => {
    const result = await runProvider(kubeletRequest(GOOD_TOKEN, { 'regauth.io/policy': 'team-pull', 'other.io/key': 'x' }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      apiVersion: API_VERSION,
      kind: 'CredentialProviderResponse',
      cacheKeyType: 'Registry',
      cacheDuration: '450s',
      auth: { 'registry.example.com': { username: MINTED_USERNAME, password: MINTED_PASSWORD } },
    });
    expect(calls).toEqual([
      { method: 'POST', url: '/federation/exchange', contentType: 'application/json', body: { token: GOOD_TOKEN, policy: 'team-pull' } },
    ]);
  });

  test('asks for no policy when the service account names none', async () => {
    const result = await runProvider(kubeletRequest(GOOD_TOKEN));
    expect(result.code).toBe(0);
    expect(calls.map((call) => call.body)).toEqual([{ token: GOOD_TOKEN }]);
  });

  test('answers every configured registry host', async () => {
    const args = [...argsFor(), '--registry=mirror.example.com:5000'];
    const result = await runProvider(kubeletRequest(GOOD_TOKEN), args);
    expect(result.code).toBe(0);
    expect(Object.keys((JSON.parse(result.stdout) as { auth: object }).auth)).toEqual(['registry.example.com', 'mirror.example.com:5000']);
  });

  test('a refused token: non-zero exit, nothing on stdout, regauth\'s reason on stderr without the token', async () => {
    expectRefusal(
      await runProvider(kubeletRequest(REFUSED_TOKEN)),
      'regauth refused the exchange with HTTP 403: IDENTITY_TOKEN_DENIED: no_matching_policy',
    );
  });

  test('regauth unavailable: non-zero exit, no credentials', async () => {
    expectRefusal(await runProvider(kubeletRequest(UNAVAILABLE_TOKEN)), 'regauth refused the exchange with HTTP 503: UNAVAILABLE: try again later');
  });

  test('refuses a password equal to the service-account token', async () => {
    expectRefusal(await runProvider(kubeletRequest(ECHOED_TOKEN)), 'regauth answered the service-account token as the password; refusing it');
  });

  test('a request of another apiVersion is refused before anything is sent', async () => {
    const request = { ...kubeletRequest(GOOD_TOKEN), apiVersion: 'credentialprovider.kubelet.k8s.io/v1beta1' };
    expectRefusal(await runProvider(request), `unsupported apiVersion "credentialprovider.kubelet.k8s.io/v1beta1": expected ${API_VERSION}`);
    expect(calls).toEqual([]);
  });

  test('a request without a service-account token is refused before anything is sent', async () => {
    const { serviceAccountToken: _token, ...request } = kubeletRequest(GOOD_TOKEN);
    expectRefusal(
      await runProvider(request),
      'the request has no serviceAccountToken: set tokenAttributes.serviceAccountTokenAudience in the CredentialProviderConfig',
    );
    expect(calls).toEqual([]);
  });

  test('gives up when regauth does not answer within the timeout', async () => {
    expectRefusal(await runProvider(kubeletRequest(SILENT_TOKEN), argsFor({ '--timeout': '1s' })), 'regauth did not answer within 1000 ms');
    expect(calls.map((call) => call.body)).toEqual([{ token: SILENT_TOKEN }]);
  });

  test('does not trust regauth\'s certificate without the CA file', async () => {
    const result = await runProvider(kubeletRequest(GOOD_TOKEN), argsFor({ '--ca-file': undefined }));
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^regauth-credential-provider: cannot reach regauth at https:\/\/127\.0\.0\.1:\d+: .*certificate/);
    expect(calls).toEqual([]);
  });

  test('takes its settings from the environment too', async () => {
    const env = { REGAUTH_URL: regauthUrl, REGAUTH_CA_FILE: caFile, REGAUTH_REGISTRIES: 'registry.example.com' };
    const result = await runCredentialProvider([], kubeletRequest(GOOD_TOKEN), env);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { auth: object }).auth).toEqual({ 'registry.example.com': { username: MINTED_USERNAME, password: MINTED_PASSWORD } });
  });
});

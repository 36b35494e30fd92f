import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../test/e2e/support/run-command.js';
import { BENCH_REPOSITORY } from './bench-store.js';
import { ROOT } from './bench-settings.js';

/** GitHub Actions' issuer string: regauth never fetches it, the issuer is configured with an inline JWKS. */
export const BENCH_ISSUER_URL = 'https://token.actions.githubusercontent.com';
export const BENCH_AUDIENCE = 'https://regauth.bench.example';
const ISSUER_NAME = 'bench-github';
const POLICY_NAME = 'bench-app-pull';
const OWNER_ID = '4242';
const KEY_ID = 'bench-key-1';
/** The identity tokens outlive the whole bench; the bench sets no maximum token age. */
const TOKEN_LIFETIME_SECONDS = 3_600;

/** The key pair a GitHub-like issuer signs with; the bench makes a new one every run. */
export interface BenchIdentityIssuer {
  /** A GitHub-shaped identity token with a fresh jti, RS256 over this issuer's key. */
  mint(): string;
}

export function benchIdentityIssuer(): BenchIdentityIssuer & { readonly jwks: unknown } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    jwks: { keys: [{ ...jwk, kid: KEY_ID, alg: 'RS256', use: 'sig' }] },
    mint: () => signedToken(privateKey, githubClaims()),
  };
}

/**
 * Trusts the issuer (kind github, replay mode `once`: every jti mints one credential) and writes a policy
 * granting pull on the bench repository, with the CLI as an admin would (`regauth issuers add --jwks-file`,
 * `regauth policies add`). Run while regauth is stopped: the embedded store serves one process at a time.
 */
export async function trustBenchIssuer(issuer: { readonly jwks: unknown }, env: NodeJS.ProcessEnv, workDir: string): Promise<void> {
  const jwksFile = join(workDir, 'bench-issuer-jwks.json');
  await writeFile(jwksFile, JSON.stringify(issuer.jwks));
  await regauthCli(env, ['issuers', 'add', '--name', ISSUER_NAME, '--kind', 'github', '--url', BENCH_ISSUER_URL, '--audience', BENCH_AUDIENCE, '--jwks-file', jwksFile]);
  await regauthCli(env, [
    'policies', 'add', '--name', POLICY_NAME, '--issuer', ISSUER_NAME, '--github-owner-id', OWNER_ID,
    '--github-repository', 'octo-org/app', '--repository', BENCH_REPOSITORY, '--scope', 'read_registry', '--lifetime', '1h',
  ]);
}

/** `count` identity tokens made before a load, so signing them costs the load generator nothing. */
export function mintIdentityTokens(issuer: BenchIdentityIssuer, count: number): string[] {
  return Array.from({ length: count }, () => issuer.mint());
}

/** The JSON body of POST /federation/exchange, what a CI job sends. */
export function exchangeBody(identityToken: string): string {
  return JSON.stringify({ token: identityToken });
}

async function regauthCli(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const result = await runCommand(process.execPath, [join(ROOT, 'bin', 'regauth.js'), ...args], { env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`regauth ${args.slice(0, 2).join(' ')} failed (${result.code}): ${result.stderr.slice(-2000)}`);
}

/** A push job of octo-org/app on main, as GitHub Actions issues it. */
function githubClaims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: BENCH_ISSUER_URL,
    aud: BENCH_AUDIENCE,
    sub: 'repo:octo-org/app:ref:refs/heads/main',
    jti: randomUUID(),
    iat: now,
    nbf: now,
    exp: now + TOKEN_LIFETIME_SECONDS,
    repository: 'octo-org/app',
    repository_id: '99',
    repository_owner: 'octo-org',
    repository_owner_id: OWNER_ID,
    ref: 'refs/heads/main',
    ref_type: 'branch',
    sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    run_id: '777',
    event_name: 'push',
    workflow_ref: 'octo-org/app/.github/workflows/push.yml@refs/heads/main',
    job_workflow_ref: 'octo-org/app/.github/workflows/push.yml@refs/heads/main',
    runner_environment: 'github-hosted',
  };
}

function signedToken(privateKey: KeyObject, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid: KEY_ID })}.${encode(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import { loadSigningKey } from '../../../src/adapters/keys/key-directory.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import {
  dockerLogin,
  environmentIn,
  exists,
  ISO_TIME,
  REFUSED_CREATIONS,
  regauth,
  SECRET_SHAPE,
  type CreatedJson,
} from './cli-harness.js';

const DAY_MS = 86_400_000;
const REGISTRY_HANDOVER = (when: string) =>
  `Every registry must be given the new bundle (registry 3: also the JWKS file) and restarted ${when},\n` +
  'or its clients get "unauthorized: authentication required". The files are written here already;\n' +
  'to copy them where a registry reads them: npx regauth registry-config [--registry-version 3] --bundle PATH [--jwks PATH]\n';
const NO_TOKENS_YET = 'No deploy tokens yet. Create one with: regauth tokens create --help\n';
const TABLE_HEADER = ['ID', 'NAME', 'USERNAME', 'SCOPES', 'REPOSITORIES', 'STATUS', 'EXPIRES', 'LAST USED', 'FROM'];

/** What `tokens create --name ci --repo team/app --scope write_registry --json` prints on a new store. */
function firstWriteTokenJson(secret: string): CreatedJson {
  return {
    token: {
      id: 1,
      name: 'ci',
      username: 'deploy-token-1',
      repositories: ['team/app'],
      scopes: ['write_registry'],
      status: 'active',
      expiresAt: null,
      revokedAt: null,
      createdAt: expect.stringMatching(ISO_TIME),
      lastUsedAt: null,
      lastUsedIp: null,
      tokenLifetimeSeconds: null,
      updatedAt: null,
      secretIssuedAt: expect.stringMatching(ISO_TIME),
      secretIssuedBy: 'cli',
    },
    secret: expect.stringMatching(SECRET_SHAPE),
    credentials: expect.objectContaining({ dockerLogin: `${dockerLogin('<registry-host>', 'deploy-token-1', secret)}\n` }),
    dockerLogin: dockerLogin('<registry-host>', 'deploy-token-1', secret),
  };
}

type CreatedSummary = Pick<DeployTokenView, 'id' | 'name' | 'username' | 'repositories' | 'scopes' | 'expiresAt'>;

function createdText(token: CreatedSummary, secret: string, registryHost: string): string {
  return (
    `Created deploy token ${token.id} (${token.name}).\n` +
    '\n' +
    `  username:      ${token.username}\n` +
    `  secret:        ${secret}\n` +
    `  repositories:  ${token.repositories.join(', ')}\n` +
    `  scopes:        ${token.scopes.join(', ')}\n` +
    `  expires:       ${token.expiresAt ?? 'never'}\n` +
    '  lifetime:      service default per registry token\n' +
    '\n' +
    'The secret is shown only now: regauth keeps just its hash. Store it in your CI or cluster secrets.\n' +
    '\n' +
    'Log in with:\n' +
    `  ${dockerLogin(registryHost, token.username, secret)}\n`
  );
}

/** The cells of each row of `tokens list`: columns are separated by at least two spaces. */
const tableCells = (table: string) =>
  table
    .trimEnd()
    .split('\n')
    .map((row) => row.split(/ {2,}/));

const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rgc-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function workDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  return dir;
}

describe('usage errors exit 2', () => {
  test('an unknown command', async () => {
    expect(await regauth({}, root, ['nope'])).toEqual({ code: 2, stdout: '', stderr: "error: unknown command 'nope'\n" });
  });

  test.each([
    ['a missing required option', ['tokens', 'create', '--repo', 'team/app', '--scope', 'read_registry']],
    ['a missing argument', ['tokens', 'revoke']],
    ['an unknown subcommand', ['tokens', 'nope']],
    ['an unknown option', ['tokens', 'list', '--bogus']],
  ])('%s exits 2 and explains itself on the CLI stderr', async (_what, argv) => {
    const result = await regauth({}, root, argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: /);
  });

  test('a subcommand usage error is explained on the CLI stderr', async () => {
    const result = await regauth({}, root, ['tokens', 'create', '--repo', 'team/app', '--scope', 'read_registry']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: "error: required option '--name <name>' not specified\n" });
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await regauth({}, root, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: regauth \[options\] \[command\]\n/);
    expect(result.stdout).toContain('  tokens ');
    expect(result.stderr).toBe('');
  });
});

describe('tokens on the embedded store', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const secrets: string[] = [];
  let ciBot: DeployTokenView;
  let firstRevokedAt: string;
  const run = (...argv: string[]) => regauth(env, dir, argv);

  async function listJson(): Promise<DeployTokenView[]> {
    const result = await run('tokens', 'list', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as DeployTokenView[];
  }

  beforeAll(async () => {
    dir = await workDir('embedded');
    env = environmentIn(dir);
  });

  test('tokens list on a new store says there are none yet', async () => {
    expect(await run('tokens', 'list')).toEqual({ code: 0, stdout: NO_TOKENS_YET, stderr: '' });
  });

  test('tokens list --json on a new store is an empty array', async () => {
    expect(await run('tokens', 'list', '--json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  test('tokens create --json prints the token, its secret and the docker login command', async () => {
    const before = Date.now();
    const result = await run('tokens', 'create', '--name', 'ci', '--repo', 'team/app', '--scope', 'write_registry', '--json');
    const after = Date.now();

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const created = JSON.parse(result.stdout) as CreatedJson;
    secrets.push(created.secret);
    expect(created).toEqual(firstWriteTokenJson(created.secret));
    expect(Date.parse(created.token.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(created.token.createdAt)).toBeLessThanOrEqual(after);
    expect(result.stdout).toBe(`${JSON.stringify(created, null, 2)}\n`);
  });

  test('tokens create prints the username, the secret and a docker login line for --registry', async () => {
    const result = await run('tokens', 'create', '--name', 'cluster', '--repo', 'team/app', '--scope', 'read_registry', '--registry', 'host:5000');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const secret = /^ {2}secret: {8}(\S+)$/m.exec(result.stdout)?.[1] as string;
    expect(secret).toMatch(SECRET_SHAPE);
    secrets.push(secret);
    const token: CreatedSummary = {
      id: 2,
      name: 'cluster',
      username: 'deploy-token-2',
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: null,
    };
    expect(result.stdout).toBe(createdText(token, secret, 'host:5000'));
    expect(result.stdout).toContain(`\n  printf '%s' '${secret}' | docker login host:5000 --username deploy-token-2 --password-stdin\n`);
  });

  test('the docker login line names REGAUTH_REGISTRY_HOST when --registry is absent', async () => {
    const result = await regauth({ ...env, REGAUTH_REGISTRY_HOST: 'registry.example.com' }, dir, [
      'tokens', 'create', '--name', 'mirror', '--repo', '*', '--scope', 'read_registry', '--json',
    ]);

    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as CreatedJson;
    secrets.push(created.secret);
    expect(created.token.username).toBe('deploy-token-3');
    expect(created.dockerLogin).toBe(dockerLogin('registry.example.com', 'deploy-token-3', created.secret));
  });

  test('--username, --expires and repeated --repo and --scope', async () => {
    const result = await run(
      'tokens', 'create',
      '--name', 'release pipeline',
      '--username', 'ci-bot',
      '--expires', '90d',
      '--repo', 'team/app',
      '--repo', 'shared/base',
      '--repo', 'team/app',
      '--scope', 'read_registry',
      '--scope', 'write_registry',
      '--json',
    );

    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as CreatedJson;
    secrets.push(created.secret);
    ciBot = created.token;
    expect(created.token).toEqual({
      id: 4,
      name: 'release pipeline',
      username: 'ci-bot',
      repositories: ['team/app', 'shared/base'],
      scopes: ['read_registry', 'write_registry'],
      status: 'active',
      expiresAt: expect.stringMatching(ISO_TIME),
      revokedAt: null,
      createdAt: expect.stringMatching(ISO_TIME),
      lastUsedAt: null,
      lastUsedIp: null,
      tokenLifetimeSeconds: null,
      updatedAt: null,
      secretIssuedAt: created.token.createdAt,
      secretIssuedBy: 'cli',
    });
    expect(Date.parse(created.token.expiresAt as string) - Date.parse(created.token.createdAt)).toBe(90 * DAY_MS);
    expect(created.dockerLogin).toBe(dockerLogin('<registry-host>', 'ci-bot', created.secret));
  });

  describe('a refused creation exits 1, says why, and creates nothing', () => {
    const DIRECT_CASES = ['an unknown scope', 'no --repo', 'a username that is taken'];
    let tokensBefore: DeployTokenView[];

    beforeAll(async () => {
      tokensBefore = await listJson();
    });

    // The whole table runs through the server in cli-with-server.test.ts; opening the embedded store costs
    // half a second per run, so here a few cases show the direct path reports refusals the same way.
    test.each(REFUSED_CREATIONS.filter(([what]) => DIRECT_CASES.includes(what)))('%s', async (_what, argv, message) => {
      expect(await run('tokens', 'create', '--name', 'refused', ...argv)).toEqual({ code: 1, stdout: '', stderr: `regauth: ${message}\n` });
    });

    test('the tokens are as they were', async () => {
      expect(await listJson()).toEqual(tokensBefore);
    });
  });

  test('tokens list shows a table of every token, without secrets or hashes', async () => {
    const result = await run('tokens', 'list');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(tableCells(result.stdout)).toEqual([
      TABLE_HEADER,
      ['1', 'ci', 'deploy-token-1', 'write_registry', 'team/app', 'active', 'never', 'never', '-'],
      ['2', 'cluster', 'deploy-token-2', 'read_registry', 'team/app', 'active', 'never', 'never', '-'],
      ['3', 'mirror', 'deploy-token-3', 'read_registry', '*', 'active', 'never', 'never', '-'],
      ['4', 'release pipeline', 'ci-bot', 'read_registry,write_registry', 'team/app,shared/base', 'active', ciBot.expiresAt, 'never', '-'],
    ]);
    expect(secrets).toHaveLength(4);
    for (const secret of secrets) expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toContain('regauth_');
    expect(result.stdout).not.toMatch(/\$2[aby]\$/);
  });

  test('tokens list --json shows every field but the secret and its hash', async () => {
    const result = await run('tokens', 'list', '--json');

    expect(result.code).toBe(0);
    for (const token of JSON.parse(result.stdout) as Record<string, unknown>[]) {
      expect(Object.keys(token).sort()).toEqual(
        ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'lastUsedIp', 'name', 'repositories', 'revokedAt', 'scopes', 'secretIssuedAt', 'secretIssuedBy', 'status', 'tokenLifetimeSeconds', 'updatedAt', 'username'],
      );
    }
    for (const secret of secrets) expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toContain('regauth_');
    expect(result.stdout).not.toMatch(/\$2[aby]\$/);
    // When the secret was issued and by whom are the only fields that name it; no value of it is there.
    expect(result.stdout.replace(/"secretIssued(At|By)"/g, '')).not.toMatch(/secret/i);
  });

  test('tokens revoke <id> revokes the token and says since when', async () => {
    const before = Date.now();
    const result = await run('tokens', 'revoke', '1');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const since = /^Deploy token 1 \(deploy-token-1\) is revoked since (\S+)\. Its secret no longer gets tokens\.\n$/.exec(result.stdout)?.[1];
    expect(since).toMatch(ISO_TIME);
    expect(Date.parse(since as string)).toBeGreaterThanOrEqual(before);
    firstRevokedAt = since as string;
  });

  test('tokens revoke <username> --json prints the revoked token', async () => {
    const result = await run('tokens', 'revoke', 'ci-bot', '--json');

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ...ciBot, status: 'revoked', revokedAt: expect.stringMatching(ISO_TIME) });
  });

  test('revoking a revoked token keeps the time of the first revocation', async () => {
    const again = await run('tokens', 'revoke', 'deploy-token-1', '--json');

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: 1, status: 'revoked', revokedAt: firstRevokedAt });
  });

  test('tokens list shows the revoked tokens as revoked and the others as active', async () => {
    expect((await listJson()).map((token) => [token.username, token.status, token.revokedAt === null])).toEqual([
      ['deploy-token-1', 'revoked', false],
      ['deploy-token-2', 'active', true],
      ['deploy-token-3', 'active', true],
      ['ci-bot', 'revoked', false],
    ]);
  });

  test.each([['an unknown username', 'nobody'], ['an unknown id', '99']])('revoking %s exits 1', async (_what, reference) => {
    expect(await run('tokens', 'revoke', reference)).toEqual({
      code: 1,
      stdout: '',
      stderr: `regauth: no deploy token with id or username "${reference}"\n`,
    });
  });
});

describe('keys generate', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let keysDir: string;
  let bundle: string;
  const run = (...argv: string[]) => regauth(env, dir, argv);

  beforeAll(async () => {
    dir = await workDir('keys');
    env = environmentIn(dir);
    keysDir = join(dir, 'keys');
    bundle = join(keysDir, 'registry-rootcertbundle.pem');
  });

  test('on an empty keys folder writes a key, its certificate and the registry bundle', async () => {
    const result = await run('keys', 'generate');
    const key = await loadSigningKey(keysDir);

    expect(key).not.toBeNull();
    expect(result).toEqual({
      code: 0,
      stdout:
        `Generated signing key ${key?.keyId}\n  private key: ${key?.keyFile}\n  certificate: ${key?.certificateFile}\n` +
        `  registry bundle: ${bundle}\n`,
      stderr: '',
    });
    expect(await exists(key?.keyFile as string)).toBe(true);
    expect(await exists(key?.certificateFile as string)).toBe(true);
    expect(await readFile(bundle, 'utf8')).toBe(key?.certificatePem.trimEnd() + '\n');
  });

  test('again refuses, exits 1 and points at --force', async () => {
    const key = await loadSigningKey(keysDir);
    const filesBefore = (await readdir(keysDir)).sort();

    expect(await run('keys', 'generate')).toEqual({
      code: 1,
      stdout: '',
      stderr: `regauth: a signing key already exists (kid ${key?.keyId}, ${key?.keyFile}); use --force to add a new one\n`,
    });
    expect((await readdir(keysDir)).sort()).toEqual(filesBefore);
  });

  test('with --force adds a second key that signs at once, and bundles both certificates', async () => {
    const previous = await loadSigningKey(keysDir);
    const result = await run('keys', 'generate', '--force');
    const key = await loadSigningKey(keysDir);

    expect(key?.keyId).not.toBe(previous?.keyId);
    expect(result).toEqual({
      code: 0,
      stdout:
        `Generated signing key ${key?.keyId}\n  private key: ${key?.keyFile}\n  certificate: ${key?.certificateFile}\n` +
        `  registry bundle: ${bundle}\n` +
        'It signs now: a running regauth picks it up at its next keys reload (keys.reloadSeconds, or SIGHUP).\n' +
        REGISTRY_HANDOVER('now'),
      stderr: '',
    });
    expect((await readdir(keysDir)).filter((file) => file.startsWith('signing-'))).toHaveLength(4);
    const bundled = await readFile(bundle, 'utf8');
    expect(pemBlocks(bundled)).toBe(2);
    expect(bundled).toBe(`${previous?.certificatePem.trimEnd()}\n${key?.certificatePem.trimEnd()}\n`);
  });

  test('rotate stages a key and says that every registry must be given the new bundle before it signs, and how', async () => {
    const previous = await loadSigningKey(keysDir);
    const result = await run('keys', 'rotate', '--activate-in', '2h');
    const staged = (await readdir(keysDir)).filter((file) => file.startsWith('signing-key-')).sort().at(-1) as string;
    const signsFrom = /^Added signing key \S+ \(RS256\)\n(?:.*\n)*  signs from: +(\S+) \(in 2h\)\n/.exec(result.stdout)?.[1] as string;

    expect(result.code).toBe(0);
    expect(join(keysDir, staged)).toBe(/  private key: +(\S+)\n/.exec(result.stdout)?.[1]);
    expect(result.stdout.endsWith(
      `Until then ${previous?.keyId} signs.\n` +
        'regauth replicas pick the key up by themselves (keys.reloadSeconds, or SIGHUP).\n' +
        REGISTRY_HANDOVER(`before ${signsFrom}`),
    )).toBe(true);
  });
});

describe('registry-config', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (...argv: string[]) => regauth(env, dir, argv);

  beforeAll(async () => {
    dir = await workDir('registry-config');
    env = environmentIn(dir, {
      REGAUTH_PUBLIC_URL: 'https://auth.example.com/',
      REGAUTH_SERVICE: 'registry.example.com',
      REGAUTH_ISSUER: 'regauth.example.com',
    });
  });

  test("prints the registry's auth.token block for the config and writes the bundle it names", async () => {
    const result = await run('registry-config');
    const config = loadConfig(env, dir);
    const key = await loadSigningKey(config.keys.dir);

    expect(result).toEqual({
      code: 0,
      stdout:
        'auth:\n' +
        '  token:\n' +
        '    realm: https://auth.example.com/token\n' +
        '    service: registry.example.com\n' +
        '    issuer: regauth.example.com\n' +
        `    rootcertbundle: ${join(dir, 'keys', 'registry-rootcertbundle.pem')}\n`,
      stderr: '',
    });
    expect(parseYaml(result.stdout)).toEqual({
      auth: {
        token: { realm: config.realm, service: config.token.service, issuer: config.token.issuer, rootcertbundle: config.registryBundlePath },
      },
    });
    const bundled = await readFile(config.registryBundlePath, 'utf8');
    expect(bundled).toBe(key?.certificatePem.trimEnd() + '\n');
    expect(new X509Certificate(bundled).checkPrivateKey(key?.privateKey as NonNullable<typeof key>['privateKey'])).toBe(true);
  });

  test('--bundle writes the bundle to that path, relative to the working directory, and names it', async () => {
    await mkdir(join(dir, 'other'));
    const result = await run('registry-config', '--bundle', 'other/path.pem');
    const key = await loadSigningKey(join(dir, 'keys'));

    expect(result.code).toBe(0);
    expect((parseYaml(result.stdout) as { auth: { token: { rootcertbundle: string } } }).auth.token.rootcertbundle).toBe(
      join(dir, 'other', 'path.pem'),
    );
    expect(await readFile(join(dir, 'other', 'path.pem'), 'utf8')).toBe(key?.certificatePem.trimEnd() + '\n');
  });

  test('--bundle into a folder that does not exist yet creates it', async () => {
    const result = await run('registry-config', '--bundle', 'new-folder/bundle.pem');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(pemBlocks(await readFile(join(dir, 'new-folder', 'bundle.pem'), 'utf8'))).toBe(1);
  });

  test('--config names a YAML file of settings, as REGAUTH_CONFIG does', async () => {
    await writeFile(join(dir, 'settings.yaml'), 'token:\n  path: /v2/token\n');
    const result = await run('--config', 'settings.yaml', 'registry-config');

    expect(result.code).toBe(0);
    expect((parseYaml(result.stdout) as { auth: { token: { realm: string } } }).auth.token.realm).toBe(
      'https://auth.example.com/v2/token',
    );
  });

  test('an invalid setting exits 1 naming the setting and its source', async () => {
    expect(await regauth({ ...env, REGAUTH_TOKEN_LIFETIME: '30' }, dir, ['registry-config'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'regauth: invalid configuration:\n' +
        '  - token.lifetimeSeconds (from environment variable REGAUTH_TOKEN_LIFETIME): Too small: expected number to be >=60\n',
    });
  });
});

const postgres = await postgresAvailable();

(postgres ? describe : describe.skip)('tokens on PostgreSQL', () => {
  let schema: PostgresTestSchema;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (...argv: string[]) => regauth(env, dir, argv);

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    dir = await workDir('postgres');
    env = environmentIn(dir, { DATABASE_URL: schema.url });
  });

  afterAll(async () => {
    await schema?.drop();
  });

  let created: CreatedJson;

  test('tokens list on an empty database says there are none yet', async () => {
    expect(await run('tokens', 'list')).toEqual({ code: 0, stdout: NO_TOKENS_YET, stderr: '' });
  });

  test('tokens create stores the token in the database of DATABASE_URL', async () => {
    const result = await run('tokens', 'create', '--name', 'ci', '--repo', 'team/app', '--scope', 'write_registry', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    created = JSON.parse(result.stdout) as CreatedJson;
    expect(created).toEqual(firstWriteTokenJson(created.secret));
  });

  test('tokens list --json shows it, without its secret', async () => {
    const result = await run('tokens', 'list', '--json');

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([created.token]);
    expect(result.stdout).not.toContain(created.secret);
  });

  test('a username that is taken is refused', async () => {
    const chosen = ['tokens', 'create', '--repo', 'team/app', '--scope', 'read_registry', '--username', 'ci'];
    expect(await run(...chosen, '--name', 'first')).toMatchObject({ code: 0, stderr: '' });
    expect(await run(...chosen, '--name', 'second')).toEqual({ code: 1, stdout: '', stderr: 'regauth: username "ci" is already taken\n' });
  });

  test('tokens revoke revokes by username, and again by id keeps the first time', async () => {
    const revoked = await run('tokens', 'revoke', 'deploy-token-1', '--json');
    expect(revoked.code).toBe(0);
    const view = JSON.parse(revoked.stdout) as DeployTokenView;
    expect(view).toEqual({ ...created.token, status: 'revoked', revokedAt: expect.stringMatching(ISO_TIME) });

    const again = await run('tokens', 'revoke', '1', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(view);
  });

  test('revoking an unknown token exits 1', async () => {
    expect(await run('tokens', 'revoke', 'nobody')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'regauth: no deploy token with id or username "nobody"\n',
    });
  });

  test('tokens list shows the revoked token as revoked', async () => {
    const listed = JSON.parse((await run('tokens', 'list', '--json')).stdout) as DeployTokenView[];
    expect(listed.map((token) => [token.username, token.status])).toEqual([
      ['deploy-token-1', 'revoked'],
      ['ci', 'active'],
    ]);
  });

  test('the embedded data folder is left alone', async () => {
    expect(await exists(join(dir, 'data'))).toBe(false);
  });
});

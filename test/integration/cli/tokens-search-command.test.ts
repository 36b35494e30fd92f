import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import type { DeployTokenPage } from '../../../src/app/deploy-token-admin.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import { startRegauth, type RunningRegauth } from '../../../src/composition-root.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { environmentIn, regauth, type CreatedJson } from './cli-harness.js';

type Mode = readonly [name: string, start: (dir: string) => Promise<{ env: NodeJS.ProcessEnv; close(): Promise<void> }>];

const MODES: readonly Mode[] = [
  ['the embedded store, opened by the CLI itself', async (dir) => ({ env: environmentIn(dir), close: async () => undefined })],
  [
    'a running server holding the embedded store (control socket)',
    async (dir) => {
      const env = environmentIn(dir, { REGAUTH_PORT: '0', REGAUTH_HOST: '127.0.0.1' });
      const running: RunningRegauth = await startRegauth(loadConfig(env, dir), { logger: new RecordingLogger() });
      return { env, close: () => running.close() };
    },
  ],
];

// Each test runs several CLI commands, each opening the store: more than the default 30 s on a busy machine.
jest.setTimeout(180_000);

describe.each(MODES)('regauth tokens list / extend / test-pattern / show on %s', (_name, start) => {
  let dir: string;
  let setup: Awaited<ReturnType<Mode[1]>>;
  const run = async (...argv: string[]) => regauth(setup.env, dir, argv);
  const json = async <T>(...argv: string[]): Promise<T> => {
    const result = await run(...argv, '--json');
    expect([result.stderr, result.code]).toEqual(['', 0]);
    return JSON.parse(result.stdout) as T;
  };
  const names = async (...argv: string[]) => (await json<DeployTokenView[]>('tokens', 'list', ...argv)).map((token) => token.name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-cli-search-'));
    setup = await start(dir);
    const create = (...argv: string[]) => json<CreatedJson>('tokens', 'create', ...argv);
    await create('--name', 'Alpha pull', '--repo', 'team/app', '--scope', 'read_registry', '--expires', '10d');
    await create('--name', 'beta push', '--repo', 'team/*', '--scope', 'write_registry', '--expires', '90d');
    await create('--name', 'gamma', '--repo', 'other/x', '--scope', 'read_registry', '--username', 'gamma-bot');
    await run('tokens', 'revoke', '3');
  }, 60_000);

  afterAll(async () => {
    await setup?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--search, --status, --scope, --expiring-within, --unused-for and --covers filter; --sort orders', async () => {
    expect(await names('--search', 'ALPHA')).toStrictEqual(['Alpha pull']);
    expect(await names('--search', 'gamma-bot')).toStrictEqual(['gamma']);
    expect(await names('--status', 'active', '--scope', 'write_registry')).toStrictEqual(['beta push']);
    expect(await names('--expiring-within', '30')).toStrictEqual(['Alpha pull']);
    expect(await names('--expiring-within', '30d', '--covers', 'team/web')).toStrictEqual([]);
    expect(await names('--covers', 'team/app')).toStrictEqual(['Alpha pull', 'beta push']);
    expect(await names('--repository', 'team/app')).toStrictEqual(['Alpha pull', 'beta push']);
    // Made moments ago and never used: not unused for a day yet.
    expect(await names('--unused-for', '1')).toStrictEqual([]);
    expect(await names('--sort', 'name:desc')).toStrictEqual(['gamma', 'beta push', 'Alpha pull']);
    expect(await names('--sort', 'expires:asc')).toStrictEqual(['Alpha pull', 'beta push', 'gamma']);
  });

  test('--page prints one page and which of the matches it holds', async () => {
    const page = await json<DeployTokenPage>('tokens', 'list', '--page', '2', '--page-size', '2');
    expect([page.items.map((token) => token.name), page.total, page.offset]).toStrictEqual([['gamma'], 3, 2]);
    const text = await run('tokens', 'list', '--page', '1', '--page-size', '2', '--sort', 'name:asc');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Alpha pull[\s\S]*beta push/);
    expect(text.stdout.endsWith('1–2 of 3\n')).toBe(true);
  });

  test.each<[string[], RegExp]>([
    [['--expiring-within', 'soon'], /invalid --expiring-within "soon": use a number of days/],
    [['--page', '0'], /invalid --page "0"/],
    [['--page-size', '5'], /--page-size needs --page/],
    [['--sort', 'secret'], /invalid sort "secret"/],
    [['--covers', 'Team/App'], /invalid repository "Team\/App"/],
  ])('tokens list %j is refused with a reason', async (argv, message) => {
    const result = await run('tokens', 'list', ...argv);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  test('tokens extend moves the expiry without a new secret; a past date or two choices are refused', async () => {
    const before = await json<DeployTokenView>('tokens', 'show', '1');
    const extended = await json<DeployTokenView>('tokens', 'extend', '1', '--expires-in', '30d');
    expect(Date.parse(extended.expiresAt as string)).toBeGreaterThan(Date.parse(before.expiresAt as string));
    expect(extended.secretIssuedAt).toBe(before.secretIssuedAt);
    const text = await run('tokens', 'extend', '1', '--expires-at', '2099-01-31');
    expect([text.code, text.stdout.split('\n')[0]]).toEqual([0, 'Extended deploy token 1: it expires 2099-01-31T00:00:00.000Z.']);
    expect((await run('tokens', 'extend', '1', '--expires-at', '2020-01-01')).stderr).toMatch(/not in the future/);
    expect((await run('tokens', 'extend', '1', '--expires-in', '1d', '--never')).stderr).toMatch(/exactly one of --expires-in, --expires-at and --never/);
    expect((await json<DeployTokenView>('tokens', 'show', '1')).expiresAt).toBe('2099-01-31T00:00:00.000Z');
    expect((await json<DeployTokenView>('tokens', 'extend', '1', '--never')).expiresAt).toBeNull();
  });

  test('tokens show says when the secret was issued and by whom', async () => {
    const shown = await run('tokens', 'show', '2');
    const token = await json<DeployTokenView>('tokens', 'show', '2');
    expect(token.secretIssuedBy).toBe('cli');
    expect(shown.stdout).toContain(`  secret issued:  ${token.secretIssuedAt} by cli\n`);
  });

  test('tokens test-pattern lists each repository and what covers it', async () => {
    const result = await run('tokens', 'test-pattern', 'team/app', 'shared/**', '--repository', 'team/app/cache', '--repository', 'team/application', '--repository', 'shared/x/y');
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'team/app/cache    covered by team/app\n' +
        'team/application  not covered\n' +
        'shared/x/y        covered by shared/**\n' +
        '\n' +
        'Covers team/app/cache and shared/x/y, not team/application.\n',
    });
    const refused = await run('tokens', 'test-pattern', 'Team/App', '--repository', 'team/app');
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('invalid repository "Team/App"')]);
  });
});

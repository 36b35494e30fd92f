// Regenerates docs/screenshots/*.png (shown in the README's "Web UI" section): `npm run screenshots`.
// Starts the built server on a temporary embedded store, fills it with sample tokens and some activity,
// and photographs the main pages in the same headless Chromium setup as the browser tests.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startRegauthProcess, type RegauthProcess } from '../test/e2e/support/regauth-process.js';
import { assertSucceeded } from '../test/e2e/support/run-command.js';
import { makeWorkDir, removeWorkDir } from '../test/e2e/support/work-dir.js';
import { launchBrowser, newGuardedContext } from '../test/support/browser.js';
import { REPOSITORY_ROOT } from '../test/support/repository.js';

const OUT_DIR = join(REPOSITORY_ROOT, 'docs/screenshots');
const REGISTRY_HOST = 'registry.example.com';

interface SampleToken {
  readonly name: string;
  readonly repositories: string[];
  readonly scopes: string[];
  readonly expires?: string;
}

const SAMPLE_TOKENS: readonly SampleToken[] = [
  { name: 'ci of team/app', repositories: ['team/app'], scopes: ['write_registry'], expires: '90d' },
  { name: 'prod cluster pulls', repositories: ['team/**'], scopes: ['read_registry'], expires: '365d' },
  { name: 'staging cluster pulls', repositories: ['team/**'], scopes: ['read_registry'], expires: '20d' },
  { name: 'nightly mirror', repositories: ['mirror/**'], scopes: ['write_registry'] },
  { name: 'old laptop', repositories: ['team/app'], scopes: ['read_registry'], expires: '30d' },
];

async function createSampleData(regauth: RegauthProcess, adminKey: string): Promise<void> {
  const { realm, service } = await regauth.registryAuth();
  const api = (path: string, body?: unknown) =>
    fetch(`${regauth.url}/api/v1${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const login = (username: string, secret: string, scope: string) =>
    fetch(`${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` },
    });
  const created: { token: { id: number; username: string }; secret: string }[] = [];
  for (const token of SAMPLE_TOKENS) {
    const response = await api('/deploy-tokens', token);
    if (response.status !== 201) throw new Error(`creating ${token.name}: ${response.status} ${await response.text()}`);
    created.push((await response.json()) as (typeof created)[number]);
  }
  const [ci, prod, , , laptop] = created;
  if (ci === undefined || prod === undefined || laptop === undefined) throw new Error('sample tokens missing');
  // Some activity for the "last used" column, the audit log and the overview's failed logins.
  await login(ci.token.username, ci.secret, 'repository:team/app:pull,push');
  await login(prod.token.username, prod.secret, 'repository:team/app:pull');
  await login(prod.token.username, 'regauth_wrong-secret', 'repository:team/app:pull');
  await api(`/deploy-tokens/${laptop.token.id}/revoke`);
}

async function shoot(page: Page, name: string): Promise<void> {
  // The UI script has run (local times, tabs) once the page has loaded.
  await page.waitForLoadState('load');
  await page.screenshot({ path: join(OUT_DIR, `${name}.png`), fullPage: true });
  process.stdout.write(`docs/screenshots/${name}.png\n`);
}

async function main(): Promise<void> {
  const workDir = await makeWorkDir();
  let regauth: RegauthProcess | undefined;
  const browser = await launchBrowser();
  try {
    await mkdir(OUT_DIR, { recursive: true });
    regauth = await startRegauthProcess(join(workDir, 'regauth'), {
      env: { REGAUTH_REGISTRY_HOST: REGISTRY_HOST, REGAUTH_SERVICE: REGISTRY_HOST, REGAUTH_ISSUER: 'regauth' },
    });
    const adminKey = (
      JSON.parse(assertSucceeded(await regauth.cli(['admin-keys', 'create', '--json', '--name', 'platform-team']), 'admin-keys create').stdout) as {
        key: string;
      }
    ).key;
    await createSampleData(regauth, adminKey);

    const guard = await newGuardedContext(browser, { viewport: { width: 1200, height: 800 }, timezoneId: 'UTC', locale: 'en-GB' });
    const page = await guard.context.newPage();
    const ui = (path: string) => `${regauth?.url}/ui${path}`;

    await page.goto(ui('/sign-in'));
    await shoot(page, 'sign-in');
    await page.getByLabel('Admin key', { exact: true }).fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(ui('/'));
    await shoot(page, 'overview');
    await page.goto(ui('/tokens'));
    await shoot(page, 'tokens');

    await page.goto(ui('/tokens/new'));
    await page.getByLabel('Name', { exact: true }).fill('ci of team/web');
    await page.getByLabel('Repositories, one pattern a line').fill('team/web\nteam/web/**');
    await page.locator('#tryRepository, #tryRepositories').fill('team/web/cache');
    await page.getByRole('button', { name: /^Test/ }).click();
    await page.waitForLoadState('load');
    await page.getByRole('checkbox', { name: 'Push images (and pull)' }).check();
    await shoot(page, 'create-token');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('tab', { name: 'Kubernetes Secret' }).click();
    await shoot(page, 'shown-once');

    await page.goto(ui('/tokens/1'));
    await shoot(page, 'token-detail');
    await page.getByRole('link', { name: 'Revoke this token' }).click();
    await page.getByRole('dialog').waitFor();
    await shoot(page, 'revoke-dialog');

    await page.goto(ui('/audit'));
    await shoot(page, 'audit');
    await page.goto(ui('/signing-keys'));
    await shoot(page, 'signing-keys');

    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(ui('/tokens'));
    await shoot(page, 'tokens-phone');

    guard.assertStayedOnLoopback();
    await guard.close();
  } finally {
    await browser.close();
    await regauth?.stop();
    await removeWorkDir(workDir);
  }
}

await main();

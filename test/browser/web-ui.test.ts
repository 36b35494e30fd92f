import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildTinyOciImage, type TinyOciImage } from '../e2e/support/oci-image.js';
import { startRegauthProcess, type RegauthProcess } from '../e2e/support/regauth-process.js';
import { startRegistry, type RunningRegistry } from '../e2e/support/registry.js';
import { requireTools } from '../e2e/support/required-tools.js';
import { assertSucceeded } from '../e2e/support/run-command.js';
import { skopeo } from '../e2e/support/skopeo.js';
import { makeWorkDir, removeWorkDir } from '../e2e/support/work-dir.js';
import {
  browserAvailable,
  expectNoAxeViolations,
  horizontalOverflow,
  isLoopbackUrl,
  launchBrowser,
  newGuardedContext,
  type GuardedContext,
} from '../support/browser.js';

const ready = requireTools(['docker-registry', 'skopeo']) && browserAvailable();
const describeBrowser = ready ? describe : describe.skip;
const ADMIN_NAME = 'alice';
const UI_ACTOR = `admin-key:${ADMIN_NAME} via ui`;
const SECRET_IN_LOGIN = /'(regauth_[A-Za-z0-9_-]+)'/;
const FORMAT_PANELS = ['docker', 'podman', 'dockerconfigjson', 'kubernetes', 'github', 'gitlab'];

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

describeBrowser('the web UI in a real browser, against a real registry and skopeo', () => {
  let root: string;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let browser: Browser | undefined;
  let guard: GuardedContext;
  let page: Page;
  let image: TinyOciImage;
  let adminKey: string;
  const visited = new Set<string>();
  const secretsSeen: string[] = [];
  let writer: Credentials & { readonly id: string };
  let reader: Credentials & { readonly id: string };

  const ui = (path = '/') => `${regauth?.url}/ui${path}`;
  const ref = (repository: string, tag = 'v1') => `docker://${registry?.address}/${repository}:${tag}`;
  const creds = ({ username, secret }: Credentials) => `${username}:${secret}`;
  const push = (who: Credentials, tag: string) =>
    skopeo(['copy', '--dest-creds', creds(who), '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, ref('team/app', tag)]);
  const pull = (who: Credentials, into: string) =>
    skopeo(['copy', '--src-creds', creds(who), '--src-tls-verify=false', ref('team/app'), `oci:${join(root, into)}:v1`]);

  /** Every page the test reaches is checked by axe-core; `name` records that it was. */
  async function checkPage(name: string, target: Page = page): Promise<void> {
    await expectNoAxeViolations(target);
    visited.add(name);
  }

  async function signIn(target: Page): Promise<void> {
    await target.goto(ui('/sign-in'));
    await target.getByLabel('Admin key', { exact: true }).fill(adminKey);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.waitForURL(ui('/'));
  }

  async function createToken(target: Page, name: string, scope: 'pull' | 'push'): Promise<void> {
    await target.goto(ui('/tokens/new'));
    await target.getByLabel('Name', { exact: true }).fill(name);
    await target.getByLabel('Repositories, one pattern a line').fill('team/app');
    await target.getByRole('checkbox', { name: 'Pull images' }).setChecked(scope === 'pull');
    await target.getByRole('checkbox', { name: 'Push images (and pull)' }).setChecked(scope === 'push');
    await target.getByRole('button', { name: 'Create token' }).click();
    await target.getByRole('heading', { level: 1, name: `Deploy token ${name} created` }).waitFor();
  }

  /** The username and secret on a shown-once page, and the token id it links to. */
  async function shownCredentials(target: Page): Promise<Credentials & { readonly id: string }> {
    const login = (await target.locator('pre#docker').textContent()) ?? '';
    const secret = SECRET_IN_LOGIN.exec(login)?.[1];
    if (secret === undefined) throw new Error(`no secret in ${login}`);
    const username = (await target.locator('main > p code').first().textContent()) ?? '';
    const href = (await target.getByRole('link', { name: 'Go to the token' }).getAttribute('href')) ?? '';
    secretsSeen.push(secret);
    return { username, secret, id: href.slice(href.lastIndexOf('/') + 1) };
  }

  beforeAll(async () => {
    root = await makeWorkDir();
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'pushed from the web UI test\n' });
    regauth = await startRegauthProcess(join(root, 'regauth'));
    const created = JSON.parse(assertSucceeded(await regauth.cli(['admin-keys', 'create', '--json', '--name', ADMIN_NAME]), 'admin-keys create').stdout) as {
      key: string;
    };
    adminKey = created.key;
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
    browser = await launchBrowser();
    guard = await newGuardedContext(browser, {
      timezoneId: 'Asia/Tokyo',
      locale: 'en-GB',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = await guard.context.newPage();
  }, 120_000);

  afterEach(() => {
    guard?.assertStayedOnLoopback();
    guard?.assertNoPageErrors();
  });

  afterAll(async () => {
    await browser?.close();
    await registry?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('the route guard refuses and records a request that would leave loopback; CSP refusals are recorded', async () => {
    for (const url of ['http://127.0.0.1:5001/ui/', 'http://localhost/', 'http://[::1]:8080/', 'http://127.0.0.53/', 'data:text/plain,x']) {
      expect({ url, loopback: isLoopbackUrl(url) }).toEqual({ url, loopback: true });
    }
    for (const url of ['http://127.0.0.1.example.com/', 'https://example.com/', 'http://10.0.0.1/', 'ws://192.0.2.1/']) {
      expect({ url, loopback: isLoopbackUrl(url) }).toEqual({ url, loopback: false });
    }
    const probe = await newGuardedContext(browser as Browser);
    try {
      const blank = await probe.context.newPage();
      await blank.goto('about:blank');
      await blank.evaluate('fetch("http://192.0.2.1/beacon").catch(() => null)');
      expect(probe.outsideRequests).toEqual(['http://192.0.2.1/beacon']);
      expect(() => probe.assertStayedOnLoopback()).toThrow('requests left loopback');

      // The CSP refuses an inline script in a real browser, and the context records the refusal.
      const signInPage = await probe.context.newPage();
      await signInPage.goto(ui('/sign-in'));
      await signInPage.addScriptTag({ content: 'window.injected = true;' }).catch(() => null);
      expect(await signInPage.evaluate('window.injected === true')).toBe(false);
      expect(() => probe.assertNoPageErrors()).toThrow(/Content Security Policy/);
    } finally {
      await probe.close();
    }
  }, 30_000);

  test('the sign-in page, then signing in with an admin key, lands on the overview', async () => {
    await page.goto(ui('/tokens'));
    expect(page.url()).toBe(ui('/sign-in'));
    await checkPage('sign-in');
    await page.getByLabel('Admin key', { exact: true }).fill('regauth_admin_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkPage('sign-in with an error');
    await signIn(page);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await checkPage('overview');
  }, 60_000);

  test('a write token is created, its secret read once in every format; a reload does not show it again', async () => {
    await createToken(page, 'ci push', 'push');
    await checkPage('shown once');
    writer = await shownCredentials(page);
    expect(writer.username).toMatch(/^deploy-token-\d+$/);
    expect(await page.locator('pre#kubernetes').textContent()).toContain('kubernetes.io/dockerconfigjson');

    // Chromium sends the create form again: regauth answers that it was sent already, without the secret.
    await page.reload();
    const reloaded = (await page.locator('main').textContent()) ?? '';
    expect(reloaded).toContain('This form was already sent');
    expect(reloaded).not.toContain(writer.secret);
    await page.goto(ui(`/tokens/${writer.id}`));
    expect(await page.content()).not.toContain(writer.secret);
  }, 60_000);

  test('skopeo pushes with the write secret, and a read token made in the UI pulls the image', async () => {
    assertSucceeded(await push(writer, 'v1'), 'push with the secret from the UI');
    await createToken(page, 'cluster pull', 'pull');
    reader = await shownCredentials(page);
    assertSucceeded(await pull(reader, 'pulled'), 'pull with the read token from the UI');
    const refused = await push(reader, 'from-reader');
    expect(refused.code).not.toBe(0);
    await page.goto(ui(`/tokens/${writer.id}`));
    const activity = (await page.locator('main').textContent()) ?? '';
    expect(activity).toContain('token.issued');
    expect(activity).toContain('granted pull, push team/app');
  }, 120_000);

  test('with JavaScript: the formats are tabs, copy buttons copy, and times are local', async () => {
    await createToken(page, 'tabs and copy', 'pull');
    const tabs = page.getByRole('tab');
    expect(await tabs.allTextContents()).toEqual(['docker login', 'podman', '.dockerconfigjson', 'Kubernetes Secret', 'GitHub Actions', 'GitLab CI variables']);
    const panel = (id: string) => page.locator(`#${id}-panel`);
    expect(await panel('docker').isVisible()).toBe(true);
    expect(await panel('kubernetes').isVisible()).toBe(false);
    await page.getByRole('tab', { name: 'Kubernetes Secret' }).click();
    expect(await panel('kubernetes').isVisible()).toBe(true);
    expect(await panel('docker').isVisible()).toBe(false);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'GitHub Actions' }).getAttribute('aria-selected')).toBe('true');
    expect(await panel('github').isVisible()).toBe(true);
    await page.keyboard.press('Home');
    expect(await panel('docker').isVisible()).toBe(true);
    await checkPage('shown once, as tabs');

    await page.getByRole('button', { name: 'Copy docker login' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await page.locator('pre#docker').textContent());

    await page.getByRole('link', { name: 'Go to the token' }).click();
    const created = page.locator('dt:has-text("Created") + dd time');
    expect(await created.textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d Asia\/Tokyo$/);
    expect(await created.getAttribute('title')).toMatch(/ UTC$/);
    const utc = new Date(`${((await created.getAttribute('datetime')) ?? '').slice(0, 16)}Z`);
    const tokyoHour = (utc.getUTCHours() + 9) % 24;
    expect(await created.textContent()).toContain(` ${String(tokyoHour).padStart(2, '0')}:`);
  }, 60_000);

  test('the token list filters by status and by a repository the patterns cover', async () => {
    // The list's search form, whatever its button says; the page is the one whose address carries `value`.
    const search = async (value: string) => {
      await page.locator('form[role=search] button[type=submit]').click();
      await page.waitForURL((url) => url.search.includes(encodeURIComponent(value)));
    };
    await page.goto(ui('/tokens'));
    await checkPage('tokens list');
    await page.getByLabel('Covers repository').fill('team/app/cache');
    await search('team/app/cache');
    expect(await page.getByRole('link', { name: 'ci push' }).count()).toBe(1);
    await page.getByLabel('Covers repository').fill('other/app');
    await search('other/app');
    await page.getByText('No deploy tokens match.').waitFor();
    await page.getByLabel('Covers repository').fill('');
    await page.getByLabel('Status', { exact: true }).selectOption('revoked');
    await search('revoked');
    await page.getByText('No deploy tokens match.').waitFor();
    await checkPage('tokens list, filtered');
  }, 60_000);

  test('the detail and edit pages; an edit is saved', async () => {
    await page.goto(ui(`/tokens/${reader.id}`));
    await checkPage('token detail');
    await page.getByRole('link', { name: 'Edit' }).click();
    await checkPage('token edit');
    await page.getByLabel('Name', { exact: true }).fill('cluster pull (prod)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deploy token cluster pull (prod)' }).waitFor();
  }, 60_000);

  test('rotating through the dialog (cancel first) shows a new secret once; skopeo pulls with it and the old one is refused', async () => {
    await page.goto(ui(`/tokens/${reader.id}`));
    const opener = page.getByRole('link', { name: 'Rotate its secret' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the secret of cluster pull (prod)?' });
    await dialog.waitFor();
    await checkPage('rotate dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement.textContent.trim()')).toBe('Rotate its secret');
    expect(page.url()).toBe(ui(`/tokens/${reader.id}`));
    assertSucceeded(await pull(reader, 'pulled-after-cancelled-rotation'), 'pull with the secret a cancelled rotation kept');
    await opener.click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Rotate the secret of cluster pull (prod)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deploy token cluster pull (prod) has a new secret' }).waitFor();
    const rotated = await shownCredentials(page);
    expect(rotated.username).toBe(reader.username);
    expect(rotated.secret).not.toBe(reader.secret);
    assertSucceeded(await pull(rotated, 'pulled-after-rotation'), 'pull with the rotated secret');
    expect((await pull(reader, 'pulled-with-old-secret')).code).not.toBe(0);
    reader = rotated;
    await page.goto(ui(`/tokens/${reader.id}/rotate`));
    await checkPage('rotate confirmation');
  }, 120_000);

  test('revoking through the dialog (cancel first) stops skopeo pushing', async () => {
    await page.goto(ui(`/tokens/${writer.id}/revoke`));
    await checkPage('revoke confirmation');
    await page.goto(ui(`/tokens/${writer.id}`));
    const opener = page.getByRole('link', { name: 'Revoke this token' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Revoke ci push?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('stops getting registry tokens');
    await checkPage('revoke dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement.textContent.trim()')).toBe('Revoke this token');
    expect(await page.locator('dt:has-text("Status") + dd').textContent()).toBe('active');

    await opener.click();
    await dialog.getByRole('button', { name: 'Revoke ci push' }).click();
    await page.waitForURL(ui(`/tokens/${writer.id}`));
    expect(await page.locator('dt:has-text("Status") + dd').textContent()).toBe('revoked');
    const refused = await push(writer, 'after-revoke');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('deploy token has been revoked');

    await page.goto(ui('/tokens?status=revoked'));
    expect(await page.getByRole('link', { name: 'ci push' }).count()).toBe(1);
  }, 120_000);

  test('without JavaScript: every format one after another, confirmation pages instead of dialogs, UTC times', async () => {
    const plain = await newGuardedContext(browser as Browser, { javaScriptEnabled: false });
    try {
      const noScript = await plain.context.newPage();
      await signIn(noScript);
      await createToken(noScript, 'without javascript', 'pull');
      expect(await noScript.getByRole('tab').count()).toBe(0);
      for (const id of FORMAT_PANELS) expect(await noScript.locator(`pre#${id}`).isVisible()).toBe(true);
      expect(await noScript.getByRole('button', { name: /^Copy/ }).count()).toBe(0);
      const { id } = await shownCredentials(noScript);
      await noScript.getByRole('link', { name: 'Go to the token' }).click();
      expect(await noScript.locator('dt:has-text("Created") + dd time').textContent()).toMatch(/ UTC$/);
      await noScript.getByRole('link', { name: 'Revoke this token' }).click();
      await noScript.waitForURL(ui(`/tokens/${id}/revoke`));
      await noScript.getByRole('link', { name: 'Keep it' }).click();
      await noScript.waitForURL(ui(`/tokens/${id}`));
      await noScript.getByRole('link', { name: 'Rotate its secret' }).click();
      await noScript.waitForURL(ui(`/tokens/${id}/rotate`));
      plain.assertStayedOnLoopback();
      plain.assertNoPageErrors();
    } finally {
      await plain.close();
    }
    // axe-core needs JavaScript in the page: here the UI's own script is replaced by an empty one instead.
    const unenhanced = await guard.context.newPage();
    try {
      await unenhanced.route(/\/ui\/static\/.*\.js$/, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
      await createToken(unenhanced, 'without the script', 'pull');
      expect(await unenhanced.getByRole('tab').count()).toBe(0);
      await checkPage('shown once, without the script', unenhanced);
    } finally {
      await unenhanced.close();
    }
  }, 60_000);

  test('the audit page names the UI actor for what was done here', async () => {
    await page.goto(ui('/audit'));
    await checkPage('audit');
    const rows = await page.locator('tbody tr').allTextContents();
    for (const event of ['token.created', 'token.updated', 'token.rotated', 'token.revoked']) {
      expect(rows.some((row) => row.includes(event) && row.includes(UI_ACTOR))).toBe(true);
    }
    await page.getByLabel('Event', { exact: true }).selectOption('token.revoked');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/event=token\.revoked/);
    const revoked = await page.locator('tbody tr').allTextContents();
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toContain(writer.username);
    await checkPage('audit, filtered');
  }, 60_000);

  test('rotating the signing key in the UI adds the next key', async () => {
    await page.goto(ui('/signing-keys'));
    await checkPage('signing keys');
    const before = await page.locator('tbody tr').count();
    await page.getByLabel('Starts signing in').fill('1h');
    await page.getByRole('button', { name: 'Add the next signing key' }).click();
    await page.getByRole('status').filter({ hasText: /^Added / }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(before + 1);
    await checkPage('signing keys, rotated');
  }, 60_000);

  test('admin keys: the list, one made (shown once) and revoked through the dialog; trust policies and not-found pages', async () => {
    await page.goto(ui('/admin-keys'));
    expect(await page.locator('tbody tr').first().textContent()).toContain(ADMIN_NAME);
    await checkPage('admin keys');
    await page.getByLabel('Name', { exact: true }).fill('bob');
    await page.getByRole('button', { name: 'Create admin key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Admin key bob created' }).waitFor();
    const bobKey = (await page.locator('pre#admin-key').textContent()) ?? '';
    expect(bobKey).toMatch(/^regauth_admin_/);
    secretsSeen.push(bobKey);
    await checkPage('admin key shown once');
    await page.getByRole('link', { name: 'Back to the admin keys' }).click();
    const revokeBob = page.getByRole('link', { name: 'Revoke bob' });
    await page.goto(`${regauth?.url}${await revokeBob.getAttribute('href')}`);
    await checkPage('admin key revoke confirmation');
    await page.goBack();
    await revokeBob.click();
    const dialog = page.getByRole('dialog', { name: 'Revoke admin key bob?' });
    await dialog.getByRole('button', { name: 'Revoke bob' }).click();
    await page.waitForURL(ui('/admin-keys'));
    expect(await page.locator('tbody tr', { hasText: 'bob' }).textContent()).toContain('revoked');

    await page.goto(ui('/trust-policies'));
    await checkPage('trust policies');
    const missing = await page.goto(ui('/no-such-page'));
    expect(missing?.status()).toBe(404);
    await checkPage('not found');
  }, 60_000);

  test('the create form works from the keyboard alone: Tab reaches every field, then the submit', async () => {
    await page.goto(ui('/tokens/new'));
    await checkPage('create form');
    await page.getByLabel('Name', { exact: true }).fill('no repositories');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkPage('create form with errors');
    await page.goto(ui('/tokens/new'));
    // A control by its id, else name=value; a radio group is one stop.
    const keyOf = `(element) => element.type === 'radio' ? 'radio:' + element.name : element.id || (element.name ? element.name + '=' + element.value : element.textContent.trim())`;
    const controls = [
      ...new Set(
        (await page.evaluate(
          `Array.from(document.querySelectorAll('main form input:not([type=hidden]), main form textarea, main form select, main form button')).map(${keyOf})`,
        )) as string[],
      ),
    ];
    expect(controls).toEqual(expect.arrayContaining(['name', 'repositories', 'scopes=read_registry', 'scopes=write_registry', 'action=create']));
    const reached: string[] = [];
    for (let press = 0; press < 60 && reached.at(-1) !== controls.at(-1); press += 1) {
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate(`(${keyOf})(document.activeElement)`)) as string;
      if (reached.at(-1) !== focused) reached.push(focused);
    }
    expect(reached.filter((focused) => controls.includes(focused))).toEqual(controls);
    expect(reached[0]).toBe('Skip to content');

    await page.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.type('typed by keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type('team/app');
    await page.getByRole('button', { name: 'Create token' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Deploy token typed by keyboard created' }).waitFor();
  }, 60_000);

  test('at a phone’s width (375 px) the main pages do not scroll sideways; wide tables scroll in a focusable region', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      for (const path of ['/', '/tokens', '/tokens/new', `/tokens/${reader.id}`, `/tokens/${reader.id}/edit`, '/audit', '/signing-keys', '/admin-keys']) {
        await page.goto(ui(path));
        expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
        await expectNoAxeViolations(page);
      }
      await page.goto(ui('/tokens'));
      const table = page.getByRole('region', { name: 'Deploy tokens' });
      await table.focus();
      await page.keyboard.press('ArrowRight');
      // Polled from here: waitForFunction's own polling compiles its predicate with eval, which the page's CSP refuses.
      const scrolledLeft = () => page.evaluate(() => document.querySelector('.table-scroll')?.scrollLeft ?? 0);
      for (let tries = 0; tries < 50 && (await scrolledLeft()) === 0; tries += 1) await page.waitForTimeout(100);
      expect(await scrolledLeft()).toBeGreaterThan(0);
      await createToken(page, 'on a phone', 'pull');
      expect(await horizontalOverflow(page)).toBe(0);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  }, 120_000);

  test('sign-out ends the session: a protected page then redirects to sign-in', async () => {
    await page.goto(ui('/'));
    await page.getByRole('button', { name: `Sign out ${ADMIN_NAME}` }).click();
    await page.waitForURL(ui('/sign-in'));
    await page.goto(ui(`/tokens/${reader.id}`));
    expect(page.url()).toBe(ui('/sign-in'));
  }, 60_000);

  test('no secret or admin key the UI showed or was given reaches regauth’s log', async () => {
    await regauth?.settledLogRecords();
    const logs = regauth?.logs() ?? '';
    expect(logs).toContain('via ui');
    expect(secretsSeen.length).toBeGreaterThanOrEqual(5);
    for (const secret of [...secretsSeen, adminKey]) expect(logs).not.toContain(secret);
  });

  test('axe-core checked every page of the UI', () => {
    for (const name of ['overview', 'tokens list', 'create form', 'shown once', 'token detail', 'token edit', 'rotate confirmation', 'revoke confirmation', 'audit', 'signing keys', 'admin keys', 'admin key shown once', 'admin key revoke confirmation', 'trust policies', 'sign-in', 'not found']) {
      expect(visited).toContain(name);
    }
  });
});

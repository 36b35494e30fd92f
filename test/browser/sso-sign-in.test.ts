import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { freePort } from '../e2e/support/free-port.js';
import { startRegauthProcess, type RegauthProcess } from '../e2e/support/regauth-process.js';
import { makeWorkDir, removeWorkDir } from '../e2e/support/work-dir.js';
import { browserAvailable, expectNoAxeViolations, launchBrowser, newGuardedContext, type GuardedContext } from '../support/browser.js';
import { startOidcSignInProvider, type OidcSignInProvider } from '../support/oidc-sign-in-provider.js';

const describeBrowser = browserAvailable() ? describe : describe.skip;
const CLIENT_ID = 'regauth-ui';
const CLIENT_SECRET = 'provider-client-secret-for-browser-tests';
const PROVIDER_NAME = 'Test IdP';
const CALLBACK_PATH = '/ui/sign-in/oidc/callback';
const ACCOUNTS = [
  { login: 'ada', email: 'ada@example.com', groups: ['platform-admins', 'everyone'] },
  { login: 'vic', email: 'vic@example.com', groups: ['auditors'] },
  { login: 'nemo', email: 'nemo@example.com', groups: ['everyone'] },
];

describeBrowser('single sign-on in a real browser, through oidc-provider on loopback', () => {
  let root: string;
  let provider: OidcSignInProvider | undefined;
  let regauth: RegauthProcess | undefined;
  let browser: Browser | undefined;
  /**
   * regauth is reached as `localhost` while the provider is `127.0.0.1`: two sites, so the provider's redirect
   * to the callback is a cross-site navigation, as with a real identity provider (ports do not make sites).
   */
  let base: string;
  const contexts: GuardedContext[] = [];
  const visited = new Set<string>();
  let ada: Page;

  const ui = (path = '/') => `${base}/ui${path}`;

  async function checkPage(name: string, target: Page): Promise<void> {
    await expectNoAxeViolations(target);
    visited.add(name);
  }

  /** A page in a fresh context of its own: nobody shares the provider's or regauth's cookies. */
  async function freshPage(): Promise<Page> {
    const guard = await newGuardedContext(browser as Browser);
    contexts.push(guard);
    return guard.context.newPage();
  }

  /** The provider's login and consent pages (not ours: not axe-checked), ending at regauth's callback. */
  async function throughProvider(target: Page, login: string): Promise<void> {
    await target.goto(ui('/sign-in'));
    await target.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await target.waitForURL((url) => url.href.startsWith(`${provider?.issuer}/interaction/`));
    await target.getByLabel('Login', { exact: true }).fill(login);
    await target.getByLabel('Password', { exact: true }).fill('any password');
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.getByRole('heading', { name: /^Allow regauth/ }).waitFor();
    await target.getByRole('button', { name: 'Allow' }).click();
  }

  const isCallback = (request: Request) => request.url().startsWith(`${base}${CALLBACK_PATH}?`);

  beforeAll(async () => {
    root = await makeWorkDir();
    // regauth's port first: the redirect URI registered at the provider names it.
    const port = await freePort();
    base = `http://localhost:${port}`;
    provider = await startOidcSignInProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${base}${CALLBACK_PATH}`, accounts: ACCOUNTS });
    regauth = await startRegauthProcess(join(root, 'regauth'), {
      port,
      env: {
        REGAUTH_PUBLIC_URL: base,
        REGAUTH_UI_OIDC_ISSUER: provider.issuer,
        REGAUTH_UI_OIDC_NAME: PROVIDER_NAME,
        REGAUTH_UI_OIDC_CLIENT_ID: CLIENT_ID,
        REGAUTH_UI_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        REGAUTH_UI_OIDC_ADMIN_GROUPS: 'platform-admins',
        REGAUTH_UI_OIDC_VIEWER_GROUPS: 'auditors',
        REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER: 'true',
      },
    });
    await regauth.createToken({ name: 'made with the cli', repos: ['team/app'], scopes: ['read_registry'] });
    browser = await launchBrowser();
    ada = await freshPage();
  }, 120_000);

  afterEach(() => {
    for (const guard of contexts) {
      guard.assertStayedOnLoopback();
      guard.assertNoPageErrors();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await regauth?.stop();
    await provider?.close();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('an admin-group member signs in through the provider, lands on the overview and stays signed in', async () => {
    await ada.goto(ui('/tokens'));
    expect(ada.url()).toBe(ui('/sign-in'));
    await checkPage('sign-in with the SSO button', ada);
    const callbackSite = new Promise<string | undefined>((resolve) => {
      ada.on('request', (request) => {
        if (isCallback(request)) void request.allHeaders().then((headers) => resolve(headers['sec-fetch-site']));
      });
    });
    await throughProvider(ada, 'ada');
    // The callback came cross-site, so the Strict session cookie it set is withheld on the rest of that
    // navigation: regauth's same-origin continue page makes the next navigation, which carries it.
    expect(await callbackSite).toBe('cross-site');
    await ada.waitForURL(ui('/'));
    await ada.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await ada.getByRole('button', { name: 'Sign out ada@example.com' }).waitFor();
    const session = (await ada.context().cookies(base)).find((cookie) => cookie.name === 'regauth_session');
    expect(session).toEqual(expect.objectContaining({ sameSite: 'Strict', httpOnly: true }));
    await ada.goto(ui('/tokens'));
    expect(ada.url()).toBe(ui('/tokens'));
    await ada.getByRole('link', { name: 'Create a deploy token' }).waitFor();
  }, 60_000);

  test('the admin creates a token, and the audit page names the SSO subject and email via ui', async () => {
    await ada.getByRole('link', { name: 'Create a deploy token' }).click();
    await ada.getByLabel('Name', { exact: true }).fill('made by sso');
    await ada.getByLabel('Repositories, one pattern a line').fill('team/sso');
    await ada.getByRole('button', { name: 'Create token' }).click();
    await ada.getByRole('heading', { level: 1, name: 'Deploy token made by sso created' }).waitFor();
    await ada.goto(ui('/audit'));
    const rows = await ada.locator('tbody tr').allTextContents();
    expect(rows.some((row) => row.includes('token.created') && row.includes('sso:ada <ada@example.com> via ui'))).toBe(true);
    expect(rows.some((row) => row.includes('sso.signed_in') && row.includes('sso:ada <ada@example.com> via ui'))).toBe(true);
  }, 60_000);

  test('a viewer-group member sees the tokens but no create link, and the create page is refused', async () => {
    const vic = await freshPage();
    // Playwright does not route a redirect's next request, so the consent answer's redirect is caught and the
    // callback opened by hand, to hold the continue page (its refresh taken out) for axe and then follow its
    // link, as a browser that ignores the refresh would.
    let caught: (url: string) => void = () => undefined;
    const callbackUrl = new Promise<string>((resolve) => (caught = resolve));
    await vic.route(
      (url) => url.href.startsWith(`${provider?.issuer}/interaction/`),
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const answer = await route.fetch({ maxRedirects: 0 });
        let location = new URL(answer.headers()['location'] ?? '', route.request().url()).href;
        if (!location.startsWith(`${provider?.issuer}/auth/`)) return route.fulfill({ response: answer });
        // After login the provider's resume step sends the browser to consent, after consent to the callback.
        const resumed = await vic.context().request.get(location, { maxRedirects: 0 });
        location = new URL(resumed.headers()['location'] ?? '', location).href;
        if (!location.startsWith(`${base}${CALLBACK_PATH}?`)) return route.fulfill({ status: 303, headers: { location } });
        caught(location);
        return route.abort('aborted');
      },
    );
    await vic.route(
      (url) => url.href.startsWith(`${base}${CALLBACK_PATH}?`),
      async (route) => {
        const answer = await route.fetch({ maxRedirects: 0 });
        const body = (await answer.text()).replace(/<meta http-equiv="refresh"[^>]*>/, '');
        await route.fulfill({ response: answer, body });
      },
    );
    await throughProvider(vic, 'vic');
    await vic.goto(await callbackUrl);
    await vic.getByRole('link', { name: 'Continue to regauth' }).waitFor();
    await checkPage('continue page', vic);
    await vic.getByRole('link', { name: 'Continue to regauth' }).click();
    await vic.waitForURL(ui('/'));
    await vic.getByRole('button', { name: 'Sign out vic@example.com' }).waitFor();

    await vic.goto(ui('/tokens'));
    expect(vic.url()).toBe(ui('/tokens'));
    expect(await vic.getByRole('link', { name: 'made with the cli' }).count()).toBe(1);
    expect(await vic.getByRole('link', { name: 'made by sso' }).count()).toBe(1);
    expect(await vic.getByRole('link', { name: 'Create a deploy token' }).count()).toBe(0);
    const refused = await vic.goto(ui('/tokens/new'));
    expect(refused?.status()).toBe(403);
    await vic.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    expect(await vic.getByLabel('Name', { exact: true }).count()).toBe(0);
    await checkPage('viewer refused the create page', vic);
  }, 60_000);

  test('a person in no regauth group is refused with a page saying so and is not signed in', async () => {
    const nemo = await freshPage();
    const callback = nemo.waitForResponse((response) => isCallback(response.request()));
    await throughProvider(nemo, 'nemo');
    expect((await callback).status()).toBe(403);
    await nemo.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    expect(await nemo.locator('main').textContent()).toContain(
      `${PROVIDER_NAME} signed you in as nemo@example.com, but you are in none of the groups that may use regauth`,
    );
    await checkPage('no-group refused page', nemo);
    expect((await nemo.context().cookies(base)).map((cookie) => cookie.name)).not.toContain('regauth_session');
    await nemo.goto(ui('/'));
    expect(nemo.url()).toBe(ui('/sign-in'));
  }, 60_000);

  test('sign-out ends the SSO session: a protected page then redirects to sign-in', async () => {
    await ada.goto(ui('/'));
    await ada.getByRole('button', { name: 'Sign out ada@example.com' }).click();
    await ada.waitForURL(ui('/sign-in'));
    await ada.goto(ui('/tokens'));
    expect(ada.url()).toBe(ui('/sign-in'));
  }, 60_000);

  test('axe-core checked every SSO page of ours, and no request left loopback', () => {
    expect([...visited].sort()).toEqual(['continue page', 'no-group refused page', 'sign-in with the SSO button', 'viewer refused the create page']);
    expect(contexts).toHaveLength(3);
    for (const guard of contexts) expect(guard.outsideRequests).toEqual([]);
  });

  test('the client secret is never in regauth’s log', async () => {
    const logs = (await regauth?.settledLogRecords())?.map((record) => JSON.stringify(record)).join('\n') ?? '';
    expect(logs).toContain('sso');
    expect(logs).not.toContain(CLIENT_SECRET);
  });
});

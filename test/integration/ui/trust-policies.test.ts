import request from 'supertest';
import { createPostgresTestSchema, postgresAvailable } from '../../support/postgres.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const HOSTILE = '<script>alert(1)</script>';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

interface Store {
  readonly name: string;
  open(): Promise<{ service: TestRegauth; close(): Promise<void> }>;
}

const embedded: Store = {
  name: 'the embedded store',
  async open() {
    const service = await createTestRegauth();
    return { service, close: () => service.close() };
  },
};

const onPostgres: Store = {
  name: 'PostgreSQL',
  async open() {
    const schema = await createPostgresTestSchema();
    const service = await createTestRegauth({}, { DATABASE_URL: schema.url });
    return {
      service,
      close: async () => {
        await service.close();
        await schema.drop();
      },
    };
  },
};

const STORES: readonly Store[] = (await postgresAvailable()) ? [embedded, onPostgres] : [embedded];

/** A GitHub policy as the form sends it; tests change single fields. */
const GITHUB_FORM = {
  name: 'acme-deploy',
  githubOwnerId: '1234567',
  githubRepository: 'acme/app',
  githubWorkflow: 'deploy.yml',
  githubEnvironment: 'production',
  githubRef: 'refs/heads/main',
  conditions: `runner_environment=github-hosted\nactor=${HOSTILE}`,
  repositories: 'acme/app\nacme/app-cache',
  scopes: ['read_registry', 'write_registry'],
  lifetime: '10m',
  expires: '',
  enabled: 'yes',
};

describe.each(STORES)('the trust policy pages on $name', (store) => {
  let opened: { service: TestRegauth; close(): Promise<void> };
  let admin: { cookie: string; csrf: string };
  let viewer: { cookie: string; csrf: string };
  let githubIssuerId: number;
  const app = () => opened.service.regauth.app;
  const federation = () => opened.service.regauth.federationAdmin;

  const post = (path: string, session: { cookie: string; csrf: string }, form: Record<string, unknown>) =>
    request(app())
      .post(path)
      .set('Cookie', session.cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ csrf: session.csrf, ...form });

  beforeAll(async () => {
    opened = await store.open();
    const sessions = opened.service.regauth.uiSessions!;
    const { adminKey } = await opened.service.regauth.adminKeys.create('alice');
    const signedIn = await sessions.start({ kind: 'admin-key', adminKeyId: adminKey.id, name: adminKey.name });
    admin = { cookie: `regauth_session=${signedIn.sessionId}`, csrf: signedIn.session.csrfToken };
    const watching = await sessions.start({ kind: 'sso', subject: 'vera', email: 'vera@example.com', role: 'viewer' });
    viewer = { cookie: `regauth_session=${watching.sessionId}`, csrf: watching.session.csrfToken };
  });

  afterAll(async () => {
    await opened.close();
  });

  test('anonymous visitors are sent to sign in and can create nothing', async () => {
    for (const path of ['/ui/trust-policies', '/ui/trust-policies/new', '/ui/trust-policies/1', '/ui/trust-policies/1/edit']) {
      await request(app()).get(path).expect(303).expect('Location', '/ui/sign-in');
    }
    await request(app()).post('/ui/trust-policies/new').type('form').send(GITHUB_FORM).expect(303).expect('Location', '/ui/sign-in');
    expect(await federation().policies.list()).toEqual([]);
  });

  test('without a trusted issuer the page says how to add one and offers no form', async () => {
    const page = await request(app()).get('/ui/trust-policies').set('Cookie', admin.cookie).expect(200);
    expect(page.text).toContain('No trusted issuers yet');
    expect(page.text).not.toContain('/ui/trust-policies/new');
    const form = await request(app()).get('/ui/trust-policies/new').set('Cookie', admin.cookie).expect(200);
    expect(form.text).toContain('There is no trusted issuer to write a policy for');
    expect(form.text).not.toContain('<form method="post" action="/ui/trust-policies/new"');
  });

  test('the trusted issuers are listed read-only, with their kind, URL and audience', async () => {
    githubIssuerId = (await federation().issuers.create({ name: 'github', kind: 'github', issuerUrl: GITHUB_ISSUER })).id;
    await federation().issuers.create({ name: 'cluster', kind: 'kubernetes', issuerUrl: 'https://kubernetes.example.com' });
    const page = await request(app()).get('/ui/trust-policies').set('Cookie', viewer.cookie).expect(200);
    expect(page.text).toContain('<h2>Trusted issuers</h2>');
    expect(page.text).toContain(`<code>${GITHUB_ISSUER}</code>`);
    expect(page.text).toContain('github (multi-tenant: policies must pin an owner ID)');
    expect(page.text).toContain('<td>cluster</td>');
    expect(page.text).not.toContain('/ui/trust-policies/new');
    const form = await request(app()).get('/ui/trust-policies/new').set('Cookie', admin.cookie).expect(200);
    expect(form.text).toContain(`<option value="${githubIssuerId}">github (github, multi-tenant: pin an owner ID)</option>`);
    for (const field of ['githubOwnerId', 'githubWorkflow', 'gitlabNamespaceId', 'gitlabProtectedRef', 'kubernetesServiceAccount', 'kubernetesUid', 'conditions', 'lifetime', 'expires']) {
      expect(form.text).toContain(`name="${field}"`);
    }
    expect(form.text).toMatch(/<label for="githubOwnerId">Owner ID<\/label>/);
  });

  test('a GitHub policy without an owner ID is refused with the reason, linked to the owner field, and nothing is saved', async () => {
    const refused = await post('/ui/trust-policies/new', admin, { ...GITHUB_FORM, issuer: String(githubIssuerId), githubOwnerId: '' }).expect(400);
    expect(refused.text).toContain('There is a problem');
    expect(refused.text).toContain('<a href="#githubOwnerId">');
    expect(refused.text).toContain('this issuer is multi-tenant');
    expect(refused.text).toContain('names can be re-registered by someone else, IDs cannot');
    expect(refused.text).toContain('value="acme/app"');
    expect(refused.text).not.toContain(HOSTILE);
    expect(refused.text).toContain('actor=&lt;script>alert(1)&lt;/script>');
    expect(await federation().policies.list()).toEqual([]);
  });

  test.each([
    [{ conditions: 'no operator here' }, 'conditions', 'Extra condition on line 1'],
    [{ repositories: ' ' }, 'repositories', 'Enter at least one repository pattern'],
    [{ scopes: [] }, 'scopes', 'Choose what the credential may do'],
    [{ lifetime: '2h' }, 'lifetime', 'a credential lifetime is from 60 to 3600 seconds'],
    [{ name: 'Not A Slug' }, 'name', 'invalid trust policy name'],
    [{ githubOwnerId: 'acme' }, 'github', 'it is a number such as 1234567, not a name'],
    [{ expires: 'someday' }, 'expires', 'invalid expiry'],
    [{ issuer: '' }, 'issuer', 'Choose the trusted issuer'],
  ])('a form with %o is refused with a message linked to #%s', async (change, field, message) => {
    const refused = await post('/ui/trust-policies/new', admin, { ...GITHUB_FORM, issuer: String(githubIssuerId), ...change }).expect(400);
    expect(refused.text).toContain(`<a href="#${field}">`);
    expect(refused.text).toContain(message);
    expect(await federation().policies.list()).toEqual([]);
  });

  test('a cross-site form, or one without or with a wrong synchronizer token, is refused and saves nothing', async () => {
    const form = { ...GITHUB_FORM, issuer: String(githubIssuerId) };
    await request(app()).post('/ui/trust-policies/new').set('Cookie', admin.cookie).type('form').send(form).expect(403);
    await request(app()).post('/ui/trust-policies/new').set('Cookie', admin.cookie).type('form').send({ ...form, csrf: 'wrong' }).expect(403);
    await request(app()).post('/ui/trust-policies/new').set('Cookie', admin.cookie).set('Sec-Fetch-Site', 'cross-site').type('form').send({ ...form, csrf: admin.csrf }).expect(403);
    await request(app())
      .post('/ui/trust-policies/new')
      .set('Cookie', admin.cookie)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ ...form, csrf: admin.csrf })
      .expect(403);
    expect(await federation().policies.list()).toEqual([]);
  });

  test('an admin adds a GitHub policy; the list shows the issuer by name, the conditions in words, the grants, lifetime and state', async () => {
    const created = await post('/ui/trust-policies/new', admin, { ...GITHUB_FORM, issuer: String(githubIssuerId) }).expect(303);
    const [policy] = await federation().policies.list();
    expect(created.headers.location).toBe(`/ui/trust-policies/${policy!.id}`);
    expect(policy).toMatchObject({ name: 'acme-deploy', issuerId: githubIssuerId, credentialLifetimeSeconds: 600, enabled: true, repositories: ['acme/app', 'acme/app-cache'] });
    const list = await request(app()).get('/ui/trust-policies').set('Cookie', viewer.cookie).expect(200);
    expect(list.text).toContain(`<a href="/ui/trust-policies/${policy!.id}">acme-deploy</a>`);
    expect(list.text).toContain('<td>github</td>');
    expect(list.text).toContain('<li>GitHub owner ID is 1234567</li>');
    expect(list.text).toContain('<li>repository is acme/app</li>');
    expect(list.text).toContain('<li>workflow acme/app/.github/workflows/deploy.yml at any ref</li>');
    expect(list.text).toContain('<li>environment is production</li>');
    expect(list.text).toContain('<li>ref is refs/heads/main</li>');
    expect(list.text).toContain('<li>claim runner_environment is github-hosted</li>');
    expect(list.text).toContain('<li>claim actor is &lt;script>alert(1)&lt;/script></li>');
    expect(list.text).not.toContain(HOSTILE);
    expect(list.text).toContain('<code>acme/app</code>, <code>acme/app-cache</code>: pull, push and pull');
    expect(list.text).toContain('<td>10m</td>');
    expect(list.text).toContain('<td>enabled</td>');
    const events = await opened.service.regauth.admin.audit({ event: 'policy.created' });
    expect(events.items.map((event) => [event.actor, event.details.policy])).toEqual([['admin-key:alice via ui', 'acme-deploy']]);
    const audit = await request(app()).get('/ui/audit?event=policy.created').set('Cookie', viewer.cookie).expect(200);
    expect(audit.text).toContain(`<a href="/ui/trust-policies/${policy!.id}">policy acme-deploy</a>`);
    expect(audit.text).toContain('<td>admin-key:alice via ui</td>');
  });

  test('a Kubernetes policy from its preset, and a GitLab one with a protected ref, read as plain words', async () => {
    await post('/ui/trust-policies/new', admin, {
      name: 'cluster-pull',
      issuer: 'cluster',
      kubernetesNamespace: 'shop',
      kubernetesServiceAccount: 'web',
      kubernetesUid: '9f2c-11',
      repositories: 'shop/**',
      scopes: 'read_registry',
      lifetime: '',
      expires: '30d',
      enabled: 'yes',
    }).expect(303);
    const gitlab = await federation().issuers.create({ name: 'gitlab', kind: 'gitlab', issuerUrl: 'https://gitlab.com' });
    await post('/ui/trust-policies/new', admin, {
      name: 'gitlab-build',
      issuer: String(gitlab.id),
      gitlabNamespaceId: '42',
      gitlabProject: 'group/sub/app',
      gitlabRef: 'main',
      gitlabProtectedRef: 'yes',
      repositories: 'group/app',
      scopes: 'write_registry',
    }).expect(303);
    const list = await request(app()).get('/ui/trust-policies').set('Cookie', admin.cookie).expect(200);
    expect(list.text).toContain('<li>Kubernetes namespace is shop</li>');
    expect(list.text).toContain('<li>service account is web</li>');
    expect(list.text).toContain('<li>service account uid is 9f2c-11</li>');
    expect(list.text).toContain('<td>15m</td>');
    expect(list.text).toContain('<li>GitLab namespace ID is 42</li>');
    expect(list.text).toContain('<li>GitLab project is group/sub/app</li>');
    expect(list.text).toContain('<li>the ref is protected</li>');
    const gitlabPolicy = (await federation().policies.list()).find((policy) => policy.name === 'gitlab-build');
    expect(gitlabPolicy?.enabled).toBe(false);
  });

  test('a viewer reads a policy but cannot add, edit, disable or enable one', async () => {
    const [policy] = await federation().policies.list();
    const page = await request(app()).get(`/ui/trust-policies/${policy!.id}`).set('Cookie', viewer.cookie).expect(200);
    expect(page.text).toContain('<h1>Trust policy acme-deploy</h1>');
    expect(page.text).not.toContain('Disable this policy');
    expect(page.text).not.toContain('/edit"');
    await request(app()).get('/ui/trust-policies/new').set('Cookie', viewer.cookie).expect(403);
    await request(app()).get(`/ui/trust-policies/${policy!.id}/edit`).set('Cookie', viewer.cookie).expect(403);
    await post('/ui/trust-policies/new', viewer, { ...GITHUB_FORM, name: 'viewer-made', issuer: String(githubIssuerId) }).expect(403);
    await post(`/ui/trust-policies/${policy!.id}/disable`, viewer, {}).expect(403);
    await post(`/ui/trust-policies/${policy!.id}/edit`, viewer, { ...GITHUB_FORM, lifetime: '1h' }).expect(403);
    expect(await federation().policies.get(String(policy!.id))).toMatchObject({ enabled: true, credentialLifetimeSeconds: 600 });
    expect((await federation().policies.list()).map((each) => each.name)).not.toContain('viewer-made');
  });

  test('editing shows the stored conditions as lines, refuses dropping the owner ID, and saves a valid change', async () => {
    const [policy] = await federation().policies.list();
    const form = await request(app()).get(`/ui/trust-policies/${policy!.id}/edit`).set('Cookie', admin.cookie).expect(200);
    expect(form.text).toContain('repository_owner_id=1234567');
    expect(form.text).toContain('job_workflow_ref glob acme/app/.github/workflows/deploy.yml@*,');
    expect(form.text).toContain('actor=&lt;script>alert(1)&lt;/script>');
    expect(form.text).toContain('value="10m"');
    expect(form.text).toContain('name="githubOwnerId"');
    expect(form.text).not.toContain('name="kubernetesNamespace"');
    expect(form.text).not.toContain('name="gitlabNamespaceId"');
    const lines = (/<textarea id="conditions"[^>]*>([^<]*)<\/textarea>/.exec(form.text)?.[1] ?? '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
    const withoutOwner = lines.split('\n').filter((line) => !line.startsWith('repository_owner_id')).join('\n');
    const refused = await post(`/ui/trust-policies/${policy!.id}/edit`, admin, { name: 'acme-deploy', conditions: withoutOwner, repositories: 'acme/app', scopes: 'read_registry', lifetime: '10m' }).expect(400);
    expect(refused.text).toContain('<a href="#githubOwnerId">');
    expect(refused.text).toContain('this issuer is multi-tenant');
    expect(await federation().policies.get(String(policy!.id))).toMatchObject({ repositories: ['acme/app', 'acme/app-cache'] });
    await post(`/ui/trust-policies/${policy!.id}/edit`, admin, { name: 'acme-deploy', conditions: lines, repositories: 'acme/app', scopes: 'read_registry', lifetime: '30m', expires: '90d' }).expect(303);
    const updated = await federation().policies.get(String(policy!.id));
    expect(updated).toMatchObject({ repositories: ['acme/app'], scopes: ['read_registry'], credentialLifetimeSeconds: 1800 });
    expect(updated.conditions).toEqual(policy!.conditions);
    expect(updated.expiresAt).not.toBeNull();
    await post(`/ui/trust-policies/${policy!.id}/edit`, admin, { name: 'acme-deploy', conditions: lines, repositories: 'acme/app', scopes: 'read_registry', neverExpires: 'yes' }).expect(303);
    expect((await federation().policies.get(String(policy!.id))).expiresAt).toBeNull();
    const events = await opened.service.regauth.admin.audit({ event: 'policy.updated', actor: 'alice' });
    expect(events.items).toHaveLength(2);
  });

  test('disabling and enabling from the policy page, recorded with the UI actor', async () => {
    const [policy] = await federation().policies.list();
    const page = await request(app()).get(`/ui/trust-policies/${policy!.id}`).set('Cookie', admin.cookie).expect(200);
    expect(page.text).toContain(`action="/ui/trust-policies/${policy!.id}/disable"`);
    await request(app()).post(`/ui/trust-policies/${policy!.id}/disable`).set('Cookie', admin.cookie).type('form').send({ csrf: 'wrong' }).expect(403);
    expect((await federation().policies.get(String(policy!.id))).enabled).toBe(true);
    await post(`/ui/trust-policies/${policy!.id}/disable`, admin, {}).expect(303).expect('Location', `/ui/trust-policies/${policy!.id}`);
    expect((await federation().policies.get(String(policy!.id))).enabled).toBe(false);
    const disabled = await request(app()).get(`/ui/trust-policies/${policy!.id}`).set('Cookie', admin.cookie).expect(200);
    expect(disabled.text).toContain('<dd>disabled</dd>');
    expect(disabled.text).toContain('Enable this policy');
    await post(`/ui/trust-policies/${policy!.id}/enable`, admin, {}).expect(303);
    expect((await federation().policies.get(String(policy!.id))).enabled).toBe(true);
    const events = await opened.service.regauth.admin.audit({ event: 'policy.updated', actor: 'admin-key:alice via ui' });
    expect(events.items.slice(0, 2).map((event) => event.details.enabled)).toEqual([true, false]);
  });

  test('an unknown or malformed policy id is a 404 page', async () => {
    await request(app()).get('/ui/trust-policies/999').set('Cookie', admin.cookie).expect(404);
    await request(app()).get('/ui/trust-policies/acme-deploy').set('Cookie', admin.cookie).expect(404);
    await post('/ui/trust-policies/999/disable', admin, {}).expect(404);
  });
});

import request from 'supertest';
import type { Response } from 'supertest';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

let service: TestRegauth;
let cookie: string;
let csrf: string;

const app = () => service.regauth.app;
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
const formKeyIn = (html: string) => /name="formKey" value="([^"]+)"/.exec(html)?.[1] as string;

function sessionCookie(response: Response, name: string): string {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((value) => value.startsWith(`${name}=`)) as string;
  return header.slice(0, header.indexOf(';'));
}

beforeAll(async () => {
  service = await createTestRegauth({}, { REGAUTH_REGISTRY_HOST: 'registry.example:5000' });
  const { key } = await service.regauth.adminKeys.create('alice');
  const form = await request(app()).get('/ui/sign-in');
  const signedIn = await request(app())
    .post('/ui/sign-in')
    .set('Cookie', sessionCookie(form, 'regauth_sign_in'))
    .type('form')
    .send({ csrf: csrfIn(form.text), key });
  cookie = sessionCookie(signedIn, 'regauth_session');
  csrf = csrfIn((await request(app()).get('/ui/tokens/new').set('Cookie', cookie).expect(200)).text);
});

afterAll(async () => {
  await service.close();
});

async function newFormKey(): Promise<string> {
  return formKeyIn((await request(app()).get('/ui/tokens/new').set('Cookie', cookie).expect(200)).text);
}

const post = (fields: Record<string, string | string[]>) =>
  request(app()).post('/ui/tokens/new').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin').type('form').send({ csrf, ...fields });

describe('creating a deploy token in the web UI', () => {
  test('missing fields are listed in an error summary linking to them, and nothing is created', async () => {
    const page = await post({ formKey: await newFormKey(), name: '', repositories: '', expiry: 'date', action: 'create' }).expect(400);
    for (const [fieldId, message] of [
      ['name', 'Enter a name'],
      ['repositories', 'Enter at least one repository pattern'],
      ['scopes', 'Choose pull, push or both'],
      ['expiryDate', 'Enter the expiry date'],
    ]) {
      expect(page.text).toContain(`<a href="#${fieldId}">${message}</a>`);
    }
    expect((await service.regauth.admin.list()).items).toHaveLength(0);
  });

  test('a pattern the use case refuses comes back as a message', async () => {
    const page = await post({ formKey: await newFormKey(), name: 'x', repositories: 'Team/App', scopes: 'read_registry', action: 'create' }).expect(400);
    expect(page.text).toContain('There is a problem');
    expect((await service.regauth.admin.list()).items).toHaveLength(0);
  });

  test('the pattern tester works without JavaScript and creates nothing', async () => {
    const page = await post({
      formKey: await newFormKey(),
      name: '',
      repositories: 'team/app\nteam/*-prod',
      tryRepositories: 'team/app\nteam/app/cache, team/application team/web-prod',
      action: 'test',
    }).expect(200);
    expect(page.text).toContain('The patterns cover team/app, team/app/cache and team/web-prod, not team/application.');
    expect(page.text).toContain('<code>team/application</code>: not covered');
    expect(page.text).toContain('<code>team/web-prod</code>: covered by <code>team/*-prod</code>');
    // The form comes back as it was sent, so the person can go on and create.
    expect(page.text).toContain('team/app\nteam/*-prod</textarea>');
    expect(page.text).toMatch(/<button type="submit" name="action" value="test" formnovalidate>\s*Test patterns/);
    const refused = await post({ formKey: await newFormKey(), name: 'x', repositories: 'Team/App', tryRepositories: 'team/app', action: 'test' }).expect(200);
    expect(refused.text).toContain('Could not test: invalid repository &quot;Team/App&quot;');
    const wildcard = await post({ formKey: await newFormKey(), name: 'x', repositories: '*', expiry: 'never', action: 'test' }).expect(200);
    expect(wildcard.text).toContain('standing risk');
    expect((await service.regauth.admin.list()).items).toHaveLength(0);
  });

  test('the secret is shown once, no-store, in every client format; sending the same form again makes no second token', async () => {
    const formKey = await newFormKey();
    const fields = { formKey, name: 'ci <b>', repositories: 'team/app', scopes: ['read_registry', 'write_registry'], expiry: '30d', action: 'create' };
    const shown = await post(fields).expect(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.headers['referrer-policy']).toBe('no-referrer');
    expect(shown.text).toContain('ci &lt;b>');
    for (const heading of ['docker login', 'podman', '.dockerconfigjson', 'Kubernetes Secret', 'GitHub Actions', 'GitLab CI variables']) {
      expect(shown.text).toContain(`>${heading}</h2>`);
    }
    expect(shown.text).toContain('docker login registry.example:5000 --username deploy-token-1 --password-stdin');
    expect(shown.text).toContain('kind: Secret');
    expect(shown.text).toContain('imagePullSecrets');
    const again = await post(fields).expect(409);
    expect(again.text).toContain('cannot be shown again');
    expect(again.text).toContain('href="/ui/tokens/1"');
    const { items } = await service.regauth.admin.list();
    expect(items.map((token) => token.name)).toEqual(['ci <b>']);
    const audit = await service.regauth.admin.audit({ event: 'token.created' });
    expect(audit.items.map((event) => event.actor)).toEqual(['admin-key:alice via ui']);
  });

  test('a viewer cannot open or send the form', async () => {
    const { sessionId, session } = await service.regauth.uiSessions!.start({ kind: 'sso', subject: 'v', email: null, role: 'viewer' });
    const viewer = `regauth_session=${sessionId}`;
    await request(app()).get('/ui/tokens/new').set('Cookie', viewer).expect(403);
    await request(app())
      .post('/ui/tokens/new')
      .set('Cookie', viewer)
      .type('form')
      .send({ csrf: session.csrfToken, formKey: 'k', name: 'v', repositories: 'team/app', scopes: 'read_registry', action: 'create' })
      .expect(403);
    const list = await request(app()).get('/ui/tokens').set('Cookie', viewer).expect(200);
    expect(list.text).not.toContain('Create a deploy token');
  });
});

describe('rotating a secret in the web UI', () => {
  test('after a confirmation, shows the new secret once (no-store); a reload rotates nothing more', async () => {
    const { token } = await service.regauth.admin.create({ name: 'rotate-me', repositories: ['team/r'], scopes: ['read_registry'] });
    const confirm = await request(app()).get(`/ui/tokens/${token.id}/rotate`).set('Cookie', cookie).expect(200);
    expect(confirm.text).toContain('stop working at once');
    const formKey = formKeyIn(confirm.text);
    const send = () =>
      request(app()).post(`/ui/tokens/${token.id}/rotate`).set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin').type('form').send({ csrf, formKey });
    const shown = await send().expect(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.text).toContain('has a new secret');
    await send().expect(409);
    const rotations = await service.regauth.admin.audit({ event: 'token.rotated', token: String(token.id) });
    expect(rotations.items.map((event) => event.actor)).toEqual(['admin-key:alice via ui']);
  });
});

describe('editing a token in the web UI', () => {
  test('changes name, repositories and scopes and extends the expiry; a bad pattern is explained and changes nothing', async () => {
    const { token } = await service.regauth.admin.create({ name: 'edit-me', repositories: ['team/e'], scopes: ['read_registry'], expires: '7d' });
    const form = await request(app()).get(`/ui/tokens/${token.id}/edit`).set('Cookie', cookie).expect(200);
    expect(form.text).toContain('value="edit-me"');
    const send = (fields: Record<string, string | string[]>) =>
      request(app()).post(`/ui/tokens/${token.id}/edit`).set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin').type('form').send({ csrf, ...fields });
    const refused = await send({ name: 'edited', repositories: 'Bad Pattern', scopes: 'read_registry' }).expect(400);
    expect(refused.text).toContain('There is a problem');
    expect((await service.regauth.admin.get(String(token.id))).name).toBe('edit-me');
    await send({ name: 'edited', repositories: 'team/e\nteam/f', scopes: ['read_registry', 'write_registry'], expires: '90d' }).expect(303);
    const edited = await service.regauth.admin.get(String(token.id));
    expect(edited).toMatchObject({ name: 'edited', repositories: ['team/e', 'team/f'], scopes: ['read_registry', 'write_registry'] });
    expect(Date.parse(edited.expiresAt as string)).toBeGreaterThan(Date.parse(token.expiresAt as string));
    const updates = await service.regauth.admin.audit({ event: 'token.updated', token: String(token.id) });
    expect(updates.items.map((event) => event.actor)).toEqual(['admin-key:alice via ui']);
  });
});

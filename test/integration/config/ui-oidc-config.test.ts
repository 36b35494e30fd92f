import { ConfigError, loadConfig } from '../../../src/adapters/config/load-config.js';

const CONFIGURED = {
  REGAUTH_UI_OIDC_ISSUER: 'https://login.example.com/realms/staff',
  REGAUTH_UI_OIDC_CLIENT_ID: 'regauth',
  REGAUTH_UI_OIDC_CLIENT_SECRET: 'client-secret-value',
  REGAUTH_UI_OIDC_ADMIN_GROUPS: 'platform-admins, sre',
};

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env, '/srv/regauth');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ui.oidc settings', () => {
  test('are read from the environment, lists comma-separated', () => {
    const { oidc } = loadConfig({ ...CONFIGURED, REGAUTH_UI_OIDC_SCOPES: 'openid,email', REGAUTH_UI_OIDC_VIEWER_GROUPS: 'auditors' }, '/srv/regauth').ui;
    expect(oidc).toEqual({
      issuer: 'https://login.example.com/realms/staff',
      name: null,
      clientId: 'regauth',
      clientSecret: 'client-secret-value',
      scopes: ['openid', 'email'],
      groupsClaim: 'groups',
      adminGroups: ['platform-admins', 'sre'],
      viewerGroups: ['auditors'],
      allowInsecureLoopbackIssuer: false,
    });
  });

  test('an issuer needs a client id, the openid scope and at least one group', () => {
    const problems = problemsOf({ REGAUTH_UI_OIDC_ISSUER: 'https://login.example.com', REGAUTH_UI_OIDC_SCOPES: 'email' });
    expect(problems).toEqual([
      expect.stringMatching(/^ui\.oidc\.clientId .*must be set when ui\.oidc\.issuer is$/),
      expect.stringMatching(/^ui\.oidc\.scopes .*must include openid$/),
      expect.stringMatching(/^ui\.oidc\.adminGroups .*nobody can sign in$/),
    ]);
  });

  test('plain http is refused unless the issuer is on loopback and the insecure-loopback setting is on', () => {
    expect(problemsOf({ ...CONFIGURED, REGAUTH_UI_OIDC_ISSUER: 'http://login.example.com' })).toEqual([expect.stringContaining('use https')]);
    expect(problemsOf({ ...CONFIGURED, REGAUTH_UI_OIDC_ISSUER: 'http://127.0.0.1:8080' })).toEqual([expect.stringContaining('use https')]);
    expect(
      problemsOf({ ...CONFIGURED, REGAUTH_UI_OIDC_ISSUER: 'http://login.example.com', REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER: 'true' }),
    ).toEqual([expect.stringContaining('use https')]);
    const loopback = { ...CONFIGURED, REGAUTH_UI_OIDC_ISSUER: 'http://127.0.0.1:8080', REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER: 'true' };
    expect(loadConfig(loopback, '/srv/regauth').ui.oidc.issuer).toBe('http://127.0.0.1:8080');
  });

  test('an issuer with a query or a bad scope is refused, and no problem quotes the client secret', () => {
    const problems = problemsOf({ ...CONFIGURED, REGAUTH_UI_OIDC_ISSUER: 'https://login.example.com/?x=1', REGAUTH_UI_OIDC_SCOPES: 'openid,"quoted"' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('client-secret-value');
  });

  test('the issuer is kept exactly as written, trailing slash included (discovery must name the same text)', () => {
    expect(loadConfig({ ...CONFIGURED, REGAUTH_UI_OIDC_ISSUER: 'https://tenant.auth0.com/' }, '/srv/regauth').ui.oidc.issuer).toBe('https://tenant.auth0.com/');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import { openStore } from '../../../src/adapters/store/open-store.js';
import type { AuditEventView } from '../../../src/app/deploy-token-admin.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { environmentIn, regauth, type CliResult } from './cli-harness.js';

/** What a terminal acts on; the text output's own newlines and the admin-keys list's tabs are left out. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const RAW_CONTROL_IN_JSON = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

// As a client could send them (Basic username, client_id, X-Forwarded-For) or an operator type them (names).
const CLEAR_SCREEN = '\u001b[2J\r';
const USERNAME = `${CLEAR_SCREEN}deploy-token-1`;
const CLIENT_ID = `docker${CLEAR_SCREEN}\u009b31m\u2028\u202egnp.exe`;
const CLIENT_IP = `\u001b]0;owned\u0007${CLEAR_SCREEN}10.0.0.1`;
const TOKEN_NAME = 'ci \u202eppa\u2066 \u009b2J';
const ADMIN_KEY_NAME = 'terraform \u202e\u0085x';

describe('the CLI never prints a raw control character from a client or a name', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const created: Record<string, CliResult> = {};
  const run = (...argv: string[]) => regauth(env, dir, argv);

  async function ok(...argv: string[]): Promise<string> {
    const result = await run(...argv);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return result.stdout;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgtty-'));
    env = environmentIn(dir);
    created.token = await run('tokens', 'create', '--name', TOKEN_NAME, '--repo', 'team/app', '--scope', 'read_registry', '--registry', 'reg.example');
    created.adminKey = await run('admin-keys', 'create', '--name', ADMIN_KEY_NAME);
    // Rows as a version before usernames were escaped wrote them, and as client ids and proxied addresses still are.
    const opened = await openStore(loadConfig(env, dir).database, 'cli', new RecordingLogger());
    try {
      await opened.auditLog.record([
        {
          occurredAt: new Date(),
          event: 'auth.failed',
          actor: null,
          deployTokenId: null,
          username: USERNAME,
          clientIp: CLIENT_IP,
          details: { reason: 'invalid_credentials', grant: 'password', clientId: CLIENT_ID },
        },
      ]);
      await opened.store.recordUses([{ id: 1, at: new Date(), clientIp: CLIENT_IP }]);
    } finally {
      await opened.close();
    }
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('audit: the username, address and client id are shown with visible escapes', async () => {
    const stdout = await ok('audit', '--event', 'auth.failed');
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stdout).toContain('token \\x1b[2J\\x0ddeploy-token-1 from \\x1b]0;owned\\x07\\x1b[2J\\x0d10.0.0.1');
    expect(stdout).toContain('"clientId":"docker\\u001b[2J\\r\\x9b31m\\u2028\\u202egnp.exe"');
    expect(stdout.split('\n')).toHaveLength(2);
  });

  test('audit --json: the same values, escaped as JSON', async () => {
    const stdout = await ok('audit', '--event', 'auth.failed', '--json');
    expect(stdout).not.toMatch(RAW_CONTROL_IN_JSON);
    const [event] = JSON.parse(stdout) as AuditEventView[];
    expect(event).toMatchObject({ username: USERNAME, clientIp: CLIENT_IP, details: { clientId: CLIENT_ID } });
  });

  test('tokens create, list and show: the name and the last address are escaped', async () => {
    expect(created.token?.code).toBe(0);
    expect(created.token?.stdout).not.toMatch(RAW_CONTROL);
    expect(created.token?.stdout).toContain('Created deploy token 1 (ci \\u202eppa\\u2066 \\x9b2J).');
    const list = await ok('tokens', 'list');
    expect(list).not.toMatch(RAW_CONTROL);
    expect(list).toContain('\\x1b]0;owned\\x07\\x1b[2J\\x0d10.0.0.1');
    const show = await ok('tokens', 'show', '1');
    expect(show).not.toMatch(RAW_CONTROL);
    expect(show).toContain('  name:           ci \\u202eppa\\u2066 \\x9b2J\n');
  });

  test('tokens list --json and show --json: valid JSON of the exact values, no raw control character', async () => {
    const list = await ok('tokens', 'list', '--json');
    expect(list).not.toMatch(RAW_CONTROL_IN_JSON);
    expect((JSON.parse(list) as DeployTokenView[]).map((token) => [token.name, token.lastUsedIp])).toEqual([[TOKEN_NAME, CLIENT_IP]]);
    const show = await ok('tokens', 'show', '1', '--json');
    expect(show).not.toMatch(RAW_CONTROL_IN_JSON);
    expect((JSON.parse(show) as DeployTokenView).name).toBe(TOKEN_NAME);
  });

  test('admin-keys create and list: the name is escaped', async () => {
    expect(created.adminKey?.code).toBe(0);
    expect(created.adminKey?.stdout).not.toMatch(RAW_CONTROL);
    expect(created.adminKey?.stdout).toContain('(terraform \\u202e\\x85x)');
    const list = await ok('admin-keys', 'list');
    expect(list).not.toMatch(RAW_CONTROL);
    expect(list).toContain('\tterraform \\u202e\\x85x\t');
  });
});

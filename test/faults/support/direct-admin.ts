import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import type { DeployTokenAdmin } from '../../../src/app/deploy-token-admin.js';
import { openDeployTokenAdmin } from '../../../src/composition-root.js';
import { RecordingLogger } from '../../support/recording-logger.js';

export interface DirectAdmin {
  /** Creates a deploy token straight in the database; returns its Basic credentials. */
  create(name: string, repositories: string[], scopes: string[]): Promise<{ username: string; secret: string; basic: string }>;
  readonly admin: DeployTokenAdmin;
  close(): Promise<void>;
}

/**
 * The admin use cases on the test's own connection to PostgreSQL (not through the proxy the service under
 * test uses), so a test can create tokens quickly, and while the service's path to the database is cut.
 */
export async function openDirectAdmin(databaseUrl: string): Promise<DirectAdmin> {
  const dir = await mkdtemp(join(tmpdir(), 'regauth-direct-admin-'));
  const config = loadConfig({ DATABASE_URL: databaseUrl, REGAUTH_BCRYPT_COST: '4', REGAUTH_KEYS_DIR: join(dir, 'keys') }, dir);
  const opened = await openDeployTokenAdmin(config, { logger: new RecordingLogger() });
  return {
    admin: opened.admin,
    create: async (name, repositories, scopes) => {
      const created = await opened.admin.create({ name, repositories, scopes });
      const username = created.token.username;
      return { username, secret: created.secret, basic: `Basic ${Buffer.from(`${username}:${created.secret}`).toString('base64')}` };
    },
    close: async () => {
      await opened.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import type { DeployTokenChangeFeed, DeployTokenChangeListener } from '../../app/ports.js';
import type { SqlDatabase } from './sql-database.js';

/** The channel migration 003's trigger notifies, with the username as payload. */
export const DEPLOY_TOKEN_CHANGES_CHANNEL = 'regauth_deploy_token_changes';

/** Deploy-token changes as PostgreSQL (or PGlite) announces them with NOTIFY. */
export class SqlDeployTokenChangeFeed implements DeployTokenChangeFeed {
  constructor(private readonly db: SqlDatabase) {}

  subscribe(listener: DeployTokenChangeListener): Promise<() => Promise<void>> {
    return this.db.listen(DEPLOY_TOKEN_CHANGES_CHANNEL, {
      notification: (username) => listener.changed(username),
      connected: () => listener.resumed(),
      disconnected: () => listener.interrupted(),
    });
  }
}

import type { DeployTokenChangeListener } from '../../app/ports.js';
import type { FederatedCredentialChangeFeed } from '../../app/federation/federation-ports.js';
import type { SqlDatabase } from './sql-database.js';

/** The channel migration 011's trigger notifies, with the credential's username as payload. */
export const FEDERATED_CREDENTIAL_CHANGES_CHANNEL = 'regauth_federated_credential_changes';

/** Minted-credential changes (a revocation, a deletion) as PostgreSQL (or PGlite) announces them with NOTIFY. */
export class SqlFederatedCredentialChangeFeed implements FederatedCredentialChangeFeed {
  constructor(private readonly db: SqlDatabase) {}

  subscribe(listener: DeployTokenChangeListener): Promise<() => Promise<void>> {
    return this.db.listen(FEDERATED_CREDENTIAL_CHANGES_CHANNEL, {
      notification: (username) => listener.changed(username),
      connected: () => listener.resumed(),
      disconnected: () => listener.interrupted(),
    });
  }
}

import type { PendingSsoSignInStore } from '../../app/sso-sign-in-ports.js';
import type { UiSessionStore } from '../../app/ui-session-ports.js';
import type {
  FederatedCredentialChangeFeed,
  FederatedCredentialStore,
  ServiceSecretStore,
  TrustedIssuerStore,
  TrustPolicyStore,
} from '../../app/federation/federation-ports.js';
import type { AdminKeyStore, AuditLog, DeployTokenChangeFeed, DeployTokenStore, Logger, RefreshTokenStore } from '../../app/ports.js';
import { openEmbeddedDatabase } from './embedded-database.js';
import { openEmbeddedDatabaseThread } from './embedded-database-worker.js';
import { initialiseEmbeddedStore } from './embedded-first-start.js';
import { lockEmbeddedStore, type LockHolderRole } from './embedded-store-lock.js';
import { migrate } from './migrator.js';
import { openPostgresDatabase } from './postgres-database.js';
import type { SqlDatabase } from './sql-database.js';
import { SqlAdminKeyStore } from './sql-admin-key-store.js';
import { SqlAuditLog } from './sql-audit-log.js';
import { SqlDeployTokenChangeFeed } from './sql-deploy-token-change-feed.js';
import { SqlDeployTokenStore } from './sql-deploy-token-store.js';
import { SqlFederatedCredentialChangeFeed } from './sql-federated-credential-change-feed.js';
import { SqlFederatedCredentialStore } from './sql-federated-credential-store.js';
import { SqlRefreshTokenStore } from './sql-refresh-token-store.js';
import { SqlPendingSsoSignInStore } from './sql-pending-sso-sign-in-store.js';
import { SqlUiSessionStore } from './sql-ui-session-store.js';
import { SqlServiceSecretStore } from './sql-service-secret-store.js';
import { SqlTrustedIssuerStore } from './sql-trusted-issuer-store.js';
import { SqlTrustPolicyStore } from './sql-trust-policy-store.js';

export interface DatabaseSettings {
  readonly url: string | null;
  readonly dataDir: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
}

export interface OpenStore {
  readonly db: SqlDatabase;
  readonly store: DeployTokenStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly adminKeys: AdminKeyStore;
  readonly auditLog: AuditLog;
  readonly changes: DeployTokenChangeFeed;
  readonly uiSessions: UiSessionStore;
  /** Single sign-on flows between the redirect to the identity provider and its callback. */
  readonly pendingSsoSignIns: PendingSsoSignInStore;
  /** Minted credentials and the identity-token uses that guard against replay. */
  readonly federatedCredentials: FederatedCredentialStore;
  /** Revocations and deletions of minted credentials, announced to every replica. */
  readonly federatedCredentialChanges: FederatedCredentialChangeFeed;
  readonly serviceSecrets: ServiceSecretStore;
  readonly trustedIssuers: TrustedIssuerStore;
  readonly trustPolicies: TrustPolicyStore;
  /** The migration versions this open applied, oldest first; empty when the schema was up to date. */
  readonly migrationsApplied: readonly string[];
  close(): Promise<void>;
}

/** Opens PostgreSQL when a URL is set, else the embedded store (locked to this process), and migrates it. */
export async function openStore(settings: DatabaseSettings, role: LockHolderRole, logger: Logger): Promise<OpenStore> {
  const lock = settings.url === null ? await lockEmbeddedStore(settings.dataDir, role) : null;
  let db: SqlDatabase | undefined;
  let applied: string[];
  try {
    const created = settings.url === null ? await initialiseEmbeddedStore(settings.dataDir) : null;
    if (created?.initialised === true) logger.info('created the embedded database', { dataDir: settings.dataDir });
    db =
      settings.url === null
        ? // The server's on a thread of its own, off the event loop; a CLI command's, with nothing to serve, in-process.
          await (role === 'server' ? openEmbeddedDatabaseThread : openEmbeddedDatabase)(settings.dataDir)
        : openPostgresDatabase(
            {
              connectionString: settings.url,
              poolSize: settings.poolSize,
              connectTimeoutMs: settings.connectTimeoutMs,
              queryTimeoutMs: settings.queryTimeoutMs,
            },
            logger,
          );
    applied = [...(created?.migrationsApplied ?? []), ...(await migrate(db))];
    if (applied.length > 0) logger.info('database migrated', { applied });
  } catch (error) {
    await db?.close().catch(() => undefined);
    await lock?.release();
    throw error;
  }
  const opened = db;
  return {
    db: opened,
    store: new SqlDeployTokenStore(opened),
    refreshTokens: new SqlRefreshTokenStore(opened),
    adminKeys: new SqlAdminKeyStore(opened),
    auditLog: new SqlAuditLog(opened),
    changes: new SqlDeployTokenChangeFeed(opened),
    uiSessions: new SqlUiSessionStore(opened),
    pendingSsoSignIns: new SqlPendingSsoSignInStore(opened),
    federatedCredentials: new SqlFederatedCredentialStore(opened),
    federatedCredentialChanges: new SqlFederatedCredentialChangeFeed(opened),
    serviceSecrets: new SqlServiceSecretStore(opened),
    trustedIssuers: new SqlTrustedIssuerStore(opened),
    trustPolicies: new SqlTrustPolicyStore(opened),
    migrationsApplied: applied,
    close: async () => {
      await opened.close();
      await lock?.release();
    },
  };
}

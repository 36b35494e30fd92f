import type {
  FederatedCredential,
  FederatedCredentialQuery,
  FederatedCredentialStore,
  FederatedCredentialUse,
  IdempotentMintOutcome,
  IdentityTokenUse,
  NewFederatedCredential,
  OnceMintOutcome,
} from '../../app/federation/federation-ports.js';
import type { RegistryScope } from '../../core/deploy-token.js';
import { FEDERATED_USERNAME_PREFIX } from '../../core/federation/federated-password.js';
import type { SqlDatabase, SqlExecutor, SqlParameter } from './sql-database.js';

interface FederatedCredentialRow {
  id: string | number;
  username: string;
  policy_id: string | number;
  issuer_id: string | number;
  repositories: string[];
  scopes: string[];
  claims: Record<string, string> | string;
  subject: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

interface IdentityTokenUseRow {
  token_digest: string;
  credential_id: string | number | null;
  mints: number;
}

const COLUMNS = 'id, username, policy_id, issuer_id, repositories, scopes, claims, subject, created_at, expires_at, revoked_at, last_used_at';

// The id is drawn first so the username can be built from it in the same statement.
const INSERT = `
  WITH next AS (SELECT nextval(pg_get_serial_sequence('federated_credentials', 'id')) AS id)
  INSERT INTO federated_credentials
    (id, username, password_digest, refresh_token_digest, policy_id, issuer_id, repositories, scopes, claims, subject, jwt_id, created_at, expires_at)
  SELECT next.id, $1::text || next.id, $2, $3, $4, $5, $6::text[], $7::text[], $8::jsonb, $9, $10, $11, $12 FROM next
  RETURNING ${COLUMNS}`;

const STATUS_CONDITIONS = {
  revoked: 'revoked_at IS NOT NULL',
  expired: 'revoked_at IS NULL AND expires_at <= $3',
  active: 'revoked_at IS NULL AND expires_at > $3',
} as const;

/** Minted credentials and identity-token uses on PostgreSQL or the embedded store. */
export class SqlFederatedCredentialStore implements FederatedCredentialStore {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * The use's INSERT takes the (issuer, jti) key: a second transaction inserting the same key waits until
   * the first commits and then inserts nothing, so exactly one presentation wins, on any replica.
   */
  async mintOnce(use: IdentityTokenUse, credential: NewFederatedCredential): Promise<OnceMintOutcome> {
    return this.db.transaction(async (tx) => {
      if (!(await insertUse(tx, use))) return { outcome: 'replayed' };
      return { outcome: 'minted', credential: await insertCredential(tx, use, credential) };
    });
  }

  async mintIdempotent(
    use: IdentityTokenUse,
    build: (mints: number) => Promise<NewFederatedCredential>,
    reissue: (existing: FederatedCredential) => boolean,
  ): Promise<IdempotentMintOutcome> {
    return this.db.transaction(async (tx) => {
      if (await insertUse(tx, use)) return { outcome: 'minted', credential: await insertCredential(tx, use, await build(1)), mint: 1 };
      // Locked, so presentations of one token racing past an expired credential mint one successor, not several.
      const [seen] = await tx.query<IdentityTokenUseRow>(
        'SELECT token_digest, credential_id, mints FROM identity_token_uses WHERE issuer_id = $1 AND jti = $2 FOR UPDATE',
        [use.issuerId, use.jwtId],
      );
      if (seen === undefined || seen.token_digest !== use.tokenDigest) return { outcome: 'replayed' };
      const existing = seen.credential_id === null ? null : await selectById(tx, Number(seen.credential_id));
      if (existing !== null && !reissue(existing)) return { outcome: 'existing', credential: existing, mint: Number(seen.mints) };
      const mints = Number(seen.mints) + 1;
      const credential = await insertCredential(tx, use, await build(mints));
      await tx.query('UPDATE identity_token_uses SET mints = $3 WHERE issuer_id = $1 AND jti = $2', [use.issuerId, use.jwtId, mints]);
      return { outcome: 'minted', credential, mint: mints };
    });
  }

  findById(id: number): Promise<FederatedCredential | null> {
    return selectById(this.db, id);
  }

  findByUsername(username: string): Promise<FederatedCredential | null> {
    return this.one(`SELECT ${COLUMNS} FROM federated_credentials WHERE username = $1`, [username]);
  }

  async findByPasswordDigest(passwordDigest: string): Promise<{ credential: FederatedCredential; passwordDigest: string } | null> {
    const [row] = await this.db.query<FederatedCredentialRow & { password_digest: string }>(
      `SELECT ${COLUMNS}, password_digest FROM federated_credentials WHERE password_digest = $1`,
      [passwordDigest],
      // The hot path of every login with a minted password.
      'regauth_federated_credential_by_password',
    );
    return row === undefined ? null : { credential: toFederatedCredential(row), passwordDigest: row.password_digest };
  }

  findByRefreshTokenDigest(refreshTokenDigest: string): Promise<FederatedCredential | null> {
    return this.one(`SELECT ${COLUMNS} FROM federated_credentials WHERE refresh_token_digest = $1`, [refreshTokenDigest]);
  }

  async setRefreshTokenDigest(id: number, refreshTokenDigest: string): Promise<boolean> {
    const updated = await this.db.query('UPDATE federated_credentials SET refresh_token_digest = $2 WHERE id = $1 RETURNING id', [
      id,
      refreshTokenDigest,
    ]);
    return updated.length === 1;
  }

  async list(query: FederatedCredentialQuery): Promise<FederatedCredential[]> {
    const parameters: SqlParameter[] = [query.afterId ?? 0, query.limit ?? null];
    const conditions = ['id > $1'];
    if (query.status !== undefined) {
      const condition = STATUS_CONDITIONS[query.status];
      if (condition.includes('$3')) parameters.push(query.now);
      conditions.push(condition);
    }
    const rows = await this.db.query<FederatedCredentialRow>(
      `SELECT ${COLUMNS} FROM federated_credentials WHERE ${conditions.join(' AND ')} ORDER BY id LIMIT $2::integer`,
      parameters,
    );
    return rows.map(toFederatedCredential);
  }

  revoke(id: number, at: Date): Promise<FederatedCredential | null> {
    return this.one(`UPDATE federated_credentials SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`, [id, at]);
  }

  async recordUses(uses: readonly FederatedCredentialUse[]): Promise<void> {
    if (uses.length === 0) return;
    await this.db.query(
      `UPDATE federated_credentials AS c SET last_used_at = u.at
       FROM (SELECT id, max(at) AS at FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at) GROUP BY id) AS u
       WHERE c.id = u.id AND (c.last_used_at IS NULL OR c.last_used_at < u.at)`,
      [uses.map((use) => String(use.id)), uses.map((use) => use.at.toISOString())],
    );
  }

  /** SKIP LOCKED: replicas pruning at the same moment take different rows rather than wait for each other. */
  async deleteExpiredUses(now: Date, limit: number): Promise<number> {
    const deleted = await this.db.query(
      `DELETE FROM identity_token_uses WHERE (issuer_id, jti) IN (
         SELECT issuer_id, jti FROM identity_token_uses WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING issuer_id`,
      [now, limit],
    );
    return deleted.length;
  }

  /**
   * Not while an identity-token use still names the credential: an idempotent issuer's token would then
   * mint a new one, and a revoked credential must stay revoked for as long as its token could be presented.
   */
  async deleteExpiredCredentials(cutoff: Date, limit: number): Promise<number> {
    const deleted = await this.db.query(
      `DELETE FROM federated_credentials WHERE id IN (
         SELECT c.id FROM federated_credentials c
         WHERE c.expires_at < $1 AND NOT EXISTS (SELECT 1 FROM identity_token_uses u WHERE u.credential_id = c.id)
         ORDER BY c.expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING id`,
      [cutoff, limit],
    );
    return deleted.length;
  }

  private async one(text: string, parameters: readonly SqlParameter[], preparedAs?: string): Promise<FederatedCredential | null> {
    const [row] = await this.db.query<FederatedCredentialRow>(text, parameters, preparedAs);
    return row === undefined ? null : toFederatedCredential(row);
  }
}

async function insertUse(tx: SqlExecutor, use: IdentityTokenUse): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO identity_token_uses (issuer_id, jti, token_digest, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (issuer_id, jti) DO NOTHING RETURNING issuer_id`,
    [use.issuerId, use.jwtId, use.tokenDigest, use.expiresAt],
  );
  return inserted.length === 1;
}

async function insertCredential(tx: SqlExecutor, use: IdentityTokenUse, credential: NewFederatedCredential): Promise<FederatedCredential> {
  const [row] = await tx.query<FederatedCredentialRow>(INSERT, [
    FEDERATED_USERNAME_PREFIX,
    credential.passwordDigest,
    credential.refreshTokenDigest,
    credential.policyId,
    credential.issuerId,
    credential.repositories,
    credential.scopes,
    JSON.stringify(credential.claims),
    credential.subject,
    credential.jwtId,
    credential.createdAt,
    credential.expiresAt,
  ]);
  const minted = toFederatedCredential(row as FederatedCredentialRow);
  await tx.query('UPDATE identity_token_uses SET credential_id = $3 WHERE issuer_id = $1 AND jti = $2', [use.issuerId, use.jwtId, minted.id]);
  return minted;
}

async function selectById(executor: SqlExecutor, id: number): Promise<FederatedCredential | null> {
  const [row] = await executor.query<FederatedCredentialRow>(`SELECT ${COLUMNS} FROM federated_credentials WHERE id = $1`, [id]);
  return row === undefined ? null : toFederatedCredential(row);
}

function toFederatedCredential(row: FederatedCredentialRow): FederatedCredential {
  return {
    id: Number(row.id),
    username: row.username,
    policyId: Number(row.policy_id),
    issuerId: Number(row.issuer_id),
    repositories: row.repositories,
    scopes: row.scopes as RegistryScope[],
    claims: typeof row.claims === 'string' ? (JSON.parse(row.claims) as Record<string, string>) : row.claims,
    subject: row.subject,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

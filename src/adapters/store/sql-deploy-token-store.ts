import { UsernameTakenError } from '../../app/errors.js';
import type { DeployTokenStore, NewDeployToken } from '../../app/ports.js';
import type { DeployToken, RegistryScope } from '../../core/deploy-token.js';
import { GENERATED_USERNAME_PREFIX } from '../../core/username.js';
import { sqlState, UNIQUE_VIOLATION, type SqlDatabase } from './sql-database.js';

interface DeployTokenRow {
  id: string | number;
  name: string;
  username: string;
  secret_hash: string;
  repositories: string[];
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  last_used_at: Date | null;
}

const COLUMNS =
  'id, name, username, secret_hash, repositories, scopes, expires_at, revoked_at, created_at, last_used_at';

// The id is drawn first so a generated username can be built from it in the same statement.
const INSERT = `
  WITH next AS (SELECT nextval(pg_get_serial_sequence('deploy_tokens', 'id')) AS id)
  INSERT INTO deploy_tokens (id, name, username, secret_hash, repositories, scopes, expires_at, created_at)
  SELECT next.id, $1, COALESCE($2::text, $3::text || next.id), $4, $5::text[], $6::text[], $7, $8 FROM next
  RETURNING ${COLUMNS}`;

export class SqlDeployTokenStore implements DeployTokenStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(token: NewDeployToken): Promise<DeployToken> {
    try {
      const [row] = await this.db.query<DeployTokenRow>(INSERT, [
        token.name,
        token.username,
        GENERATED_USERNAME_PREFIX,
        token.secretHash,
        token.repositories,
        token.scopes,
        token.expiresAt,
        token.createdAt,
      ]);
      return toDeployToken(row as DeployTokenRow);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new UsernameTakenError(token.username ?? '');
      throw error;
    }
  }

  async findById(id: number): Promise<DeployToken | null> {
    return this.one(`SELECT ${COLUMNS} FROM deploy_tokens WHERE id = $1`, [id]);
  }

  async findByUsername(username: string): Promise<DeployToken | null> {
    return this.one(`SELECT ${COLUMNS} FROM deploy_tokens WHERE username = $1`, [username]);
  }

  async list(): Promise<DeployToken[]> {
    const rows = await this.db.query<DeployTokenRow>(`SELECT ${COLUMNS} FROM deploy_tokens ORDER BY id`);
    return rows.map(toDeployToken);
  }

  async revoke(id: number, at: Date): Promise<DeployToken | null> {
    return this.one(
      `UPDATE deploy_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, at],
    );
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.db.query(
      'UPDATE deploy_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
      [id, at],
    );
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  private async one(text: string, parameters: (string | number | Date)[]): Promise<DeployToken | null> {
    const [row] = await this.db.query<DeployTokenRow>(text, parameters);
    return row === undefined ? null : toDeployToken(row);
  }
}

function toDeployToken(row: DeployTokenRow): DeployToken {
  return {
    id: Number(row.id),
    name: row.name,
    username: row.username,
    secretHash: row.secret_hash,
    repositories: row.repositories,
    scopes: row.scopes as RegistryScope[],
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

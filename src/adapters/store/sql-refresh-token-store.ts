import type { NewRefreshToken, RefreshTokenRecord, RefreshTokenStore } from '../../app/ports.js';
import type { DeployToken } from '../../core/deploy-token.js';
import type { SqlDatabase } from './sql-database.js';
import { DEPLOY_TOKEN_COLUMNS, toDeployToken, type DeployTokenRow } from './sql-deploy-token-store.js';

const DEPLOY_TOKEN_COLUMNS_OF_T = DEPLOY_TOKEN_COLUMNS.split(', ')
  .map((column) => `t.${column}`)
  .join(', ');

const REFRESH_TOKEN_COLUMNS = 'r.id AS refresh_id, r.deploy_token_id, r.client_id, r.created_at AS refresh_created_at, r.last_used_at AS refresh_last_used_at';

interface RefreshTokenRow {
  refresh_id: string | number;
  deploy_token_id: string | number;
  client_id: string | null;
  refresh_created_at: Date;
  refresh_last_used_at: Date | null;
}

export class SqlRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(token: NewRefreshToken): Promise<boolean> {
    const inserted = await this.db.query(
      `INSERT INTO refresh_tokens (deploy_token_id, secret_generation, token_hash, client_id, created_at)
       SELECT id, secret_generation, $3, $4, $5 FROM deploy_tokens WHERE id = $1 AND secret_generation = $2
       RETURNING id`,
      [token.deployTokenId, token.secretGeneration, token.tokenHash, token.clientId, token.createdAt],
    );
    return inserted.length === 1;
  }

  async find(tokenHash: string): Promise<{ refreshToken: RefreshTokenRecord; deployToken: DeployToken } | null> {
    const [row] = await this.db.query<DeployTokenRow & RefreshTokenRow>(
      `SELECT ${REFRESH_TOKEN_COLUMNS}, ${DEPLOY_TOKEN_COLUMNS_OF_T}
       FROM refresh_tokens r JOIN deploy_tokens t ON t.id = r.deploy_token_id AND t.secret_generation = r.secret_generation
       WHERE r.token_hash = $1`,
      [tokenHash],
      'regauth_refresh_token_by_hash',
    );
    return row === undefined ? null : { refreshToken: toRefreshToken(row), deployToken: toDeployToken(row) };
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.db.query('UPDATE refresh_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [id, at]);
  }

  async listForDeployToken(deployTokenId: number): Promise<RefreshTokenRecord[]> {
    const rows = await this.db.query<RefreshTokenRow>(
      `SELECT ${REFRESH_TOKEN_COLUMNS}
       FROM refresh_tokens r JOIN deploy_tokens t ON t.id = r.deploy_token_id AND t.secret_generation = r.secret_generation
       WHERE r.deploy_token_id = $1 ORDER BY r.id`,
      [deployTokenId],
    );
    return rows.map(toRefreshToken);
  }

  async delete(deployTokenId: number, id: number): Promise<RefreshTokenRecord | null> {
    const [row] = await this.db.query<RefreshTokenRow>(
      `DELETE FROM refresh_tokens r WHERE r.deploy_token_id = $1 AND r.id = $2 RETURNING ${REFRESH_TOKEN_COLUMNS}`,
      [deployTokenId, id],
    );
    return row === undefined ? null : toRefreshToken(row);
  }
}

function toRefreshToken(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    id: Number(row.refresh_id),
    deployTokenId: Number(row.deploy_token_id),
    clientId: row.client_id,
    createdAt: row.refresh_created_at,
    lastUsedAt: row.refresh_last_used_at,
  };
}

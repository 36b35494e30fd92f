import type { RefreshTokenStore } from '../../app/ports.js';
import type { DeployToken } from '../../core/deploy-token.js';
import type { SqlDatabase } from './sql-database.js';
import { DEPLOY_TOKEN_COLUMNS, toDeployToken, type DeployTokenRow } from './sql-deploy-token-store.js';

const DEPLOY_TOKEN_COLUMNS_OF_T = DEPLOY_TOKEN_COLUMNS.split(', ')
  .map((column) => `t.${column}`)
  .join(', ');

export class SqlRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(token: { deployTokenId: number; tokenHash: string; clientId: string | null; createdAt: Date }): Promise<void> {
    await this.db.query(
      'INSERT INTO refresh_tokens (deploy_token_id, token_hash, client_id, created_at) VALUES ($1, $2, $3, $4)',
      [token.deployTokenId, token.tokenHash, token.clientId, token.createdAt],
    );
  }

  async findDeployToken(tokenHash: string): Promise<DeployToken | null> {
    const [row] = await this.db.query<DeployTokenRow>(
      `SELECT ${DEPLOY_TOKEN_COLUMNS_OF_T} FROM refresh_tokens r JOIN deploy_tokens t ON t.id = r.deploy_token_id
       WHERE r.token_hash = $1`,
      [tokenHash],
      'regauth_deploy_token_by_refresh_token',
    );
    return row === undefined ? null : toDeployToken(row);
  }
}

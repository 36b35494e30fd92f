import { UsernameTakenError } from '../../app/errors.js';
import type {
  DeployTokenChanges,
  DeployTokenFilter,
  DeployTokenPatterns,
  DeployTokenSearch,
  DeployTokenSearchResult,
  DeployTokenStore,
  DeployTokenUse,
  NewDeployToken,
} from '../../app/ports.js';
import type { DeployToken, RegistryScope } from '../../core/deploy-token.js';
import type { DeployTokenSort } from '../../core/deploy-token-sort.js';
import { deployTokenOrderBy, deployTokenWhere } from './sql-deploy-token-search.js';
import { GENERATED_USERNAME_PREFIX } from '../../core/username.js';
import { sqlState, UNIQUE_VIOLATION, type SqlDatabase, type SqlParameter } from './sql-database.js';

export interface DeployTokenRow {
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
  last_used_ip: string | null;
  token_lifetime_seconds: number | null;
  updated_at: Date | null;
  secret_generation: number;
  secret_issued_at: Date;
  secret_issued_by: string | null;
}

export const DEPLOY_TOKEN_COLUMNS =
  'id, name, username, secret_hash, repositories, scopes, expires_at, revoked_at, created_at, last_used_at, ' +
  'last_used_ip, token_lifetime_seconds, updated_at, secret_generation, secret_issued_at, secret_issued_by';

const COLUMNS = DEPLOY_TOKEN_COLUMNS;

// The id is drawn first so a generated username can be built from it in the same statement.
const INSERT = `
  WITH next AS (SELECT nextval(pg_get_serial_sequence('deploy_tokens', 'id')) AS id)
  INSERT INTO deploy_tokens (id, name, username, secret_hash, repositories, scopes, expires_at, token_lifetime_seconds, created_at,
                             secret_issued_at, secret_issued_by)
  SELECT next.id, $1, COALESCE($2::text, $3::text || next.id), $4, $5::text[], $6::text[], $7, $8, $9, $9, $10 FROM next
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
        token.tokenLifetimeSeconds,
        token.createdAt,
        token.createdBy ?? null,
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
    // The hot path of every password grant: a prepared statement on the username's unique index.
    return this.one(`SELECT ${COLUMNS} FROM deploy_tokens WHERE username = $1`, [username], 'regauth_deploy_token_by_username');
  }

  async search(query: DeployTokenSearch): Promise<DeployTokenSearchResult> {
    const where = deployTokenWhere(query);
    const [counted] = await this.db.query<{ total: string | number }>(`SELECT count(*) AS total FROM deploy_tokens WHERE ${where.sql}`, where.parameters);
    const total = Number(counted?.total ?? 0);
    if (query.limit === 0 || query.offset >= total) return { tokens: [], total };
    const page = [...where.parameters, query.limit, query.offset];
    const rows = await this.db.query<DeployTokenRow>(
      `SELECT ${COLUMNS} FROM deploy_tokens WHERE ${where.sql} ORDER BY ${deployTokenOrderBy(query.sort)} ` +
        `LIMIT $${page.length - 1}::integer OFFSET $${page.length}::integer`,
      page,
    );
    return { tokens: rows.map(toDeployToken), total };
  }

  async listPatterns(filter: DeployTokenFilter, sort: DeployTokenSort): Promise<DeployTokenPatterns[]> {
    const where = deployTokenWhere(filter);
    const rows = await this.db.query<{ id: string | number; repositories: string[] }>(
      `SELECT id, repositories FROM deploy_tokens WHERE ${where.sql} ORDER BY ${deployTokenOrderBy(sort)}`,
      where.parameters,
    );
    return rows.map((row) => ({ id: Number(row.id), repositories: row.repositories }));
  }

  async update(id: number, changes: DeployTokenChanges, at: Date): Promise<DeployToken | null> {
    const assignments: string[] = ['updated_at = $2'];
    const parameters: SqlParameter[] = [id, at];
    const set = (column: string, value: SqlParameter, cast = '') => {
      parameters.push(value);
      assignments.push(`${column} = $${parameters.length}${cast}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.repositories !== undefined) set('repositories', changes.repositories, '::text[]');
    if (changes.scopes !== undefined) set('scopes', changes.scopes, '::text[]');
    if (changes.expiresAt !== undefined) set('expires_at', changes.expiresAt, '::timestamptz');
    if (changes.tokenLifetimeSeconds !== undefined) set('token_lifetime_seconds', changes.tokenLifetimeSeconds, '::integer');
    return this.one(`UPDATE deploy_tokens SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, parameters);
  }

  async rotateSecret(id: number, secretHash: string, at: Date, by: string | null = null): Promise<DeployToken | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<DeployTokenRow>(
        `UPDATE deploy_tokens SET secret_hash = $2, secret_generation = secret_generation + 1, secret_rotated_at = $3, updated_at = $3,
           secret_issued_at = $3, secret_issued_by = $4::text
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, secretHash, at, by],
      );
      if (row === undefined) return null;
      await tx.query('DELETE FROM refresh_tokens WHERE deploy_token_id = $1', [id]);
      return toDeployToken(row);
    });
  }

  async revoke(id: number, at: Date): Promise<DeployToken | null> {
    return this.one(
      `UPDATE deploy_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, at],
    );
  }

  async recordUses(uses: readonly DeployTokenUse[]): Promise<void> {
    if (uses.length === 0) return;
    await this.db.query(
      `UPDATE deploy_tokens AS t SET last_used_at = u.at, last_used_ip = NULLIF(u.ip, '')
       FROM (
         -- One row per token, its latest use (the later one in the batch on a tie): UPDATE ... FROM with
         -- several source rows for one target row applies an unpredictable one of them.
         SELECT DISTINCT ON (id) id, at, ip
         FROM unnest($1::bigint[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS u(id, at, ip, n)
         ORDER BY id, at DESC, n DESC
       ) AS u
       WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at <= u.at)`,
      [
        uses.map((use) => String(use.id)),
        uses.map((use) => use.at.toISOString()),
        uses.map((use) => use.clientIp ?? ''),
      ],
    );
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  private async one(text: string, parameters: readonly SqlParameter[], preparedAs?: string): Promise<DeployToken | null> {
    const [row] = await this.db.query<DeployTokenRow>(text, parameters, preparedAs);
    return row === undefined ? null : toDeployToken(row);
  }
}

export function toDeployToken(row: DeployTokenRow): DeployToken {
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
    lastUsedIp: row.last_used_ip,
    tokenLifetimeSeconds: row.token_lifetime_seconds === null ? null : Number(row.token_lifetime_seconds),
    updatedAt: row.updated_at,
    secretGeneration: Number(row.secret_generation),
    secretIssuedAt: row.secret_issued_at,
    secretIssuedBy: row.secret_issued_by,
  };
}

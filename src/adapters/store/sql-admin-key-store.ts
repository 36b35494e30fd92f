import type { AdminKey, AdminKeyStore } from '../../app/ports.js';
import type { SqlDatabase, SqlParameter } from './sql-database.js';

interface AdminKeyRow {
  id: string | number;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, name, created_at, revoked_at, last_used_at';

export class SqlAdminKeyStore implements AdminKeyStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(key: { name: string; keyHash: string; createdAt: Date }): Promise<AdminKey> {
    const created = await this.one(
      `INSERT INTO admin_keys (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [key.name, key.keyHash, key.createdAt],
    );
    return created as AdminKey;
  }

  findByHash(keyHash: string): Promise<AdminKey | null> {
    return this.one(`SELECT ${COLUMNS} FROM admin_keys WHERE key_hash = $1`, [keyHash]);
  }

  findById(id: number): Promise<AdminKey | null> {
    return this.one(`SELECT ${COLUMNS} FROM admin_keys WHERE id = $1`, [id]);
  }

  async list(): Promise<AdminKey[]> {
    const rows = await this.db.query<AdminKeyRow>(`SELECT ${COLUMNS} FROM admin_keys ORDER BY id`);
    return rows.map(toAdminKey);
  }

  revoke(id: number, at: Date): Promise<AdminKey | null> {
    return this.one(
      `UPDATE admin_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, at],
    );
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.db.query(
      'UPDATE admin_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
      [id, at],
    );
  }

  private async one(text: string, parameters: readonly SqlParameter[]): Promise<AdminKey | null> {
    const [row] = await this.db.query<AdminKeyRow>(text, parameters);
    return row === undefined ? null : toAdminKey(row);
  }
}

function toAdminKey(row: AdminKeyRow): AdminKey {
  return {
    id: Number(row.id),
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

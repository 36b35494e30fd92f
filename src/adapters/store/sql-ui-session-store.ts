import type { UiRole, UiSessionRecord, UiSessionStore } from '../../app/ui-session-ports.js';
import type { SqlDatabase } from './sql-database.js';

interface UiSessionRow {
  id_hash: string;
  role: UiRole;
  admin_key_id: string | number | null;
  subject: string | null;
  email: string | null;
  display_name: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

const COLUMNS = 'id_hash, role, admin_key_id, subject, email, display_name, csrf_token, created_at, last_seen_at, expires_at';

export class SqlUiSessionStore implements UiSessionStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(session: UiSessionRecord): Promise<void> {
    await this.db.query(`INSERT INTO ui_sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      session.idHash,
      session.role,
      session.adminKeyId,
      session.subject,
      session.email,
      session.displayName,
      session.csrfToken,
      session.createdAt,
      session.lastSeenAt,
      session.expiresAt,
    ]);
  }

  async find(idHash: string): Promise<UiSessionRecord | null> {
    const [row] = await this.db.query<UiSessionRow>(`SELECT ${COLUMNS} FROM ui_sessions WHERE id_hash = $1`, [idHash]);
    return row === undefined ? null : toRecord(row);
  }

  async touch(idHash: string, at: Date): Promise<void> {
    await this.db.query('UPDATE ui_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2', [idHash, at]);
  }

  async delete(idHash: string): Promise<void> {
    await this.db.query('DELETE FROM ui_sessions WHERE id_hash = $1', [idHash]);
  }

  async claimSubmission(idHash: string, key: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO ui_form_submissions (session_id_hash, idempotency_key, created_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING idempotency_key`,
      [idHash, key, at],
    );
    return rows.length === 1;
  }

  async completeSubmission(idHash: string, key: string, deployTokenId: number): Promise<void> {
    await this.db.query('UPDATE ui_form_submissions SET deploy_token_id = $3 WHERE session_id_hash = $1 AND idempotency_key = $2', [
      idHash,
      key,
      deployTokenId,
    ]);
  }

  async submissionResult(idHash: string, key: string): Promise<number | null> {
    const [row] = await this.db.query<{ deploy_token_id: string | number | null }>(
      'SELECT deploy_token_id FROM ui_form_submissions WHERE session_id_hash = $1 AND idempotency_key = $2',
      [idHash, key],
    );
    return row?.deploy_token_id == null ? null : Number(row.deploy_token_id);
  }

  async deleteExpired(now: Date, idleSince: Date): Promise<number> {
    const rows = await this.db.query<{ id_hash: string }>(
      'DELETE FROM ui_sessions WHERE expires_at <= $1 OR last_seen_at < $2 RETURNING id_hash',
      [now, idleSince],
    );
    return rows.length;
  }
}

function toRecord(row: UiSessionRow): UiSessionRecord {
  return {
    idHash: row.id_hash,
    role: row.role,
    adminKeyId: row.admin_key_id === null ? null : Number(row.admin_key_id),
    subject: row.subject,
    email: row.email,
    displayName: row.display_name,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

import type { PendingSsoSignIn, PendingSsoSignInStore } from '../../app/sso-sign-in-ports.js';
import type { SqlDatabase } from './sql-database.js';

interface PendingSsoSignInRow {
  id_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  expires_at: Date;
}

export class SqlPendingSsoSignInStore implements PendingSsoSignInStore {
  constructor(private readonly db: SqlDatabase) {}

  async save(pending: PendingSsoSignIn): Promise<void> {
    await this.db.query('INSERT INTO ui_sso_sign_ins (id_hash, state, nonce, code_verifier, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      pending.idHash,
      pending.state,
      pending.nonce,
      pending.codeVerifier,
      pending.expiresAt,
    ]);
  }

  /** One DELETE … RETURNING: of two callbacks racing with the same flow, only one gets the row. */
  async take(idHash: string, now: Date): Promise<PendingSsoSignIn | null> {
    const [row] = await this.db.query<PendingSsoSignInRow>(
      'DELETE FROM ui_sso_sign_ins WHERE id_hash = $1 RETURNING id_hash, state, nonce, code_verifier, expires_at',
      [idHash],
    );
    if (row === undefined || row.expires_at.getTime() <= now.getTime()) return null;
    return { idHash: row.id_hash, state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, expiresAt: row.expires_at };
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.db.query<{ id_hash: string }>('DELETE FROM ui_sso_sign_ins WHERE expires_at <= $1 RETURNING id_hash', [now])).length;
  }
}

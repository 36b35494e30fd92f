import type { AuditEvent, AuditEventType, AuditLog, AuditQuery, RecordedAuditEvent } from '../../app/ports.js';
import type { SqlDatabase, SqlParameter } from './sql-database.js';

interface AuditEventRow {
  id: string | number;
  occurred_at: Date;
  event: string;
  actor: string | null;
  deploy_token_id: string | number | null;
  username: string | null;
  client_ip: string | null;
  details: Record<string, unknown> | string;
}

export class SqlAuditLog implements AuditLog {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * One statement per batch, its rows as one JSON parameter: serialising them is a JSON.stringify, where
   * seven array parameters took pg's element-by-element escaping, about three times the cost on the event loop.
   * On the embedded store a small batch goes as literal VALUES in a simple query instead: PGlite prepares
   * nothing, and parsing, planning and the extended protocol took half of a one-row INSERT (480 µs against
   * 250 µs, measured); a durable token at moderate load is usually such a batch.
   */
  async record(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((event) => ({
      occurred_at: event.occurredAt,
      event: event.event,
      actor: event.actor || null,
      deploy_token_id: event.deployTokenId || null,
      username: event.username || null,
      client_ip: event.clientIp || null,
      details: event.details,
    }));
    if (this.db.kind === 'embedded' && rows.length <= LITERAL_BATCH_ROWS) {
      await this.db.execute(`INSERT INTO audit_events (${COLUMNS}) VALUES ${rows.map(literalRow).join(', ')}`);
      return;
    }
    await this.db.query(
      `INSERT INTO audit_events (${COLUMNS})
       SELECT ${COLUMNS}
       FROM jsonb_to_recordset($1::jsonb)
         AS e(occurred_at timestamptz, event text, actor text, deploy_token_id bigint, username text, client_ip text, details jsonb)`,
      [JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'string' ? storable(value) : value))],
      // Every durable token waits for this statement: prepared once per connection, not parsed and planned each time.
      'regauth_record_audit_events',
    );
  }

  /** SKIP LOCKED: replicas pruning at the same moment take different rows rather than wait for each other. */
  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const deleted = await this.db.query<{ id: string | number }>(
      `DELETE FROM audit_events WHERE id IN (
         SELECT id FROM audit_events WHERE occurred_at < $1 ORDER BY occurred_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING id`,
      [cutoff, limit],
    );
    return deleted.length;
  }

  async query(query: AuditQuery): Promise<RecordedAuditEvent[]> {
    const conditions: string[] = [];
    const parameters: SqlParameter[] = [];
    const where = (condition: string, value: SqlParameter) => {
      parameters.push(value);
      conditions.push(condition.replace('?', `$${parameters.length}`));
    };
    if (query.event !== undefined) where('event = ?', query.event);
    if (query.deployTokenId !== undefined) where('deploy_token_id = ?', query.deployTokenId);
    if (query.username !== undefined) where('username = ?', query.username);
    if (query.actor !== undefined) where('strpos(lower(actor), lower(?)) > 0', query.actor);
    if (query.since !== undefined) where('occurred_at >= ?', query.since);
    if (query.until !== undefined) where('occurred_at < ?', query.until);
    if (query.beforeId !== undefined) where('id < ?', query.beforeId);
    parameters.push(query.limit);
    const rows = await this.db.query<AuditEventRow>(
      `SELECT id, occurred_at, event, actor, deploy_token_id, username, client_ip, details FROM audit_events
       ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
       ORDER BY id DESC LIMIT $${parameters.length}`,
      parameters,
    );
    return rows.map(toRecordedEvent);
  }
}

const COLUMNS = 'occurred_at, event, actor, deploy_token_id, username, client_ip, details';

/** Past this many rows the JSON parameter costs the embedded store less than literal VALUES (measured). */
const LITERAL_BATCH_ROWS = 8;

interface AuditRow {
  readonly occurred_at: Date;
  readonly event: string;
  readonly actor: string | null;
  readonly deploy_token_id: number | null;
  readonly username: string | null;
  readonly client_ip: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

function literalRow(row: AuditRow): string {
  const id = row.deploy_token_id !== null && Number.isSafeInteger(row.deploy_token_id) ? String(row.deploy_token_id) : 'NULL';
  const details = JSON.stringify(row.details, (_key, value: unknown) => (typeof value === 'string' ? storable(value) : value));
  return `(${textLiteral(row.occurred_at.toISOString())}::timestamptz, ${textLiteral(row.event)}, ${textLiteral(row.actor)}, ${id}, ${textLiteral(row.username)}, ${textLiteral(row.client_ip)}, ${textLiteral(details)}::jsonb)`;
}

/**
 * A string constant: with standard_conforming_strings (on since PostgreSQL 9.1, and not settable per query
 * here), doubling each quote is the whole escaping; backslashes are plain characters.
 */
function textLiteral(text: string | null): string {
  return text === null ? 'NULL' : `'${storable(text).replace(/'/g, "''")}'`;
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000, and a client can put one in a username or client id it
 * sends. Written as is, one such event would fail its whole batch, and every retry after it.
 */
function storable(text: string): string {
  return text.replace(/\u0000/g, '\uFFFD');
}

function toRecordedEvent(row: AuditEventRow): RecordedAuditEvent {
  return {
    id: Number(row.id),
    occurredAt: row.occurred_at,
    event: row.event as AuditEventType,
    actor: row.actor,
    deployTokenId: row.deploy_token_id === null ? null : Number(row.deploy_token_id),
    username: row.username,
    clientIp: row.client_ip,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  };
}

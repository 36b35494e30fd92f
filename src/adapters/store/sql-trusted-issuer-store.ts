import { NameTakenError } from '../../app/federation/federation-admin-errors.js';
import type { NewTrustedIssuer, TrustedIssuerChanges, TrustedIssuerStore } from '../../app/federation/federation-ports.js';
import type { IssuerKind, KeySource, ReplayMode, TrustedIssuer } from '../../core/federation/trusted-issuer.js';
import { sqlState, UNIQUE_VIOLATION, type SqlDatabase, type SqlParameter } from './sql-database.js';

interface TrustedIssuerRow {
  id: string | number;
  name: string;
  kind: string;
  issuer_url: string;
  audience: string;
  key_source: KeySource | string;
  algorithms: string[];
  leeway_seconds: number;
  max_token_age_seconds: number | null;
  replay_mode: string;
  multi_tenant: boolean;
  enabled: boolean;
  created_at: Date;
  updated_at: Date | null;
}

const COLUMNS =
  'id, name, kind, issuer_url, audience, key_source, algorithms, leeway_seconds, max_token_age_seconds, replay_mode, ' +
  'multi_tenant, enabled, created_at, updated_at';

export class SqlTrustedIssuerStore implements TrustedIssuerStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(issuer: NewTrustedIssuer): Promise<TrustedIssuer> {
    try {
      const created = await this.one(
        `INSERT INTO trusted_issuers (name, kind, issuer_url, audience, key_source, algorithms, leeway_seconds,
           max_token_age_seconds, replay_mode, multi_tenant, enabled, created_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[], $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
        [
          issuer.name,
          issuer.kind,
          issuer.issuerUrl,
          issuer.audience,
          JSON.stringify(issuer.keySource),
          issuer.algorithms,
          issuer.leewaySeconds,
          issuer.maxTokenAgeSeconds,
          issuer.replayMode,
          issuer.multiTenant,
          issuer.enabled,
          issuer.createdAt,
        ],
      );
      return created as TrustedIssuer;
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new NameTakenError(`trusted issuer name "${issuer.name}" or issuer URL ${issuer.issuerUrl}`);
      throw error;
    }
  }

  findById(id: number): Promise<TrustedIssuer | null> {
    return this.one(`SELECT ${COLUMNS} FROM trusted_issuers WHERE id = $1`, [id]);
  }

  findByName(name: string): Promise<TrustedIssuer | null> {
    return this.one(`SELECT ${COLUMNS} FROM trusted_issuers WHERE name = $1`, [name]);
  }

  findByIssuerUrl(issuerUrl: string): Promise<TrustedIssuer | null> {
    return this.one(`SELECT ${COLUMNS} FROM trusted_issuers WHERE issuer_url = $1`, [issuerUrl], 'regauth_trusted_issuer_by_url');
  }

  async list(): Promise<TrustedIssuer[]> {
    const rows = await this.db.query<TrustedIssuerRow>(`SELECT ${COLUMNS} FROM trusted_issuers ORDER BY id`);
    return rows.map(toTrustedIssuer);
  }

  async update(id: number, changes: TrustedIssuerChanges, at: Date): Promise<TrustedIssuer | null> {
    const assignments: string[] = ['updated_at = $2'];
    const parameters: SqlParameter[] = [id, at];
    const set = (column: string, value: SqlParameter, cast = '') => {
      parameters.push(value);
      assignments.push(`${column} = $${parameters.length}${cast}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.kind !== undefined) set('kind', changes.kind);
    if (changes.issuerUrl !== undefined) set('issuer_url', changes.issuerUrl);
    if (changes.audience !== undefined) set('audience', changes.audience);
    if (changes.keySource !== undefined) set('key_source', JSON.stringify(changes.keySource), '::jsonb');
    if (changes.algorithms !== undefined) set('algorithms', changes.algorithms, '::text[]');
    if (changes.leewaySeconds !== undefined) set('leeway_seconds', changes.leewaySeconds, '::integer');
    if (changes.maxTokenAgeSeconds !== undefined) set('max_token_age_seconds', changes.maxTokenAgeSeconds, '::integer');
    if (changes.replayMode !== undefined) set('replay_mode', changes.replayMode);
    if (changes.multiTenant !== undefined) set('multi_tenant', changes.multiTenant, '::boolean');
    if (changes.enabled !== undefined) set('enabled', changes.enabled, '::boolean');
    try {
      return await this.one(`UPDATE trusted_issuers SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, parameters);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new NameTakenError('the trusted issuer name or issuer URL');
      throw error;
    }
  }

  private async one(text: string, parameters: readonly SqlParameter[], preparedAs?: string): Promise<TrustedIssuer | null> {
    const [row] = await this.db.query<TrustedIssuerRow>(text, parameters, preparedAs);
    return row === undefined ? null : toTrustedIssuer(row);
  }
}

function toTrustedIssuer(row: TrustedIssuerRow): TrustedIssuer {
  return {
    id: Number(row.id),
    name: row.name,
    kind: row.kind as IssuerKind,
    issuerUrl: row.issuer_url,
    audience: row.audience,
    keySource: typeof row.key_source === 'string' ? (JSON.parse(row.key_source) as KeySource) : row.key_source,
    algorithms: row.algorithms,
    leewaySeconds: Number(row.leeway_seconds),
    maxTokenAgeSeconds: row.max_token_age_seconds === null ? null : Number(row.max_token_age_seconds),
    replayMode: row.replay_mode as ReplayMode,
    multiTenant: row.multi_tenant,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

import { NameTakenError } from '../../app/federation/federation-admin-errors.js';
import type { NewTrustPolicy, TrustPolicyChanges, TrustPolicyStore } from '../../app/federation/federation-ports.js';
import type { RegistryScope } from '../../core/deploy-token.js';
import type { ClaimCondition, TrustPolicy } from '../../core/federation/trust-policy.js';
import { sqlState, UNIQUE_VIOLATION, type SqlDatabase, type SqlParameter } from './sql-database.js';

interface TrustPolicyRow {
  id: string | number;
  name: string;
  issuer_id: string | number;
  conditions: ClaimCondition[] | string;
  repositories: string[];
  scopes: string[];
  credential_lifetime_seconds: number;
  allow_fork_triggers: boolean;
  expires_at: Date | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS =
  'id, name, issuer_id, conditions, repositories, scopes, credential_lifetime_seconds, allow_fork_triggers, expires_at, ' +
  'enabled, created_at, updated_at, last_used_at';

export class SqlTrustPolicyStore implements TrustPolicyStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(policy: NewTrustPolicy): Promise<TrustPolicy> {
    try {
      const created = await this.one(
        `INSERT INTO trust_policies (name, issuer_id, conditions, repositories, scopes, credential_lifetime_seconds,
           allow_fork_triggers, expires_at, enabled, created_at)
         VALUES ($1, $2, $3::jsonb, $4::text[], $5::text[], $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
        [
          policy.name,
          policy.issuerId,
          JSON.stringify(policy.conditions),
          policy.repositories,
          policy.scopes,
          policy.credentialLifetimeSeconds,
          policy.allowForkTriggers,
          policy.expiresAt,
          policy.enabled,
          policy.createdAt,
        ],
      );
      return created as TrustPolicy;
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new NameTakenError(`trust policy name "${policy.name}"`);
      throw error;
    }
  }

  findById(id: number): Promise<TrustPolicy | null> {
    return this.one(`SELECT ${COLUMNS} FROM trust_policies WHERE id = $1`, [id]);
  }

  findByName(name: string): Promise<TrustPolicy | null> {
    return this.one(`SELECT ${COLUMNS} FROM trust_policies WHERE name = $1`, [name]);
  }

  async listForIssuer(issuerId: number): Promise<TrustPolicy[]> {
    const rows = await this.db.query<TrustPolicyRow>(
      `SELECT ${COLUMNS} FROM trust_policies WHERE issuer_id = $1 ORDER BY id`,
      [issuerId],
      'regauth_trust_policies_of_issuer',
    );
    return rows.map(toTrustPolicy);
  }

  async list(): Promise<TrustPolicy[]> {
    const rows = await this.db.query<TrustPolicyRow>(`SELECT ${COLUMNS} FROM trust_policies ORDER BY id`);
    return rows.map(toTrustPolicy);
  }

  async update(id: number, changes: TrustPolicyChanges, at: Date): Promise<TrustPolicy | null> {
    const assignments: string[] = ['updated_at = $2'];
    const parameters: SqlParameter[] = [id, at];
    const set = (column: string, value: SqlParameter, cast = '') => {
      parameters.push(value);
      assignments.push(`${column} = $${parameters.length}${cast}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.issuerId !== undefined) set('issuer_id', changes.issuerId, '::bigint');
    if (changes.conditions !== undefined) set('conditions', JSON.stringify(changes.conditions), '::jsonb');
    if (changes.repositories !== undefined) set('repositories', changes.repositories, '::text[]');
    if (changes.scopes !== undefined) set('scopes', changes.scopes, '::text[]');
    if (changes.credentialLifetimeSeconds !== undefined) set('credential_lifetime_seconds', changes.credentialLifetimeSeconds, '::integer');
    if (changes.allowForkTriggers !== undefined) set('allow_fork_triggers', changes.allowForkTriggers, '::boolean');
    if (changes.expiresAt !== undefined) set('expires_at', changes.expiresAt, '::timestamptz');
    if (changes.enabled !== undefined) set('enabled', changes.enabled, '::boolean');
    try {
      return await this.one(`UPDATE trust_policies SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, parameters);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new NameTakenError(`trust policy name "${changes.name ?? ''}"`);
      throw error;
    }
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.db.query(
      'UPDATE trust_policies SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
      [id, at],
    );
  }

  private async one(text: string, parameters: readonly SqlParameter[]): Promise<TrustPolicy | null> {
    const [row] = await this.db.query<TrustPolicyRow>(text, parameters);
    return row === undefined ? null : toTrustPolicy(row);
  }
}

function toTrustPolicy(row: TrustPolicyRow): TrustPolicy {
  return {
    id: Number(row.id),
    name: row.name,
    issuerId: Number(row.issuer_id),
    conditions: typeof row.conditions === 'string' ? (JSON.parse(row.conditions) as ClaimCondition[]) : row.conditions,
    repositories: row.repositories,
    scopes: row.scopes as RegistryScope[],
    credentialLifetimeSeconds: Number(row.credential_lifetime_seconds),
    allowForkTriggers: row.allow_fork_triggers,
    expiresAt: row.expires_at,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
  };
}

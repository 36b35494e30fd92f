import type { DeployTokenFilter } from '../../app/ports.js';
import type { DeployTokenSort } from '../../core/deploy-token-sort.js';
import type { SqlParameter } from './sql-database.js';

export interface SqlCondition {
  readonly sql: string;
  readonly parameters: SqlParameter[];
}

/**
 * The WHERE clause of a deploy-token search, every value a parameter. Text is matched with strpos, not LIKE,
 * so `%` and `_` in a search are plain characters and nothing needs escaping.
 */
export function deployTokenWhere(filter: DeployTokenFilter): SqlCondition {
  const parameters: SqlParameter[] = [];
  const add = (value: SqlParameter, cast: string): string => {
    parameters.push(value);
    return `$${parameters.length}::${cast}`;
  };
  const conditions: string[] = ['TRUE'];
  let now: string | null = null;
  const nowParameter = () => (now ??= add(filter.now, 'timestamptz'));

  if (filter.status === 'revoked') conditions.push('revoked_at IS NOT NULL');
  if (filter.status === 'expired') conditions.push(`revoked_at IS NULL AND expires_at <= ${nowParameter()}`);
  if (filter.status === 'active') conditions.push(`revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${nowParameter()})`);
  if (filter.text !== undefined) {
    const text = add(filter.text, 'text');
    conditions.push(
      `(strpos(lower(name), ${text}) > 0 OR strpos(username, ${text}) > 0 ` +
        `OR EXISTS (SELECT 1 FROM unnest(repositories) AS r(pattern) WHERE strpos(lower(r.pattern), ${text}) > 0))`,
    );
  }
  if (filter.scope !== undefined) conditions.push(`${add(filter.scope, 'text')} = ANY(scopes)`);
  if (filter.expiresBy !== undefined) {
    conditions.push(`expires_at > ${nowParameter()} AND expires_at <= ${add(filter.expiresBy, 'timestamptz')}`);
  }
  if (filter.unusedSince !== undefined) conditions.push(`COALESCE(last_used_at, created_at) <= ${add(filter.unusedSince, 'timestamptz')}`);
  if (filter.revokedSince !== undefined) conditions.push(`revoked_at >= ${add(filter.revokedSince, 'timestamptz')}`);
  if (filter.mayCover !== undefined) {
    const repository = add(filter.mayCover, 'text');
    conditions.push(
      `EXISTS (SELECT 1 FROM unnest(repositories) AS r(pattern) WHERE strpos(r.pattern, '*') > 0 OR r.pattern = ${repository} ` +
        `OR left(${repository}, length(r.pattern) + 1) = r.pattern || '/')`,
    );
  }
  if (filter.ids !== undefined) conditions.push(`id = ANY(${add(filter.ids.map(String), 'bigint[]')})`);
  if (filter.afterId !== undefined) conditions.push(`id > ${add(filter.afterId, 'bigint')}`);
  return { sql: conditions.join(' AND '), parameters };
}

/**
 * ORDER BY for a sort, ending in id so pages never overlap. Names compare in the C collation so both stores
 * (and PostgreSQL servers with different locales) order alike. A token that never expires counts as expiring
 * last; one never used as used longest ago.
 */
export function deployTokenOrderBy(sort: DeployTokenSort): string {
  const direction = sort.direction === 'asc' ? 'ASC' : 'DESC';
  const id = `id ${direction}`;
  switch (sort.field) {
    case 'name':
      return `lower(name) COLLATE "C" ${direction}, ${id}`;
    case 'created':
      return id;
    case 'expires':
      return `expires_at ${direction} NULLS ${sort.direction === 'asc' ? 'LAST' : 'FIRST'}, ${id}`;
    case 'lastUsed':
      return `last_used_at ${direction} NULLS ${sort.direction === 'asc' ? 'FIRST' : 'LAST'}, ${id}`;
  }
}

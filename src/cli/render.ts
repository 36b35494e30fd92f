import { loginCommand } from '../app/credential-formats.js';
import type { CreatedDeployToken } from '../app/deploy-token-admin.js';
import type { DeployTokenView } from '../app/deploy-token-view.js';
import { escapeControlCharacters as shown } from '../core/control-characters.js';

export function dockerLoginCommand(registryHost: string, username: string, secret: string): string {
  return loginCommand('docker', registryHost, username, secret);
}

/** "51–100 of 340": which of the matching items a page holds. */
export function pageRange(offset: number, count: number, total: number): string {
  if (count === 0) return total === 0 ? 'none found' : `none on this page; ${total} in all`;
  return `${offset + 1}–${offset + count} of ${total}`;
}

export function renderCreated(created: CreatedDeployToken, registryHost: string, verb = 'Created'): string {
  const { token, secret } = created;
  return [
    `${verb} deploy token ${token.id} (${shown(token.name)}).`,
    '',
    `  username:      ${token.username}`,
    `  secret:        ${secret}`,
    `  repositories:  ${token.repositories.join(', ')}`,
    `  scopes:        ${token.scopes.join(', ')}`,
    `  expires:       ${token.expiresAt ?? 'never'}`,
    `  lifetime:      ${lifetime(token)} per registry token`,
    '',
    'The secret is shown only now: regauth keeps just its hash. Store it in your CI or cluster secrets.',
    '',
    'Log in with:',
    `  ${dockerLoginCommand(registryHost, token.username, secret)}`,
    '',
  ].join('\n');
}

// Names are the operator's, addresses may be a client's (X-Forwarded-For): neither may drive the terminal.
const COLUMNS: readonly TableColumn<DeployTokenView>[] = [
  ['ID', (token) => String(token.id)],
  ['NAME', (token) => shown(token.name)],
  ['USERNAME', (token) => token.username],
  ['SCOPES', (token) => token.scopes.join(',')],
  ['REPOSITORIES', (token) => token.repositories.join(',')],
  ['STATUS', (token) => token.status],
  ['EXPIRES', (token) => token.expiresAt ?? 'never'],
  ['LAST USED', (token) => token.lastUsedAt ?? 'never'],
  ['FROM', (token) => shown(token.lastUsedIp ?? '-')],
];

export function renderTokenTable(tokens: readonly DeployTokenView[]): string {
  if (tokens.length === 0) return 'No deploy tokens yet. Create one with: regauth tokens create --help\n';
  return renderTable(COLUMNS, tokens);
}

/** A column's title and how a cell shows one item. */
export type TableColumn<T> = readonly [title: string, cell: (item: T) => string];

/** A header row and one row per item (see renderRows). */
export function renderTable<T>(columns: readonly TableColumn<T>[], items: readonly T[]): string {
  return renderRows([columns.map(([title]) => title), ...items.map((item) => columns.map(([, cell]) => cell(item)))]);
}

/** Rows of cells, each column as wide as its widest cell, two spaces apart. */
export function renderRows(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd()).join('\n') + '\n';
}

export function renderRevoked(token: DeployTokenView): string {
  return `Deploy token ${token.id} (${token.username}) is revoked since ${token.revokedAt}. Its secret no longer gets tokens.\n`;
}

export function renderToken(token: DeployTokenView): string {
  return [
    `  id:             ${token.id}`,
    `  name:           ${shown(token.name)}`,
    `  username:       ${token.username}`,
    `  status:         ${token.status}`,
    `  repositories:   ${token.repositories.join(', ')}`,
    `  scopes:         ${token.scopes.join(', ')}`,
    `  expires:        ${token.expiresAt ?? 'never'}`,
    `  token lifetime: ${lifetime(token)}`,
    `  created:        ${token.createdAt}`,
    `  secret issued:  ${token.secretIssuedAt}${token.secretIssuedBy === null ? '' : ` by ${shown(token.secretIssuedBy)}`}`,
    `  updated:        ${token.updatedAt ?? 'never'}`,
    `  last used:      ${token.lastUsedAt === null ? 'never' : `${token.lastUsedAt} from ${shown(token.lastUsedIp ?? 'unknown')}`}`,
    ...(token.revokedAt === null ? [] : [`  revoked:        ${token.revokedAt}`]),
    '',
  ].join('\n');
}

function lifetime(token: DeployTokenView): string {
  return token.tokenLifetimeSeconds === null ? 'service default' : `${token.tokenLifetimeSeconds}s`;
}

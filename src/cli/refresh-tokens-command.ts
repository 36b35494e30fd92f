import { Command } from 'commander';
import { escapeControlCharacters } from '../core/control-characters.js';
import type { RefreshTokenView } from '../app/refresh-token-view.js';
import type { CliIo } from './cli-context.js';
import { printJson, withAdmin } from './admin-session.js';
import { renderTable, type TableColumn } from './render.js';

/** Client ids are chosen by clients: nothing in them may move the cursor or reorder the line. */
const printable = escapeControlCharacters;

const COLUMNS: readonly TableColumn<RefreshTokenView>[] = [
  ['ID', (token) => String(token.id)],
  ['CLIENT', (token) => printable(token.clientId ?? '-')],
  ['CREATED', (token) => token.createdAt],
  ['LAST USED', (token) => token.lastUsedAt ?? 'never'],
  ['IDLE EXPIRY', (token) => token.idleExpiresAt],
];

/** `regauth refresh-tokens`: the docker logins (refresh tokens) of a deploy token, listed and revoked one by one. */
export function refreshTokensCommand(io: CliIo, configFile: () => string | undefined): Command {
  const command = new Command('refresh-tokens').description('list and revoke the refresh tokens (docker logins) of a deploy token');
  const run = <T>(work: Parameters<typeof withAdmin<T>>[2]) => withAdmin(io, configFile(), work);

  command
    .command('list')
    .description('the refresh tokens of a deploy token that still work, oldest first')
    .argument('<id-or-username>', 'the deploy token')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await run(async (admin) => {
        const tokens = await admin.listRefreshTokens(reference);
        if (options.json) printJson(io, tokens);
        else io.stdout.write(renderRefreshTokenTable(reference, tokens));
      });
    });

  command
    .command('revoke')
    .description('end one refresh token at once; the deploy token and its other logins keep working')
    .argument('<id-or-username>', 'the deploy token')
    .argument('<refresh-token-id>', 'from regauth refresh-tokens list')
    .option('--json', 'print JSON')
    .action(async (reference: string, id: string, options: { json?: boolean }) => {
      await run(async (admin) => {
        const revoked = await admin.revokeRefreshToken(reference, id);
        if (options.json) printJson(io, revoked);
        else io.stdout.write(`Revoked refresh token ${revoked.id} of deploy token ${revoked.tokenId}. The login that holds it must log in again.\n`);
      });
    });

  return command;
}

function renderRefreshTokenTable(reference: string, tokens: readonly RefreshTokenView[]): string {
  if (tokens.length === 0) return `Deploy token ${printable(reference)} has no refresh tokens that work.\n`;
  return renderTable(COLUMNS, tokens);
}

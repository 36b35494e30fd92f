import { Command, Option } from 'commander';
import type { FederatedCredentialAdmin } from '../app/federation/federated-credential-admin.js';
import type { FederatedCredentialView } from '../app/federation/federated-credential-view.js';
import { openDeployTokenAdmin } from '../composition-root.js';
import { escapeControlCharacters as shown } from '../core/control-characters.js';
import { printJson } from './admin-session.js';
import { cliContext, type CliIo } from './cli-context.js';
import { renderTable, type TableColumn } from './render.js';

// Subjects and claims come from identity tokens (already escaped when kept; escaped again, to be sure).
const COLUMNS: readonly TableColumn<FederatedCredentialView>[] = [
  ['ID', (credential) => String(credential.id)],
  ['USERNAME', (credential) => credential.username],
  ['ISSUER', (credential) => String(credential.issuerId)],
  ['POLICY', (credential) => String(credential.policyId)],
  ['SUBJECT', (credential) => shown(credential.subject)],
  ['SCOPES', (credential) => credential.scopes.join(',')],
  ['REPOSITORIES', (credential) => credential.repositories.join(',')],
  ['STATUS', (credential) => credential.status],
  ['EXPIRES', (credential) => credential.expiresAt],
  ['LAST USED', (credential) => credential.lastUsedAt ?? 'never'],
];

/** `regauth federated-credentials`: the credentials minted from identity tokens, listed and revoked. */
export function federatedCredentialsCommand(io: CliIo, configFile: () => string | undefined): Command {
  const command = new Command('federated-credentials').description('list and revoke the short-lived credentials minted from CI and pod identity tokens');
  const run = <T>(work: (admin: FederatedCredentialAdmin) => Promise<T>) => withFederatedCredentialAdmin(io, configFile(), work);

  command
    .command('list')
    .description('minted credentials, oldest first (never their passwords)')
    .addOption(new Option('--status <status>', 'only credentials in this state').choices(['active', 'expired', 'revoked']))
    .option('--json', 'print JSON')
    .action(async (options: { status?: 'active' | 'expired' | 'revoked'; json?: boolean }) => {
      await run(async (admin) => {
        const all: FederatedCredentialView[] = [];
        let after: number | undefined;
        do {
          const page = await admin.list({ status: options.status, limit: 1_000, after });
          all.push(...page.items);
          after = page.next ?? undefined;
        } while (after !== undefined);
        if (options.json) printJson(io, all);
        else io.stdout.write(all.length === 0 ? 'No minted credentials.\n' : renderTable(COLUMNS, all));
      });
    });

  command
    .command('revoke')
    .description('end a minted credential and its refresh token at once, on every replica')
    .argument('<id-or-username>', 'its id or its oidc-<id> username')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await run(async (admin) => {
        const revoked = await admin.revoke(reference);
        if (options.json) printJson(io, revoked);
        else io.stdout.write(`Revoked minted credential ${revoked.id} (${revoked.username}) of ${shown(revoked.subject)}.\n`);
      });
    });

  return command;
}

/** Opens the admin use cases (directly or through the running server), runs `work`, and closes them. */
async function withFederatedCredentialAdmin<T>(
  io: CliIo,
  configFile: string | undefined,
  work: (admin: FederatedCredentialAdmin) => Promise<T>,
): Promise<T> {
  const { config, logger } = cliContext(io, configFile);
  const opened = await openDeployTokenAdmin(config, { logger });
  try {
    return await work(opened.federatedCredentials);
  } finally {
    await opened.close();
  }
}

import { Command } from 'commander';
import type { AdminKeyView } from '../app/admin-keys.js';
import { escapeControlCharacters as shown } from '../core/control-characters.js';
import { printJson, withAdmin } from './admin-session.js';
import type { CliIo } from './cli-context.js';
import { CliError } from './keys-command.js';

export function adminKeysCommand(io: CliIo, configFile: () => string | undefined): Command {
  const adminKeys = new Command('admin-keys').description('keys for the admin API (/api/v1)');

  adminKeys
    .command('create')
    .description('create an admin key and print it (shown once)')
    .requiredOption('--name <name>', 'who or what uses it, e.g. "terraform"')
    .option('--json', 'print JSON')
    .action(async (options: { name: string; json?: boolean }) => {
      await withAdmin(io, configFile(), async (_admin, keys) => {
        const created = await keys.create(options.name);
        if (options.json) {
          printJson(io, created);
          return;
        }
        io.stdout.write(
          `Created admin key ${created.adminKey.id} (${shown(created.adminKey.name)}).\n\n  key: ${created.key}\n\n` +
            'The key is shown only now: regauth keeps just its digest. Send it as: Authorization: Bearer <key>\n',
        );
      });
    });

  adminKeys
    .command('list')
    .description('list admin keys (never the keys themselves)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withAdmin(io, configFile(), async (_admin, keys) => {
        const list = await keys.list();
        if (options.json) printJson(io, list);
        else io.stdout.write(renderAdminKeys(list));
      });
    });

  adminKeys
    .command('revoke')
    .description('revoke an admin key by id; it is refused at once')
    .argument('<id>')
    .action(async (id: string) => {
      if (!/^[1-9][0-9]{0,14}$/.test(id)) throw new CliError(`"${id}" is not an admin key id`);
      await withAdmin(io, configFile(), async (_admin, keys) => {
        const revoked = await keys.revoke(Number(id));
        io.stdout.write(`Admin key ${revoked.id} (${shown(revoked.name)}) is revoked since ${revoked.revokedAt}.\n`);
      });
    });

  return adminKeys;
}

function renderAdminKeys(keys: readonly AdminKeyView[]): string {
  if (keys.length === 0) return 'No admin keys yet. Create one with: regauth admin-keys create --name <name>\n';
  return keys
    .map((key) => `${key.id}\t${shown(key.name)}\t${key.status}\tcreated ${key.createdAt}\tlast used ${key.lastUsedAt ?? 'never'}`)
    .join('\n')
    .concat('\n');
}

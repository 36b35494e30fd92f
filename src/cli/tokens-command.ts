import { Command } from 'commander';
import { openDeployTokenAdmin } from '../composition-root.js';
import { cliContext, type CliIo } from './cli-context.js';
import { dockerLoginCommand, renderCreated, renderRevoked, renderTokenTable } from './render.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface CreateOptions {
  name: string;
  repo: string[];
  scope: string[];
  username?: string;
  expires?: string;
  registry?: string;
  json?: boolean;
}

export function tokensCommand(io: CliIo, configFile: () => string | undefined): Command {
  const tokens = new Command('tokens').description('create, list and revoke deploy tokens');

  const withAdmin = async <T>(work: (admin: Awaited<ReturnType<typeof openDeployTokenAdmin>>['admin'], registryHost: string | null) => Promise<T>) => {
    const { config, logger } = cliContext(io, configFile());
    const opened = await openDeployTokenAdmin(config, { logger });
    try {
      return await work(opened.admin, config.registry.host);
    } finally {
      await opened.close();
    }
  };

  tokens
    .command('create')
    .description('create a deploy token and print its secret (shown once)')
    .requiredOption('--name <name>', 'what the token is for, e.g. "gitlab ci of team/app"')
    .option('--repo <path>', 'repository it covers: team/app also covers team/app/...; * covers all (repeatable)', collect, [])
    .option('--scope <scope>', 'read_registry (pull) or write_registry (push and pull) (repeatable)', collect, [])
    .option('--username <username>', 'username to log in with (default: deploy-token-<id>); a-z 0-9 . _ + -')
    .option('--expires <when>', 'a duration (30m, 12h, 90d, 2w, 1y) or a date (2027-01-31); default: never')
    .option('--registry <host>', 'registry host for the printed docker login command (default: registry.host)')
    .option('--json', 'print JSON')
    .action(async (options: CreateOptions) => {
      await withAdmin(async (admin, configuredHost) => {
        const created = await admin.create({
          name: options.name,
          repositories: options.repo,
          scopes: options.scope,
          username: options.username,
          expires: options.expires,
        });
        const registryHost = options.registry ?? configuredHost ?? '<registry-host>';
        io.stdout.write(
          options.json
            ? `${JSON.stringify({ ...created, dockerLogin: dockerLoginCommand(registryHost, created.token.username, created.secret) }, null, 2)}\n`
            : renderCreated(created, registryHost),
        );
      });
    });

  tokens
    .command('list')
    .description('list deploy tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withAdmin(async (admin) => {
        const list = await admin.list();
        io.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : renderTokenTable(list));
      });
    });

  tokens
    .command('revoke')
    .description('revoke a deploy token by id or username; it stops getting tokens at once')
    .argument('<id-or-username>')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await withAdmin(async (admin) => {
        const revoked = await admin.revoke(reference);
        io.stdout.write(options.json ? `${JSON.stringify(revoked, null, 2)}\n` : renderRevoked(revoked));
      });
    });

  return tokens;
}

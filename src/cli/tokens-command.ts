import { Command, Option } from 'commander';
import type { CreatedDeployToken } from '../app/deploy-token-admin.js';
import { credentialFormatsOf, kubernetesSecretManifest, secretNameFor } from '../app/credential-formats.js';
import type { CliIo } from './cli-context.js';
import { printJson, withAdmin } from './admin-session.js';
import { CREDENTIAL_FORMATS, FORMATS_NEEDING_HOST, type CredentialFormat } from './credential-format-option.js';
import { CliError } from './keys-command.js';
import { renderCreated, renderRevoked, renderToken } from './render.js';
import { tokenExtendCommand, tokenListCommand, tokenTestPatternCommand } from './token-query-commands.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface OutputOptions {
  format: CredentialFormat;
  json?: boolean;
  registry?: string;
  secretName?: string;
  namespace?: string;
}

interface CreateOptions extends OutputOptions {
  name: string;
  repo: string[];
  scope: string[];
  username?: string;
  expires?: string;
  tokenLifetime?: string;
}

interface UpdateOptions {
  name?: string;
  repo: string[];
  scope: string[];
  expires?: string;
  neverExpires?: boolean;
  tokenLifetime?: string;
  defaultTokenLifetime?: boolean;
  json?: boolean;
}

const SCOPE_HELP = 'read_registry (pull), write_registry (push, pull), delete_registry (delete, pull), read_catalog (catalog; needs --repo "*") (repeatable)';
const REPO_HELP = 'repository it covers: team/app (and team/app/...), team/*, team/**, or * for all (repeatable)';

export function tokensCommand(io: CliIo, configFile: () => string | undefined): Command {
  const tokens = new Command('tokens').description('create, list, change, rotate and revoke deploy tokens');
  const run = <T>(work: Parameters<typeof withAdmin<T>>[2]) => withAdmin(io, configFile(), work);

  withOutputOptions(
    tokens
      .command('create')
      .description('create a deploy token and print its secret (shown once)')
      .requiredOption('--name <name>', 'what the token is for, e.g. "gitlab ci of team/app"')
      .option('--repo <pattern>', REPO_HELP, collect, [])
      .option('--scope <scope>', SCOPE_HELP, collect, [])
      .option('--username <username>', 'username to log in with (default: deploy-token-<id>); a-z 0-9 . _ + -')
      .option('--expires <when>', 'a duration (30m, 12h, 90d, 2w, 1y) or a date (2027-01-31); default: never')
      .option('--token-lifetime <duration>', 'lifetime of its registry tokens (900, 15m, 2h); default: token.lifetimeSeconds'),
  ).action(async (options: CreateOptions) => {
    await run(async (admin, _keys, config) => {
      const registryHost = checkOutput(options, config.registry.host);
      const created = await admin.create({
        name: options.name,
        repositories: options.repo,
        scopes: options.scope,
        username: options.username,
        expires: options.expires,
        tokenLifetime: options.tokenLifetime,
      });
      io.stdout.write(renderCredentials(created, registryHost, options));
    });
  });

  tokens.addCommand(tokenListCommand(run, io));

  tokens
    .command('show')
    .description('show one deploy token by id or username')
    .argument('<id-or-username>')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await run(async (admin) => {
        const token = await admin.get(reference);
        if (options.json) printJson(io, token);
        else io.stdout.write(renderToken(token));
      });
    });

  tokens
    .command('update')
    .description('change a deploy token; what you leave out stays as it is (its secret does not change)')
    .argument('<id-or-username>')
    .option('--name <name>', 'new name')
    .option('--repo <pattern>', `${REPO_HELP}; replaces the list`, collect, [])
    .option('--scope <scope>', `${SCOPE_HELP}; replaces the list`, collect, [])
    .option('--expires <when>', 'new expiry: a duration from now or a date')
    .option('--never-expires', 'remove the expiry')
    .option('--token-lifetime <duration>', 'lifetime of its registry tokens (900, 15m, 2h)')
    .option('--default-token-lifetime', "use the service's default token lifetime again")
    .option('--json', 'print JSON')
    .action(async (reference: string, options: UpdateOptions) => {
      if (options.expires !== undefined && options.neverExpires) throw new CliError('give --expires or --never-expires, not both');
      if (options.tokenLifetime !== undefined && options.defaultTokenLifetime) {
        throw new CliError('give --token-lifetime or --default-token-lifetime, not both');
      }
      await run(async (admin) => {
        const updated = await admin.update(reference, {
          name: options.name,
          repositories: options.repo.length === 0 ? undefined : options.repo,
          scopes: options.scope.length === 0 ? undefined : options.scope,
          expires: options.neverExpires ? null : options.expires,
          tokenLifetime: options.defaultTokenLifetime ? null : options.tokenLifetime,
        });
        if (options.json) printJson(io, updated);
        else io.stdout.write(`Updated deploy token ${updated.id}.\n${renderToken(updated)}`);
      });
    });

  withOutputOptions(
    tokens
      .command('rotate')
      .description('give a deploy token a new secret (shown once); the old one and its docker logins stop working')
      .argument('<id-or-username>'),
  ).action(async (reference: string, options: OutputOptions) => {
    await run(async (admin, _keys, config) => {
      const registryHost = checkOutput(options, config.registry.host);
      io.stdout.write(renderCredentials(await admin.rotate(reference), registryHost, options, 'Rotated'));
    });
  });

  tokens.addCommand(tokenExtendCommand(run, io));
  tokens.addCommand(tokenTestPatternCommand(io));

  tokens
    .command('revoke')
    .description('revoke a deploy token by id or username; it and its docker logins stop getting tokens at once')
    .argument('<id-or-username>')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await run(async (admin) => {
        const revoked = await admin.revoke(reference);
        if (options.json) printJson(io, revoked);
        else io.stdout.write(renderRevoked(revoked));
      });
    });

  return tokens;
}

function withOutputOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <format>', 'text, json, dockerconfigjson (.dockerconfigjson), k8s-secret (Secret manifest), env or gitlab-ci (CI variables), ' +
          'docker-login, podman-login or github-actions')
        .choices(CREDENTIAL_FORMATS)
        .default('text'),
    )
    .option('--json', 'the same as --format json')
    .option('--registry <host>', 'registry host[:port] clients pull from (default: registry.host)')
    .option('--secret-name <name>', 'name of the Kubernetes Secret (default: regauth-<token name>)')
    .option('--namespace <namespace>', 'namespace of the Kubernetes Secret');
}

/** Checked before anything is created, so a missing host never costs a secret that is shown only once. */
function checkOutput(options: OutputOptions, configuredHost: string | null): string | null {
  const registryHost = options.registry ?? configuredHost;
  if (FORMATS_NEEDING_HOST.includes(options.format) && registryHost === null) {
    throw new CliError(`--format ${options.format} needs the registry host: pass --registry <host> or set registry.host`);
  }
  return registryHost;
}

function renderCredentials(created: CreatedDeployToken, registryHost: string | null, options: OutputOptions, verb = 'Created'): string {
  const host = registryHost ?? '<registry-host>';
  const format = options.json ? 'json' : options.format;
  // --registry may name another host than registry.host: render again for it, with the same code.
  const credentials = credentialFormatsOf(created, host);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...created, credentials, dockerLogin: credentials.dockerLogin.trimEnd() }, null, 2)}\n`;
    case 'dockerconfigjson':
      return credentials.dockerConfigJson;
    case 'k8s-secret':
      return kubernetesSecretManifest(created, host, {
        name: options.secretName ?? secretNameFor(created.token.name),
        namespace: options.namespace,
      });
    case 'env':
    case 'gitlab-ci':
      return credentials.gitlabCi;
    case 'docker-login':
      return credentials.dockerLogin;
    case 'podman-login':
      return credentials.podmanLogin;
    case 'github-actions':
      return credentials.githubActions;
    case 'text':
      return renderCreated(created, host, verb);
  }
}

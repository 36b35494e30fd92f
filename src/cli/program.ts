import { Command, CommanderError } from 'commander';
import { ConfigError } from '../adapters/config/load-config.js';
import { SigningKeyError } from '../adapters/keys/signing-key.js';
import { EmbeddedStoreBusyError } from '../adapters/store/embedded-store-lock.js';
import { ServiceUnavailableError } from '../app/errors.js';
import { RegauthError } from '../core/regauth-error.js';
import { adminKeysCommand } from './admin-keys-command.js';
import { auditCommand } from './audit-command.js';
import type { CliIo } from './cli-context.js';
import { federatedCredentialsCommand } from './federated-credentials-command.js';
import { issuersCommand } from './issuers-command.js';
import { CliError, keysCommand } from './keys-command.js';
import { migrateCommand } from './migrate-command.js';
import { policiesCommand } from './policies-command.js';
import { refreshTokensCommand } from './refresh-tokens-command.js';
import { registryConfigCommand } from './registry-config-command.js';
import { serveCommand } from './serve-command.js';
import { tokensCommand } from './tokens-command.js';

const EXPECTED_ERRORS = [RegauthError, ConfigError, SigningKeyError, EmbeddedStoreBusyError, CliError];

function descendants(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...descendants(child)]);
}

/** Runs one CLI invocation and returns its exit code: 0 success, 1 refused or failed, 2 usage error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('regauth')
    .description('regauth: deploy tokens for a Docker registry, and the token service the registry trusts')
    .option('-c, --config <file>', 'YAML file of settings over config/default.yaml (or REGAUTH_CONFIG)');
  const configFile = () => program.opts<{ config?: string }>().config;
  program.addCommand(tokensCommand(io, configFile));
  program.addCommand(refreshTokensCommand(io, configFile));
  program.addCommand(federatedCredentialsCommand(io, configFile));
  program.addCommand(auditCommand(io, configFile));
  program.addCommand(adminKeysCommand(io, configFile));
  program.addCommand(issuersCommand(io, configFile));
  program.addCommand(policiesCommand(io, configFile));
  program.addCommand(keysCommand(io, configFile));
  program.addCommand(registryConfigCommand(io, configFile));
  program.addCommand(migrateCommand(io, configFile));
  program.addCommand(serveCommand(io, configFile));
  // addCommand does not pass settings down, so every command is told where to write and not to exit.
  for (const command of [program, ...descendants(program)]) {
    command
      .exitOverride()
      .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (EXPECTED_ERRORS.some((type) => error instanceof type)) {
      const cause = error instanceof ServiceUnavailableError ? (error.cause as Error | undefined)?.message : undefined;
      io.stderr.write(`regauth: ${(error as Error).message}${cause === undefined ? '' : `: ${cause}`}\n`);
      return 1;
    }
    io.stderr.write(`regauth: unexpected error: ${String((error as Error)?.stack ?? error)}\n`);
    return 1;
  }
}

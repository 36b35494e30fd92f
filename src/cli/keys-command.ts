import { Command } from 'commander';
import { generateSigningKey, loadSigningKey, writeRegistryBundle } from '../adapters/keys/key-directory.js';
import { systemClock } from '../composition-root.js';
import { cliContext, type CliIo } from './cli-context.js';

export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

export function keysCommand(io: CliIo, configFile: () => string | undefined): Command {
  const keys = new Command('keys').description('manage the keys that sign registry tokens');
  keys
    .command('generate')
    .description('generate an RSA-2048 signing key and its self-signed certificate in the keys folder')
    .option('--force', 'generate a new key even though one exists; it signs from the next start')
    .action(async (options: { force?: boolean }) => {
      const { config } = cliContext(io, configFile());
      const existing = await loadSigningKey(config.keys.dir);
      if (existing !== null && !options.force) {
        throw new CliError(
          `a signing key already exists (kid ${existing.keyId}, ${existing.keyFile}); use --force to add a new one`,
        );
      }
      const key = await generateSigningKey(config.keys.dir, systemClock.now());
      await writeRegistryBundle(config.keys.dir, config.registryBundlePath);
      io.stdout.write(
        `Generated signing key ${key.keyId}\n  private key: ${key.keyFile}\n  certificate: ${key.certificateFile}\n` +
          `  registry bundle: ${config.registryBundlePath}\n` +
          (existing === null ? '' : 'Restart regauth to sign with it, after the registry has been given the new bundle.\n'),
      );
    });
  return keys;
}

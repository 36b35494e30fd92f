import { Command } from 'commander';
import { EmbeddedStoreBusyError } from '../adapters/store/embedded-store-lock.js';
import { openStore, type OpenStore } from '../adapters/store/open-store.js';
import { cliContext, type CliIo } from './cli-context.js';
import { CliError } from './keys-command.js';

/**
 * Applies pending migrations and exits. The server migrates on start as well; this is for running them
 * ahead of a rollout, e.g. as a Kubernetes Job.
 */
export function migrateCommand(io: CliIo, configFile: () => string | undefined): Command {
  return new Command('migrate')
    .description('apply pending database migrations, then exit')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { config, logger } = cliContext(io, configFile());
      const database = config.database.url === null ? `the embedded store in ${config.database.dataDir}` : 'PostgreSQL';
      let opened: OpenStore;
      try {
        opened = await openStore(config.database, 'cli', logger);
      } catch (error) {
        if (error instanceof EmbeddedStoreBusyError) throw error;
        throw new CliError(`cannot migrate ${database}: ${(error as Error).message}`, { cause: error });
      }
      const applied = opened.migrationsApplied;
      await opened.close();
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ database: opened.db.kind, applied })}\n`);
      } else if (applied.length === 0) {
        io.stdout.write(`${database} is up to date: no migrations to apply.\n`);
      } else {
        io.stdout.write(`Migrated ${database}:\n${applied.map((version) => `  applied ${version}\n`).join('')}`);
      }
    });
}

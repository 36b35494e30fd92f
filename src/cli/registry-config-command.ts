import { Command } from 'commander';
import { resolve } from 'node:path';
import { prepareRegistryConfig } from '../composition-root.js';
import { cliContext, type CliIo } from './cli-context.js';

export function registryConfigCommand(io: CliIo, configFile: () => string | undefined): Command {
  return new Command('registry-config')
    .description("print the registry's auth.token configuration and write the certificate bundle it names")
    .option('--bundle <path>', 'write the certificate bundle here instead of the keys folder')
    .action(async (options: { bundle?: string }) => {
      const { config } = cliContext(io, configFile());
      const bundlePath = options.bundle === undefined ? config.registryBundlePath : resolve(io.cwd, options.bundle);
      const { yaml } = await prepareRegistryConfig({ ...config, registryBundlePath: bundlePath });
      io.stdout.write(yaml);
    });
}

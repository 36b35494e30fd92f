import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { prepareRegistryConfig, runningServerSettings, systemClock } from '../composition-root.js';
import { cliContext, type CliIo } from './cli-context.js';
import { differencesNotice, settingsDifferences, withServerSettings } from './running-server-settings.js';

export function registryConfigCommand(io: CliIo, configFile: () => string | undefined): Command {
  return new Command('registry-config')
    .description(
      "print the registry's auth.token configuration and write the certificate bundle and JWKS file it names " +
        '(with the running server\'s settings when one holds the embedded store)',
    )
    .option('--bundle <path>', 'write the certificate bundle here instead of the keys folder')
    .option('--jwks <path>', 'write the JWKS file (registry 3) here instead of the keys folder')
    .addOption(
      new Option('--registry-version <version>', '2: registry 2.8 (registry:2); 3: registry 3.x, which also reads the JWKS file')
        .choices(['2', '3'])
        .default('2'),
    )
    .action(async (options: { bundle?: string; jwks?: string; registryVersion: '2' | '3' }) => {
      const { config: own } = cliContext(io, configFile());
      const server = await runningServerSettings(own);
      const differences = server === null ? [] : settingsDifferences(own, server);
      if (server !== null && differences.length > 0) io.stderr.write(differencesNotice(server, differences));
      const config = server === null ? own : withServerSettings(own, server);
      const registryBundlePath = options.bundle === undefined ? config.registryBundlePath : resolve(io.cwd, options.bundle);
      const registryJwksPath = options.jwks === undefined ? config.registryJwksPath : resolve(io.cwd, options.jwks);
      const { yaml } = await prepareRegistryConfig(
        { ...config, registryBundlePath, registryJwksPath },
        systemClock,
        options.registryVersion === '3' ? 3 : 2,
      );
      io.stdout.write(yaml);
    });
}

import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { prepareRegistryConfig, systemClock } from '../composition-root.js';
import { cliContext, type CliIo } from './cli-context.js';

export function registryConfigCommand(io: CliIo, configFile: () => string | undefined): Command {
  return new Command('registry-config')
    .description("print the registry's auth.token configuration and write the certificate bundle and JWKS file it names")
    .option('--bundle <path>', 'write the certificate bundle here instead of the keys folder')
    .option('--jwks <path>', 'write the JWKS file (registry 3) here instead of the keys folder')
    .addOption(
      new Option('--registry-version <version>', '2: registry 2.8 (registry:2); 3: registry 3.x, which also reads the JWKS file')
        .choices(['2', '3'])
        .default('2'),
    )
    .action(async (options: { bundle?: string; jwks?: string; registryVersion: '2' | '3' }) => {
      const { config } = cliContext(io, configFile());
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

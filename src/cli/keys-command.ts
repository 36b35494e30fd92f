import { Command, Option } from 'commander';
import type { RegauthConfig } from '../adapters/config/load-config.js';
import {
  generateSigningKey,
  listSigningKeys,
  loadSigningKey,
  removeSigningKey,
  writeRegistryFiles,
} from '../adapters/keys/key-directory.js';
import type { SigningKey } from '../adapters/keys/signing-key.js';
import { runningServerSettings, systemClock } from '../composition-root.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { prunableKeys, retiredKeyRetentionMs, scheduleKeys } from '../core/key-schedule.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../core/registry-jwk.js';
import { cliContext, type CliIo } from './cli-context.js';
import { renderRows } from './render.js';

export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * How long after `keys rotate` the new key starts signing, unless --activate-in says otherwise. Time to
 * hand every registry the new bundle (or JWKS file) and restart it, including a Kubernetes Secret update
 * reaching the pods, before any regauth replica signs with a key the registry does not know yet.
 */
export const DEFAULT_ACTIVATE_IN = '1h';

const algorithmOption = () =>
  new Option('--algorithm <alg>', 'RS256 (RSA-2048) or ES256 (P-256); default: keys.algorithm').choices(SIGNING_ALGORITHMS);

export function keysCommand(io: CliIo, configFile: () => string | undefined): Command {
  const keys = new Command('keys').description('manage the keys that sign registry tokens');
  keys
    .command('generate')
    .description('generate the first signing key and its self-signed certificate in the keys folder')
    .option('--force', 'generate a new key even though one exists; it signs at once (prefer `keys rotate`)')
    .addOption(algorithmOption())
    .action(async (options: { force?: boolean; algorithm?: SigningAlgorithm }) => {
      const { config } = cliContext(io, configFile());
      await refuseAnotherKeysFolder(config);
      const now = systemClock.now();
      const existing = await loadSigningKey(config.keys.dir, now);
      if (existing !== null && !options.force) {
        throw new CliError(
          `a signing key already exists (kid ${existing.keyId}, ${existing.keyFile}); use --force to add a new one`,
        );
      }
      const key = await generateSigningKey(config.keys.dir, now, { algorithm: options.algorithm ?? config.keys.algorithm });
      await writeRegistryFiles(config.keys.dir, registryPaths(config), now, { tolerateReadOnly: false });
      io.stdout.write(
        `Generated signing key ${key.keyId}\n  private key: ${key.keyFile}\n  certificate: ${key.certificateFile}\n` +
          `  registry bundle: ${config.registryBundlePath}\n` +
          (existing === null
            ? ''
            : 'It signs now: a running regauth picks it up at its next keys reload (keys.reloadSeconds, or SIGHUP).\n' +
              registryHandover(config, 'now')),
      );
    });

  keys
    .command('rotate')
    .description('add a new signing key that takes over later, and publish it in the bundle and JWKS file now')
    .option('--activate-in <duration>', `when it starts signing: 0, 90s, 15m, 1h30m, 2d (default: ${DEFAULT_ACTIVATE_IN})`)
    .addOption(algorithmOption())
    .action(async (options: { activateIn?: string; algorithm?: SigningAlgorithm }) => {
      const { config } = cliContext(io, configFile());
      await refuseAnotherKeysFolder(config);
      const delayMs = parseDuration(options.activateIn ?? DEFAULT_ACTIVATE_IN);
      if (delayMs === null) {
        throw new CliError(`--activate-in ${options.activateIn}: not a duration (examples: 0, 90s, 15m, 1h30m, 2d)`);
      }
      const now = systemClock.now();
      const previous = await loadSigningKey(config.keys.dir, now);
      const activatesAt = new Date(now.getTime() + delayMs);
      const key = await generateSigningKey(config.keys.dir, now, {
        activatesAt,
        algorithm: options.algorithm ?? config.keys.algorithm,
      });
      await writeRegistryFiles(config.keys.dir, registryPaths(config), now, { tolerateReadOnly: false });
      io.stdout.write(
        [
          `Added signing key ${key.keyId} (${key.algorithm})`,
          `  thumbprint:      ${key.thumbprint}`,
          `  signs from:      ${activatesAt.toISOString()} (in ${formatDuration(delayMs)})`,
          `  private key:     ${key.keyFile}`,
          `  certificate:     ${key.certificateFile}`,
          `  registry bundle: ${config.registryBundlePath}`,
          `  registry JWKS:   ${config.registryJwksPath}`,
          previous === null ? '' : `Until then ${previous.keyId} signs.`,
          'regauth replicas pick the key up by themselves (keys.reloadSeconds, or SIGHUP).',
          registryHandover(config, `before ${activatesAt.toISOString()}`).trimEnd(),
          '',
        ]
          .filter((line, index, lines) => line !== '' || index === lines.length - 1)
          .join('\n'),
      );
    });

  keys
    .command('list')
    .description('show every key: status, libtrust kid, RFC 7638 thumbprint, algorithm, activation, certificate expiry')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { config } = cliContext(io, configFile());
      const now = systemClock.now();
      const rows = scheduleKeys(await listSigningKeys(config.keys.dir), now).entries.map(({ key, status, retiredAt }) => ({
        status,
        keyId: key.keyId,
        thumbprint: key.thumbprint,
        algorithm: key.algorithm,
        activatesAt: key.activatesAt.toISOString(),
        retiredAt: retiredAt?.toISOString() ?? null,
        certificateExpiresAt: key.notAfter.toISOString(),
        keyFile: key.keyFile,
      }));
      if (options.json) {
        io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        io.stdout.write(`No signing keys in ${config.keys.dir}. Create one with: regauth keys generate\n`);
        return;
      }
      io.stdout.write(
        renderRows([
          ['STATUS', 'KID (libtrust)', 'THUMBPRINT (RFC 7638)', 'ALG', 'SIGNS FROM', 'CERT EXPIRES'],
          ...rows.map((row) => [row.status, row.keyId, row.thumbprint, row.algorithm, row.activatesAt, row.certificateExpiresAt]),
        ]),
      );
    });

  keys
    .command('prune')
    .description('delete keys retired longer than the longest token lifetime plus a margin, and keys whose certificate expired')
    .option('--dry-run', 'only print what would be deleted')
    .action(async (options: { dryRun?: boolean }) => {
      const { config } = cliContext(io, configFile());
      const now = systemClock.now();
      const keepRetiredMs = retiredKeyRetentionMs(config.token.maxLifetimeSeconds);
      const doomed = prunableKeys(await listSigningKeys(config.keys.dir), now, keepRetiredMs);
      if (doomed.length === 0) {
        io.stdout.write(`Nothing to prune: no key was retired more than ${formatDuration(keepRetiredMs)} ago.\n`);
        return;
      }
      if (!options.dryRun) {
        for (const key of doomed) await removeSigningKey(key);
        await writeRegistryFiles(config.keys.dir, registryPaths(config), now, { tolerateReadOnly: false });
      }
      io.stdout.write(
        `${options.dryRun ? 'Would delete' : 'Deleted'} ${doomed.length} key(s):\n` +
          doomed.map((key: SigningKey) => `  ${key.keyId}  ${key.keyFile}\n`).join('') +
          (options.dryRun ? '' : 'The bundle and JWKS file no longer list them; give the registry the new files when convenient.\n'),
      );
    });
  return keys;
}

/** A key added to a folder the running server does not read would never sign, and its bundle would mislead. */
async function refuseAnotherKeysFolder(config: RegauthConfig): Promise<void> {
  const server = await runningServerSettings(config);
  if (server === null || server.keysDir === config.keys.dir) return;
  throw new CliError(
    `the running server (pid ${server.pid}) reads its keys from ${server.keysDir}, not ${config.keys.dir}; ` +
      'give this command the same keys folder (REGAUTH_KEYS_DIR or keys.dir)',
  );
}

/**
 * A registry reads its bundle only at start: until it is restarted with the new one it refuses the new
 * key's tokens, and clients show no more than "unauthorized: authentication required".
 */
function registryHandover(config: RegauthConfig, when: string): string {
  return [
    `Every registry must be given the new bundle (registry 3: also the JWKS file) and restarted ${when},`,
    'or its clients get "unauthorized: authentication required". The files are written here already;',
    'to copy them where a registry reads them: npx regauth registry-config [--registry-version 3] --bundle PATH [--jwks PATH]',
    '',
  ].join('\n');
}

function registryPaths(config: RegauthConfig): { bundlePath: string; jwksPath: string } {
  return { bundlePath: config.registryBundlePath, jwksPath: config.registryJwksPath };
}

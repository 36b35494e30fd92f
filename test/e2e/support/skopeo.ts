import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from './required-tools.js';
import { runCommand, type CommandResult } from './run-command.js';

export interface SkopeoOptions {
  /** Where skopeo keeps credentials and state; defaults to a fresh directory removed after the call. */
  stateDir?: string;
  timeoutMs?: number;
}

async function isolatedEnv(stateDir: string): Promise<NodeJS.ProcessEnv> {
  const runtimeDir = join(stateDir, 'run');
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
  const registriesConf = join(stateDir, 'registries.conf');
  await writeFile(registriesConf, '');
  // containers/image also falls back to ~/.docker/config.json and ~/.config/containers/auth.json.
  return {
    ...process.env,
    HOME: stateDir,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: join(stateDir, 'config'),
    DOCKER_CONFIG: join(stateDir, 'docker'),
    REGISTRY_AUTH_FILE: join(stateDir, 'auth.json'),
    CONTAINERS_REGISTRIES_CONF: registriesConf,
  };
}

/**
 * Runs `skopeo --insecure-policy ARGS…` with credentials and config isolated from the host.
 * Callers pass `--tls-verify=false` / `--dest-tls-verify=false` for the plain-HTTP loopback registry.
 */
export async function skopeo(args: string[], options: SkopeoOptions = {}): Promise<CommandResult> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'regauth-skopeo-')));
  try {
    return await runCommand(toolPath('skopeo'), ['--insecure-policy', ...args], {
      env: await isolatedEnv(stateDir),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  } finally {
    if (options.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
  }
}

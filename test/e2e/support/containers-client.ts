import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toolPath } from './required-tools.js';
import { runCommand, type CommandResult } from './run-command.js';

/**
 * One podman-and-buildah "host": its own image store, configuration and credentials under `stateDir`, so
 * nothing touches the system's /var/lib/containers or a real ~/.config/containers/auth.json, and two clients
 * never share an image (a pull really fetches from the registry).
 */
export interface ContainersClient {
  /** The credentials file `podman login` writes, passed as `--authfile` to every command that reaches a registry. */
  readonly authFile: string;
  /** The signature policy (accept anything) passed to pulls and pushes instead of /etc/containers/policy.json. */
  readonly policyFile: string;
  podman(args: string[], input?: string): Promise<CommandResult>;
  buildah(args: string[], input?: string): Promise<CommandResult>;
}

const toml = (value: string) => JSON.stringify(value);

export async function containersClient(stateDir: string): Promise<ContainersClient> {
  const storageRoot = join(stateDir, 'storage');
  const runRoot = join(stateDir, 'run');
  const tmpDir = join(stateDir, 'tmp');
  const runtimeDir = join(stateDir, 'xdg-run');
  for (const dir of [storageRoot, runRoot, tmpDir]) await mkdir(dir, { recursive: true });
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });

  // vfs: plain directories, no overlay mounts or fuse needed, whatever the host's storage.conf says.
  const storageConf = join(stateDir, 'storage.conf');
  await writeFile(
    storageConf,
    `[storage]\ndriver = "vfs"\ngraphroot = ${toml(storageRoot)}\nrunroot = ${toml(runRoot)}\n`,
  );
  // No systemd or journald here: cgroups by hand and events to a file.
  const containersConf = join(stateDir, 'containers.conf');
  await writeFile(
    containersConf,
    `[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ntmp_dir = ${toml(tmpDir)}\n`,
  );
  const registriesConf = join(stateDir, 'registries.conf');
  await writeFile(registriesConf, '');
  const policyFile = join(stateDir, 'policy.json');
  await writeFile(policyFile, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const authFile = join(stateDir, 'auth.json');

  // containers/image also falls back to ~/.docker/config.json and $XDG_RUNTIME_DIR/containers/auth.json:
  // both lie under stateDir. (REGISTRY_AUTH_FILE and DOCKER_CONFIG are left unset: podman refuses to start
  // when the file they name does not exist yet.)
  const env: NodeJS.ProcessEnv = { ...process.env, BUILDAH_ISOLATION: 'chroot' };
  for (const name of ['REGISTRY_AUTH_FILE', 'DOCKER_CONFIG', 'CONTAINER_HOST', 'CONTAINER_CONNECTION']) delete env[name];
  Object.assign(env, {
    HOME: stateDir,
    TMPDIR: tmpDir,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: join(stateDir, 'config'),
    XDG_DATA_HOME: join(stateDir, 'data'),
    CONTAINERS_STORAGE_CONF: storageConf,
    CONTAINERS_CONF: containersConf,
    CONTAINERS_REGISTRIES_CONF: registriesConf,
  });

  const run = (tool: string) => (args: string[], input?: string) =>
    runCommand(toolPath(tool), args, { env, ...(input === undefined ? {} : { input }), timeoutMs: 90_000 });
  return { authFile, policyFile, podman: run('podman'), buildah: run('buildah') };
}

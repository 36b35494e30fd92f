import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from './daemon.js';
import { freePort } from './free-port.js';
import { toolPath } from './required-tools.js';

export type RegistryAuth =
  | { token: { realm: string; service: string; issuer: string; rootCertBundle: string } }
  | { htpasswd: { path: string } };

export interface RegistryOptions {
  workDir: string;
  auth: RegistryAuth;
}

export interface RunningRegistry {
  /** "127.0.0.1:PORT" */
  readonly address: string;
  stop(): Promise<void>;
  logs(): string;
  /** Restarts on the same address and storage with a new auth section (the registry cannot reload its config). */
  restart(auth: RegistryAuth): Promise<void>;
}

function authSection(auth: RegistryAuth): Record<string, unknown> {
  if ('htpasswd' in auth) return { htpasswd: { realm: 'regauth-e2e', path: auth.htpasswd.path } };
  const { realm, service, issuer, rootCertBundle } = auth.token;
  return { token: { realm, service, issuer, rootcertbundle: rootCertBundle } };
}

async function launch(workDir: string, address: string, auth: RegistryAuth): Promise<Daemon> {
  const configPath = join(workDir, 'config.yml');
  const config = {
    version: 0.1,
    log: { level: 'info', formatter: 'text', fields: { service: 'registry' } },
    storage: {
      filesystem: { rootdirectory: join(workDir, 'storage') },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: address, secret: randomBytes(16).toString('hex') },
    auth: authSection(auth),
  };
  await writeFile(configPath, stringify(config));
  return startDaemon({
    name: `registry ${address}`,
    command: toolPath('docker-registry'),
    args: ['serve', configPath],
    logFile: join(workDir, 'registry.log'),
    ready: async () => {
      await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1000) });
      return true;
    },
  });
}

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const { workDir } = options;
  await mkdir(join(workDir, 'storage'), { recursive: true });
  const address = `127.0.0.1:${await freePort()}`;
  let daemon = await launch(workDir, address, options.auth);
  return {
    address,
    stop: () => daemon.stop(),
    logs: () => daemon.logs(),
    restart: async (auth: RegistryAuth) => {
      await daemon.stop();
      daemon = await launch(workDir, address, auth);
    },
  };
}

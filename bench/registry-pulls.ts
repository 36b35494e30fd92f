import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildTinyOciImage } from '../test/e2e/support/oci-image.js';
import { startRegistry, type RegistryAuth, type RunningRegistry } from '../test/e2e/support/registry.js';
import { findTool } from '../test/e2e/support/required-tools.js';
import { assertSucceeded } from '../test/e2e/support/run-command.js';
import { skopeo } from '../test/e2e/support/skopeo.js';
import { median } from './median.js';

export const PULL_TOOLS = ['docker-registry', 'skopeo'] as const;

export interface PullComparison {
  readonly pulls: number;
  /** Wall time of each `skopeo copy` from the registry, in ms. */
  readonly viaRegauthMs: readonly number[];
  readonly viaHtpasswdMs: readonly number[];
  readonly medianViaRegauthMs: number;
  readonly medianViaHtpasswdMs: number;
  /** median via regauth / median via htpasswd. */
  readonly ratio: number;
}

export interface PullSetup {
  readonly workDir: string;
  readonly tokenAuth: { realm: string; service: string; issuer: string; rootCertBundle: string };
  readonly repository: string;
  readonly username: string;
  readonly secret: string;
  /** The bcrypt hash of `secret`, for the htpasswd file: both setups then pay the same bcrypt cost. */
  readonly secretHash: string;
  readonly pulls: number;
}

/** The tools the comparison needs that are not installed. */
export function missingPullTools(): string[] {
  return PULL_TOOLS.filter((tool) => findTool(tool) === null);
}


/**
 * The same registry binary twice: once trusting regauth's tokens, once with its own htpasswd auth (bcrypt,
 * checked on every request). The same tiny image is pushed to both, then pulled with skopeo `pulls` times
 * from each, alternating which goes first; one unmeasured pull from each warms them up.
 */
export async function comparePulls(setup: PullSetup): Promise<PullComparison> {
  const image = await buildTinyOciImage(join(setup.workDir, 'oci'), { tag: 'v1', content: 'regauth bench\n' });
  const htpasswdPath = join(setup.workDir, 'htpasswd');
  await writeFile(htpasswdPath, `${setup.username}:${setup.secretHash}\n`);
  const credentials = `${setup.username}:${setup.secret}`;

  const registries: { name: 'regauth' | 'htpasswd'; registry: RunningRegistry }[] = [];
  try {
    for (const [name, auth] of [
      ['regauth', { token: setup.tokenAuth }],
      ['htpasswd', { htpasswd: { path: htpasswdPath } }],
    ] as const satisfies readonly (readonly [string, RegistryAuth])[]) {
      const registry = await startRegistry({ workDir: join(setup.workDir, `registry-${name}`), auth });
      registries.push({ name, registry });
      assertSucceeded(
        await skopeo([
          'copy', '--dest-creds', credentials, '--dest-tls-verify=false',
          `oci:${image.layoutDir}:v1`, `docker://${registry.address}/${setup.repository}:v1`,
        ]),
        `push to the registry with ${name} auth`,
      );
    }

    const pulledDir = join(setup.workDir, 'pulled');
    await mkdir(pulledDir, { recursive: true });
    let pullCount = 0;
    const pull = async (registry: RunningRegistry, what: string): Promise<number> => {
      pullCount += 1;
      const started = performance.now();
      assertSucceeded(
        await skopeo([
          'copy', '--src-creds', credentials, '--src-tls-verify=false',
          `docker://${registry.address}/${setup.repository}:v1`, `oci:${join(pulledDir, String(pullCount))}:v1`,
        ]),
        what,
      );
      return performance.now() - started;
    };

    const times = { regauth: [] as number[], htpasswd: [] as number[] };
    for (const { name, registry } of registries) await pull(registry, `warm-up pull with ${name} auth`);
    for (let round = 0; round < setup.pulls; round += 1) {
      const order = round % 2 === 0 ? registries : [...registries].reverse();
      for (const { name, registry } of order) times[name].push(await pull(registry, `pull with ${name} auth`));
    }
    const medianViaRegauthMs = median(times.regauth);
    const medianViaHtpasswdMs = median(times.htpasswd);
    return {
      pulls: setup.pulls,
      viaRegauthMs: times.regauth,
      viaHtpasswdMs: times.htpasswd,
      medianViaRegauthMs,
      medianViaHtpasswdMs,
      ratio: medianViaRegauthMs / medianViaHtpasswdMs,
    };
  } finally {
    for (const { registry } of registries) await registry.stop();
  }
}

import { spawnSync } from 'node:child_process';

export interface KustomizeTool {
  /** The command that renders a kustomization folder, with the folder to be appended. */
  readonly render: readonly string[];
  /** Whether `resources:` may name a folder (kustomize v3+); kubectl 1.20's built-in v2 needs `bases:`. */
  readonly folderResources: boolean;
}

/** `kustomize build` when installed, else `kubectl kustomize` (Debian: kubernetes-client); null when neither. */
export function findKustomize(): KustomizeTool | null {
  const kustomize = spawnSync('kustomize', ['version'], { encoding: 'utf8', timeout: 30_000 });
  if (kustomize.status === 0) return { render: ['kustomize', 'build'], folderResources: !/\bv[12]\./.test(kustomize.stdout) };
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 30_000 });
  if (kubectl.status !== 0) return null;
  // kubectl names its kustomize only since 1.21, which moved from kustomize v2 to v4.
  return { render: ['kubectl', 'kustomize'], folderResources: /Kustomize Version: v[3-9]/.test(kubectl.stdout) };
}

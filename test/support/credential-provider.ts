import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCommand, type CommandResult } from '../e2e/support/run-command.js';
import { REPOSITORY_ROOT } from './repository.js';

export const CREDENTIAL_PROVIDER_EXECUTABLE = join(REPOSITORY_ROOT, 'dist-credential-provider/regauth-credential-provider');

/**
 * Builds dist-credential-provider/regauth-credential-provider (`npm run build:credential-provider`), which
 * reuses the last build when its inputs are unchanged. A missing build tool is an error, never a skip.
 */
export async function buildCredentialProvider(): Promise<string> {
  await promisify(execFile)(process.execPath, ['scripts/build-credential-provider.js'], { cwd: REPOSITORY_ROOT, timeout: 300_000 });
  return CREDENTIAL_PROVIDER_EXECUTABLE;
}

/**
 * Runs the built provider as the kubelet does: the CredentialProviderRequest on stdin, the config's args, and
 * an environment with no Node on PATH and nothing else but `env`.
 */
export function runCredentialProvider(args: readonly string[], request: unknown, env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand(CREDENTIAL_PROVIDER_EXECUTABLE, [...args], {
    env: { PATH: '/nonexistent', ...env },
    input: typeof request === 'string' ? request : JSON.stringify(request),
    timeoutMs: 60_000,
  });
}

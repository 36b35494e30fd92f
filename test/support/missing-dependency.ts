export const SETUP_SCRIPT = 'scripts/install-test-deps.sh';

export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * Decides what a missing test dependency means. In CI it is a failure, never a skip; on a developer's
 * machine the suite that needs it is skipped with a loud warning. Returns false (the "skip" answer) or throws.
 */
export function missingDependency(what: string): false {
  const message = `missing test dependency: ${what}; run ${SETUP_SCRIPT}`;
  if (isCi()) throw new Error(message);
  process.stderr.write(`\n${'!'.repeat(100)}\nSKIPPING: ${message}\n${'!'.repeat(100)}\n\n`);
  return false;
}

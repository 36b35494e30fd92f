const SETUP_HINT = 'run scripts/install-test-deps.sh';

/**
 * Decides what a missing test dependency means. In CI it is a failure, never a skip; on a developer's
 * machine the suite that needs it is skipped with a loud warning. Returns false (the "skip" answer) or throws.
 */
export function missingDependency(what: string): false {
  const message = `missing test dependency: ${what}; ${SETUP_HINT}`;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`\n*** SKIPPED: ${message} ***\n\n`);
  return false;
}

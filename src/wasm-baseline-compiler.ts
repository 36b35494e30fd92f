const FLAG = 'liftoff-only';

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

/**
 * The embedded store is PostgreSQL compiled to WebAssembly. V8 recompiles its hottest functions with its
 * optimising compiler in the background, and doing that to PostgreSQL's executor briefly takes about 450 MB,
 * which then stands as the process's peak; V8's baseline compiler (Liftoff) runs a deploy-token store's
 * queries as fast (about 230 µs a lookup either way, measured). V8 reads the flag only at start, so the
 * process replaces itself (execve: same pid, same signals, no parent left behind) with one started with it.
 * An explicit --liftoff-only or --no-liftoff-only wins; a Node without process.execve (22) goes on without.
 * Returns only when no restart was needed or possible.
 */
export function restartWithBaselineWasmCompiler(
  execArgv: readonly string[] = process.execArgv,
  execve: Execve | null = (process as unknown as { execve?: Execve }).execve?.bind(process) ?? null,
): 'already' | 'unavailable' {
  if (execArgv.some((argument) => argument === `--${FLAG}` || argument === `--no-${FLAG}`)) return 'already';
  if (execve === null) return 'unavailable';
  return execve(process.execPath, [process.execPath, `--${FLAG}`, ...execArgv, ...process.argv.slice(1)], process.env);
}

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

/**
 * V8 flags for a server that holds the embedded store, each a trade of a little speed for memory:
 * - `--liftoff-only`: the store is PostgreSQL compiled to WebAssembly, and V8 recompiles its hottest functions
 *   with its optimising compiler in the background; doing that to PostgreSQL's executor briefly takes about
 *   450 MB, which then stands as the process's peak. V8's baseline compiler (Liftoff) runs a deploy-token
 *   store's queries as fast (about 230 µs a lookup either way, measured).
 * - `--max-semi-space-size=4` (MB): Node 24's young generation grows to several tens of MB under load; with
 *   PGlite's 130 MB beside it that took the process to about 340 MB. At 4 MB it stays near 250 MB, for about
 *   a tenth fewer tokens a second at full load (measured; see the README's Performance section).
 */
export const EMBEDDED_STORE_FLAGS: readonly { readonly name: string; readonly value?: string }[] = [
  { name: 'liftoff-only' },
  { name: 'max-semi-space-size', value: '4' },
];

/**
 * V8 reads these flags only at start, so the process replaces itself (execve: same pid, same signals, no
 * parent left behind) with one started with those it lacks. A flag the operator set (or negated) is left as
 * it is; a Node without process.execve (22) goes on without them. Returns only when no restart was needed
 * or possible.
 */
export function restartWithEmbeddedStoreFlags(
  execArgv: readonly string[] = process.execArgv,
  execve: Execve | null = (process as unknown as { execve?: Execve }).execve?.bind(process) ?? null,
): 'already' | 'unavailable' {
  const missing = EMBEDDED_STORE_FLAGS.filter(({ name }) => !execArgv.some((argument) => namesFlag(argument, name)));
  if (missing.length === 0) return 'already';
  if (execve === null) return 'unavailable';
  const flags = missing.map(({ name, value }) => (value === undefined ? `--${name}` : `--${name}=${value}`));
  return execve(process.execPath, [process.execPath, ...flags, ...execArgv, ...process.argv.slice(1)], process.env);
}

function namesFlag(argument: string, name: string): boolean {
  // V8 accepts both spellings of a flag: max-semi-space-size and max_semi_space_size.
  const spelled = argument.replace(/_/g, '-');
  return spelled === `--${name}` || spelled === `--no-${name}` || spelled.startsWith(`--${name}=`);
}

import { setFlagsFromString } from 'node:v8';

const FLAG = '--heap-growing-percent';
/** The old generation may grow to 1.5 × what the last full collection left alive before the next one. */
const GROWING_PERCENT = 50;

/**
 * Under load a token request's short-lived objects are partly promoted, and V8's default growth lets the
 * old generation swell to several times the live heap (≈25 MB) before collecting it: about 100 MB of RSS
 * at 2,000 tokens/s. A smaller factor costs a few more full collections of a small heap (a few ms each).
 * A factor given in NODE_OPTIONS or on the command line wins.
 */
export function keepHeapGrowthModest(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (execArgv.some((argument) => argument.startsWith(FLAG)) || nodeOptions.includes(FLAG)) return false;
  setFlagsFromString(`${FLAG}=${GROWING_PERCENT}`);
  return true;
}

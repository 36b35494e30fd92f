import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled JavaScript file `name` beside the module at `moduleUrl`, for code that must start it in a
 * thread or a process of its own. Run from TypeScript sources (the tests), that is its twin under dist/.
 */
export function compiledSibling(moduleUrl: string, name: string): string {
  const here = fileURLToPath(moduleUrl);
  const compiled = here.endsWith('.ts') ? here.replace(`${sep}src${sep}`, `${sep}dist${sep}`) : here;
  return join(dirname(compiled), name);
}

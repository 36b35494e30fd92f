import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root folder. */
export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

import { z } from 'zod';

/** `true`/`false` in YAML or an environment variable (z.coerce.boolean would read "false" as true). */
export const booleanSetting = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

/** A list in YAML, or comma-separated in an environment variable. */
export const commaSeparated = (item: z.ZodType<string>) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '') : value),
    z.array(item),
  );

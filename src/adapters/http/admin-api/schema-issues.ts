import type { z } from 'zod';

/** A schema mismatch in one line, each problem with the field it is at: `limit: Too big: …; status: …`. */
export function describeSchemaIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`)).join('; ');
}

import type { ClaimCondition } from './trust-policy.js';

/** A condition as a person wrote it on one line, before the use case checks its operator and sizes. */
export interface ConditionLine {
  readonly claim: string;
  readonly operator: string;
  readonly values: readonly string[];
}

const OPERATORS = [
  [' in ', 'in'],
  [' glob ', 'glob'],
  ['=', 'eq'],
] as const;

/**
 * `claim=value`, `claim in a,b` or `claim glob x/*,y/*`, split at whichever operator comes first so a value
 * may hold `=` or spaces (claim names hold neither); `in` and `glob` take comma-separated values. Null
 * when the line has no operator.
 */
export function parseConditionLine(line: string): ConditionLine | null {
  let best: { at: number; token: string; operator: string } | null = null;
  for (const [token, operator] of OPERATORS) {
    const at = line.indexOf(token);
    if (at > 0 && (best === null || at < best.at)) best = { at, token, operator };
  }
  if (best === null) return null;
  const claim = line.slice(0, best.at).trim();
  const rest = line.slice(best.at + best.token.length).trim();
  const values = best.operator === 'eq' ? [rest] : rest.split(',').map((value) => value.trim());
  return { claim, operator: best.operator, values };
}

/** The line `parseConditionLine` reads back as the same condition. */
export function formatConditionLine(condition: ClaimCondition): string {
  return condition.operator === 'eq' ? `${condition.claim}=${condition.values[0] ?? ''}` : `${condition.claim} ${condition.operator} ${condition.values.join(',')}`;
}

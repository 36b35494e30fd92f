import type { ConditionInput } from '../app/federation/trust-policy-admin.js';
import { CliError } from './keys-command.js';

const OPERATORS = [
  [' in ', 'in'],
  [' glob ', 'glob'],
  ['=', 'eq'],
] as const;

/**
 * `claim=value`, `claim in a,b` or `claim glob x/*`: split at whichever operator comes first, so a value
 * may hold `=` or spaces (claim names hold neither).
 */
export function parseConditionOption(text: string): ConditionInput {
  let best: { at: number; token: string; operator: string } | null = null;
  for (const [token, operator] of OPERATORS) {
    const at = text.indexOf(token);
    if (at > 0 && (best === null || at < best.at)) best = { at, token, operator };
  }
  if (best === null) throw new CliError(`invalid --condition "${text.slice(0, 80)}": use claim=value, "claim in a,b" or "claim glob x/*"`);
  const claim = text.slice(0, best.at).trim();
  const rest = text.slice(best.at + best.token.length).trim();
  const values = best.operator === 'in' ? rest.split(',').map((value) => value.trim()) : [rest];
  return { claim, operator: best.operator, values };
}

import { parseRegistryScope } from '../core/deploy-token.js';
import { RepositoryPatternError } from '../core/repository-pattern.js';
import { isValidRepositoryPath } from '../core/resource-name.js';
import type { ListDeployTokensInput } from './deploy-token-admin.js';
import { InvalidInputError } from './errors.js';
import type { DeployTokenFilter } from './ports.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 36_500;
const MAX_OFFSET = 1_000_000_000;
const MAX_SEARCH_LENGTH = 255;

/** The store's filter for a list request, every value checked; days become instants counted from `now`. */
export function filterOf(input: ListDeployTokensInput, now: Date): DeployTokenFilter {
  const search = input.search?.trim().toLowerCase() ?? '';
  if (search.length > MAX_SEARCH_LENGTH) throw new InvalidInputError(`search must be at most ${MAX_SEARCH_LENGTH} characters`);
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const expiring = daysOf(input.expiringWithinDays, 'expiringWithinDays');
  const unused = daysOf(input.unusedForDays, 'unusedForDays');
  const revoked = daysOf(input.revokedWithinDays, 'revokedWithinDays');
  if (input.after !== undefined && !(Number.isSafeInteger(input.after) && input.after >= 1)) {
    throw new InvalidInputError('after must be the id of a deploy token: the `next` of the previous page');
  }
  return {
    now,
    ...(search === '' ? {} : { text: search }),
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(input.scope === undefined ? {} : { scope: parseRegistryScope(input.scope) }),
    ...(expiring === undefined ? {} : { expiresBy: new Date(now.getTime() + expiring * DAY_MS) }),
    ...(unused === undefined ? {} : { unusedSince: daysAgo(unused) }),
    ...(revoked === undefined ? {} : { revokedSince: daysAgo(revoked) }),
    ...(input.after === undefined ? {} : { afterId: input.after }),
  };
}

function daysOf(days: number | undefined, what: string): number | undefined {
  if (days === undefined) return undefined;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new InvalidInputError(`${what} must be a whole number of days from 1 to ${MAX_DAYS}`);
  return days;
}

export function offsetOf(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new InvalidInputError(`offset must be an integer from 0 to ${MAX_OFFSET}`);
  return offset;
}

/** The same code (invalid_repository) as a bad pattern, which this filter took before globs were matched here. */
export function parseCoveredRepository(text: string): string {
  if (!isValidRepositoryPath(text)) throw new RepositoryPatternError(text.slice(0, 255));
  return text;
}

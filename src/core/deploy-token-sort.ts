import { RegauthError } from './regauth-error.js';

export const DEPLOY_TOKEN_SORT_FIELDS = ['name', 'created', 'expires', 'lastUsed'] as const;
export type DeployTokenSortField = (typeof DEPLOY_TOKEN_SORT_FIELDS)[number];
export type SortDirection = 'asc' | 'desc';

export interface DeployTokenSort {
  readonly field: DeployTokenSortField;
  readonly direction: SortDirection;
}

/** Creation order, oldest first: the order of ids, in which the `after` cursor pages. */
export const DEFAULT_DEPLOY_TOKEN_SORT: DeployTokenSort = { field: 'created', direction: 'asc' };

export class DeployTokenSortError extends RegauthError {
  readonly code = 'invalid_sort';

  constructor(readonly text: string) {
    super(`invalid sort "${text.slice(0, 40)}": use ${DEPLOY_TOKEN_SORT_FIELDS.join(', ')}, optionally followed by :asc or :desc (e.g. expires:desc)`);
    this.name = 'DeployTokenSortError';
  }
}

/** `name`, `expires:desc`, `lastUsed:asc`: a field and a direction (ascending unless told). */
export function parseDeployTokenSort(text: string): DeployTokenSort {
  const [fieldText, directionText = 'asc', ...rest] = text.split(':');
  const field = DEPLOY_TOKEN_SORT_FIELDS.find((known) => known === fieldText);
  if (field === undefined || rest.length > 0 || (directionText !== 'asc' && directionText !== 'desc')) {
    throw new DeployTokenSortError(text);
  }
  return { field, direction: directionText };
}

export function deployTokenSortText(sort: DeployTokenSort): string {
  return `${sort.field}:${sort.direction}`;
}

import type { Request } from 'express';
import type { ListDeployTokensInput } from '../../app/deploy-token-admin.js';
import { REGISTRY_SCOPES, type DeployTokenStatus } from '../../core/deploy-token.js';

import { queryText } from './ui-context.js';

export const TOKEN_PAGE_SIZE = 50;
export const DEPLOY_TOKEN_STATUSES: readonly DeployTokenStatus[] = ['active', 'expired', 'revoked'];
const DAYS = /^[1-9][0-9]{0,4}$/;
const PAGE = /^[1-9][0-9]{0,6}$/;
const MAX_DAYS = 36_500;

export const SORT_CHOICES: readonly (readonly [value: string, label: string])[] = [
  ['created:asc', 'Created, oldest first'],
  ['created:desc', 'Created, newest first'],
  ['name:asc', 'Name, A to Z'],
  ['name:desc', 'Name, Z to A'],
  ['expires:asc', 'Expires, soonest first'],
  ['expires:desc', 'Expires, latest first'],
  ['lastUsed:asc', 'Last used, longest ago first'],
  ['lastUsed:desc', 'Last used, most recent first'],
];
const SORT_VALUES = new Set(SORT_CHOICES.map(([value]) => value));

/** The list's query string as typed, each value kept as text to put back in the form and the page links. */
export interface TokenListQuery {
  readonly search: string;
  readonly status: string;
  readonly scope: string;
  readonly expiringWithin: string;
  readonly unusedFor: string;
  readonly revokedWithin: string;
  readonly covers: string;
  readonly sort: string;
  readonly page: number;
}

export function tokenListQueryOf(request: Request): TokenListQuery {
  const page = queryText(request, 'page');
  return {
    search: queryText(request, 'search').trim().slice(0, 255),
    status: queryText(request, 'status'),
    scope: queryText(request, 'scope'),
    expiringWithin: queryText(request, 'expiringWithin').trim(),
    unusedFor: queryText(request, 'unusedFor').trim(),
    revokedWithin: queryText(request, 'revokedWithin').trim(),
    // `repository` was this filter's name before the search: old links keep working.
    covers: (queryText(request, 'covers') || queryText(request, 'repository')).trim(),
    sort: queryText(request, 'sort'),
    page: PAGE.test(page) ? Number(page) : 1,
  };
}

/** Values that are not one of the choices, or not a number of days, are ignored rather than guessed at. */
export function listInputOf(query: TokenListQuery): ListDeployTokensInput {
  const status = DEPLOY_TOKEN_STATUSES.find((known) => known === query.status);
  const scope = REGISTRY_SCOPES.find((known) => known === query.scope);
  return {
    limit: TOKEN_PAGE_SIZE,
    offset: (query.page - 1) * TOKEN_PAGE_SIZE,
    ...(query.search === '' ? {} : { search: query.search }),
    ...(status === undefined ? {} : { status }),
    ...(scope === undefined ? {} : { scope }),
    ...optionalDays('expiringWithinDays', query.expiringWithin),
    ...optionalDays('unusedForDays', query.unusedFor),
    ...optionalDays('revokedWithinDays', query.revokedWithin),
    ...(query.covers === '' ? {} : { covers: query.covers }),
    ...(SORT_VALUES.has(query.sort) ? { sort: query.sort } : {}),
  };
}

function optionalDays(name: string, text: string): Record<string, number> {
  return DAYS.test(text) && Number(text) <= MAX_DAYS ? { [name]: Number(text) } : {};
}

/** The list's address with these filters on another page. */
export function tokenListHref(prefix: string, query: TokenListQuery, page: number): string {
  const entries: [string, string][] = [
    ['search', query.search],
    ['status', query.status],
    ['scope', query.scope],
    ['expiringWithin', query.expiringWithin],
    ['unusedFor', query.unusedFor],
    ['revokedWithin', query.revokedWithin],
    ['covers', query.covers],
    ['sort', query.sort],
  ];
  const parameters = new URLSearchParams(entries.filter(([, value]) => value !== ''));
  if (page > 1) parameters.set('page', String(page));
  const text = parameters.toString();
  return `${prefix}/tokens${text === '' ? '' : `?${text}`}`;
}

/** Page numbers to link to: the first, the last, and two either side of the current one; null marks a gap. */
export function pageNumbers(current: number, pages: number): (number | null)[] {
  const shown = [...new Set([1, current - 2, current - 1, current, current + 1, current + 2, pages])]
    .filter((page) => page >= 1 && page <= pages)
    .sort((a, b) => a - b);
  const withGaps: (number | null)[] = [];
  for (const page of shown) {
    const previous = withGaps.at(-1);
    if (typeof previous === 'number' && page - previous > 1) withGaps.push(null);
    withGaps.push(page);
  }
  return withGaps;
}


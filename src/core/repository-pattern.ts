import { globMatches } from './glob-match.js';
import { RegauthError } from './regauth-error.js';
import { isValidRepositoryPath, MAX_NAME_LENGTH } from './resource-name.js';

/** The pattern that covers every repository. */
export const ALL_REPOSITORIES = '*';

const ANY_DEPTH = '**';

export class RepositoryPatternError extends RegauthError {
  readonly code = 'invalid_repository';

  constructor(readonly pattern: string) {
    super(
      `invalid repository "${pattern}": use a repository path such as team/app (it also covers team/app/...), ` +
        `a pattern such as team/** or team/*-prod, or * for every repository`,
    );
    this.name = 'RepositoryPatternError';
  }
}

/**
 * Checks a repository pattern given to a deploy token and returns it unchanged. A pattern is a repository
 * path whose components may hold `*` (any characters but `/`), or be `**` (one or more whole components).
 */
export function parseRepositoryPattern(text: string): string {
  if (text === ALL_REPOSITORIES || isValidRepositoryPath(text)) return text;
  if (text.length <= MAX_NAME_LENGTH && text.includes('*') && isValidGlob(text)) return text;
  throw new RepositoryPatternError(text);
}

/**
 * `team/app` covers `team/app` and everything under `team/app/`, never `team/application`. A pattern with
 * wildcards matches whole names: `team/*` covers `team/app` but not `team/app/cache`; `team/**` covers both.
 * The name is the client's, so matching never backtracks: see globMatches for the cost.
 */
export function patternCovers(pattern: string, repository: string): boolean {
  if (pattern === ALL_REPOSITORIES) return true;
  if (!pattern.includes('*')) return repository === pattern || repository.startsWith(`${pattern}/`);
  return globMatches(pattern, repository);
}

function isValidGlob(pattern: string): boolean {
  const components = pattern.split('/');
  if (components.some((component) => component.includes(ANY_DEPTH) && component !== ANY_DEPTH)) return false;
  // With each wildcard standing for one letter, what remains must read as a repository path.
  const sample = components.map((component) => (component === ANY_DEPTH ? 'a' : component.replaceAll('*', 'a')));
  return sample.every((component) => isValidRepositoryPath(component)) && isValidRepositoryPath(sample.join('/'));
}

import { RegauthError } from './regauth-error.js';
import { isValidRepositoryPath } from './resource-name.js';

/** The pattern that covers every repository. */
export const ALL_REPOSITORIES = '*';

export class RepositoryPatternError extends RegauthError {
  readonly code = 'invalid_repository';

  constructor(readonly pattern: string) {
    super(
      `invalid repository "${pattern}": use a repository path such as team/app (it also covers team/app/...) ` +
        `or * for every repository`,
    );
    this.name = 'RepositoryPatternError';
  }
}

/** Checks a repository pattern given to a deploy token and returns it unchanged. */
export function parseRepositoryPattern(text: string): string {
  if (text === ALL_REPOSITORIES || isValidRepositoryPath(text)) return text;
  throw new RepositoryPatternError(text);
}

/** `team/app` covers `team/app` and everything under `team/app/`, never `team/application`. */
export function patternCovers(pattern: string, repository: string): boolean {
  return pattern === ALL_REPOSITORIES || repository === pattern || repository.startsWith(`${pattern}/`);
}

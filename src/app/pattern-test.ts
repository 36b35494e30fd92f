import { describePatternCoverage, coverageSentence, type RepositoryCoverage } from '../core/pattern-coverage.js';
import { parseRepositoryPattern } from '../core/repository-pattern.js';
import { isValidRepositoryPath } from '../core/resource-name.js';
import { InvalidInputError } from './errors.js';

export interface PatternTestInput {
  readonly patterns: readonly string[];
  /** Example repository names to try the patterns on. */
  readonly repositories: readonly string[];
}

export interface PatternTestResult {
  readonly items: RepositoryCoverage[];
  /** "covers team/app and team/app/cache, not team/application" */
  readonly summary: string;
}

/** Which example repositories a deploy token with these patterns would cover; nothing is stored. */
export function testRepositoryPatterns(input: PatternTestInput): PatternTestResult {
  if (input.patterns.length === 0) throw new InvalidInputError('at least one repository pattern is required');
  if (input.repositories.length === 0) throw new InvalidInputError('at least one repository to test is required');
  const patterns = input.patterns.map(parseRepositoryPattern);
  for (const repository of input.repositories) {
    if (!isValidRepositoryPath(repository)) {
      throw new InvalidInputError(`"${repository.slice(0, 80)}" is not a repository name: use lowercase components joined by /, such as team/app`);
    }
  }
  const items = describePatternCoverage(patterns, input.repositories);
  return { items, summary: coverageSentence(items) };
}

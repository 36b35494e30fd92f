import { patternCovers } from './repository-pattern.js';

/** Whether one example repository is covered by a set of patterns, and by the first pattern that covers it. */
export interface RepositoryCoverage {
  readonly repository: string;
  readonly covered: boolean;
  /** The first of the patterns that covers it; null when none does. */
  readonly pattern: string | null;
}

/** Which of the example repositories the patterns cover, in the order given. Patterns must be valid (parseRepositoryPattern). */
export function describePatternCoverage(patterns: readonly string[], repositories: readonly string[]): RepositoryCoverage[] {
  return repositories.map((repository) => {
    const pattern = patterns.find((candidate) => patternCovers(candidate, repository)) ?? null;
    return { repository, covered: pattern !== null, pattern };
  });
}

/** "covers team/app and team/app/cache, not team/application", for a person reading a form. */
export function coverageSentence(coverage: readonly RepositoryCoverage[]): string {
  const covered = coverage.filter((entry) => entry.covered).map((entry) => entry.repository);
  const uncovered = coverage.filter((entry) => !entry.covered).map((entry) => entry.repository);
  if (covered.length === 0) return uncovered.length === 0 ? 'no repository to test' : `covers none of ${listed(uncovered)}`;
  return uncovered.length === 0 ? `covers ${listed(covered)}` : `covers ${listed(covered)}, not ${listed(uncovered, 'or')}`;
}

function listed(names: readonly string[], conjunction = 'and'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1) as string}`;
}

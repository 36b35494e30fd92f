import { coverageSentence, describePatternCoverage } from '../../../src/core/pattern-coverage.js';

describe('describePatternCoverage', () => {
  test('names the first pattern that covers each repository, in the order given', () => {
    expect(describePatternCoverage(['team/app', 'team/**'], ['team/app', 'team/app/cache', 'team/application', 'other/x'])).toStrictEqual([
      { repository: 'team/app', covered: true, pattern: 'team/app' },
      { repository: 'team/app/cache', covered: true, pattern: 'team/app' },
      { repository: 'team/application', covered: true, pattern: 'team/**' },
      { repository: 'other/x', covered: false, pattern: null },
    ]);
  });

  test('a plain pattern covers what is under it but not a longer name beside it', () => {
    expect(describePatternCoverage(['team/app'], ['team/application']).map((entry) => entry.covered)).toStrictEqual([false]);
    expect(describePatternCoverage(['team/*'], ['team/app', 'team/app/cache']).map((entry) => entry.covered)).toStrictEqual([true, false]);
    expect(describePatternCoverage(['*'], ['any/thing/at/all'])[0]?.pattern).toBe('*');
  });
});

describe('coverageSentence', () => {
  const sentence = (patterns: string[], repositories: string[]) => coverageSentence(describePatternCoverage(patterns, repositories));

  test('says what is covered and what is not, in words', () => {
    expect(sentence(['team/app'], ['team/app', 'team/app/cache', 'team/application'])).toBe(
      'covers team/app and team/app/cache, not team/application',
    );
    expect(sentence(['team/app'], ['team/app', 'a/b', 'c/d'])).toBe('covers team/app, not a/b or c/d');
    expect(sentence(['team/**'], ['team/a', 'team/b', 'team/c'])).toBe('covers team/a, team/b and team/c');
    expect(sentence(['team/app'], ['other/x'])).toBe('covers none of other/x');
    expect(coverageSentence([])).toBe('no repository to test');
  });
});

import { formatGoSeconds } from '../../../src/credential-provider/go-duration.js';

describe('formatGoSeconds', () => {
  test.each<[number, string]>([
    [0, '0s'],
    [1, '1s'],
    [450, '450s'],
    [450.5, '450s'],
    [449.999, '449s'],
    [3600, '3600s'],
  ])('%p → %p', (seconds, expected) => {
    expect(formatGoSeconds(seconds)).toBe(expected);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (seconds) => {
    expect(() => formatGoSeconds(seconds)).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../../src/core/duration.js';

const FC_SEED = 20_260_301;

describe('parseDuration', () => {
  test.each<[string, number | null]>([
    ['0', 0],
    [' 0 ', 0],
    ['0s', 0],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['30m1h', 5_400_000],
    ['2d', 172_800_000],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['', null],
    ['10', null],
    ['1.5h', null],
    ['-1h', null],
    ['1 h', null],
    ['1w', null],
    ['h', null],
    ['1h ', 3_600_000],
    ['1hx', null],
    ['99999999999999999999d', null],
  ])('%j → %p', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
});

describe('formatDuration', () => {
  test.each<[number, string]>([
    [0, '0s'],
    [250, '250ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [90_061_001, '1d1h1m1s1ms'],
  ])('%p → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('parseDuration reads back what formatDuration writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

import { keepHeapGrowthModest } from '../../src/heap-growth.js';

describe('keepHeapGrowthModest', () => {
  test('sets the heap growth factor when nobody chose one', () => {
    expect(keepHeapGrowthModest([], '')).toBe(true);
  });

  test.each<[string, string[], string]>([
    ['on the command line', ['--heap-growing-percent=20'], ''],
    ['in NODE_OPTIONS', [], '--max-old-space-size=512 --heap-growing-percent=100'],
  ])('leaves a factor given %s alone', (_where, execArgv, nodeOptions) => {
    expect(keepHeapGrowthModest(execArgv, nodeOptions)).toBe(false);
  });
});

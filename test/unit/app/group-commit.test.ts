import { OverloadedError } from '../../../src/app/errors.js';
import { GroupCommit } from '../../../src/app/group-commit.js';

/** Writes the test completes by hand. */
class HeldWrites {
  readonly batches: number[][] = [];
  private readonly pending: { resolve: () => void; reject: (error: Error) => void }[] = [];

  readonly write = (items: readonly number[]): Promise<void> =>
    new Promise((resolve, reject) => {
      this.batches.push([...items]);
      this.pending.push({ resolve, reject });
    });

  commitNext(): void {
    this.pending.shift()?.resolve();
  }

  failNext(): void {
    this.pending.shift()?.reject(new Error('database down'));
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  let writes: HeldWrites;
  const groupCommit = (overrides: Partial<ConstructorParameters<typeof GroupCommit<number>>[0]> = {}) =>
    new GroupCommit<number>({
      write: writes.write,
      delayMs: 60_000,
      maxBatch: 3,
      maxWaiting: 6,
      maxWaitingBytes: 1_000,
      sizeOf: () => 10,
      what: 'the test log',
      ...overrides,
    });

  beforeEach(() => {
    writes = new HeldWrites();
  });

  test('maxBatch waiting items start one write at once; each commit resolves only when that write has', async () => {
    const commits = groupCommit();
    let resolved = 0;
    const waiting = [1, 2, 3].map((item) => commits.commit(item).then(() => (resolved += 1)));
    await settle();
    expect(writes.batches).toEqual([[1, 2, 3]]);
    expect(resolved).toBe(0);
    writes.commitNext();
    await Promise.all(waiting);
    expect(resolved).toBe(3);
    expect(commits.pending).toBe(0);
  });

  test('fewer than maxBatch are written once delayMs has passed since the first', async () => {
    const commits = groupCommit({ delayMs: 20 });
    const first = commits.commit(1);
    const second = commits.commit(2);
    await settle();
    expect(writes.batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(writes.batches).toEqual([[1, 2]]);
    writes.commitNext();
    await Promise.all([first, second]);
  });

  test('items arriving during a write go in the next one, started as soon as it ends', async () => {
    const commits = groupCommit({ delayMs: 0 });
    const first = commits.commit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [commits.commit(2), commits.commit(3)];
    await settle();
    expect(writes.batches).toEqual([[1]]);
    writes.commitNext();
    await first;
    await settle();
    expect(writes.batches).toEqual([[1], [2, 3]]);
    writes.commitNext();
    await Promise.all(later);
  });

  test('a failed write rejects every item in it, and only those', async () => {
    const commits = groupCommit();
    const failed = [1, 2, 3].map((item) => commits.commit(item));
    const next = commits.commit(4);
    await settle();
    writes.failNext();
    const outcomes = await Promise.allSettled(failed);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await settle();
    expect(writes.batches).toEqual([[1, 2, 3], [4]]);
    writes.commitNext();
    await expect(next).resolves.toBeUndefined();
  });

  test('past maxWaiting items, or maxWaitingBytes, a commit fails at once with OverloadedError', async () => {
    const byCount = groupCommit();
    const held = [1, 2, 3, 4, 5, 6].map((item) => byCount.commit(item));
    await expect(byCount.commit(7)).rejects.toBeInstanceOf(OverloadedError);
    expect(byCount.pending).toBe(6);

    const bySize = groupCommit({ sizeOf: (item) => item * 100 });
    const fits = [bySize.commit(9)];
    await expect(bySize.commit(2)).rejects.toThrow('the test log is busy: try again shortly');
    fits.push(bySize.commit(1));
    expect(bySize.pending).toBe(2);

    const flushed = [byCount.flush(), bySize.flush()];
    writes.commitNext();
    writes.commitNext();
    await settle();
    writes.commitNext();
    await Promise.all([...held, ...fits, ...flushed]);
  });

  test('flush writes what waits without waiting out the delay', async () => {
    const commits = groupCommit();
    const waiting = commits.commit(1);
    const flushed = commits.flush();
    await settle();
    expect(writes.batches).toEqual([[1]]);
    writes.commitNext();
    await Promise.all([waiting, flushed]);
  });
});

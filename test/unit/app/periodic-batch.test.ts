import { PeriodicBatch } from '../../../src/app/periodic-batch.js';
import { RecordingLogger } from '../../support/recording-logger.js';

/** A write the test completes by hand, to see what happens while it is in flight. */
class ControlledWrites {
  readonly batches: number[][] = [];
  private pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** When true, each write waits for resolveNext/rejectNext; otherwise it resolves at once. */
  manual = false;
  failNext = 0;

  readonly write = (items: readonly number[]): Promise<void> => {
    this.batches.push([...items]);
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('database down'));
    }
    if (!this.manual) return Promise.resolve();
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };

  get waiting(): number {
    return this.pending.length;
  }

  resolveNext(): void {
    this.pending.shift()?.resolve();
  }

  rejectNext(): void {
    this.pending.shift()?.reject(new Error('database down'));
  }
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PeriodicBatch', () => {
  let writes: ControlledWrites;
  let logger: RecordingLogger;

  const batch = (options: { capacity?: number; retryFailed?: boolean } = {}) =>
    new PeriodicBatch<number>({
      write: writes.write,
      logger,
      what: 'test items',
      capacity: options.capacity ?? 100,
      retryFailed: options.retryFailed ?? false,
    });

  beforeEach(() => {
    writes = new ControlledWrites();
    logger = new RecordingLogger();
  });

  test('nothing is written until a flush, which writes everything in one call, in order', async () => {
    const items = batch();
    for (const item of [1, 2, 3]) items.add(item);
    expect(writes.batches).toStrictEqual([]);
    expect(items.size).toBe(3);
    await items.flush();
    expect(writes.batches).toStrictEqual([[1, 2, 3]]);
    expect(items.size).toBe(0);
  });

  test('a flush with nothing collected writes nothing', async () => {
    const items = batch();
    await items.flush();
    items.add(1);
    await items.flush();
    await items.flush();
    expect(writes.batches).toStrictEqual([[1]]);
  });

  test('one flush runs at a time: a flush asked during a write joins it', async () => {
    writes.manual = true;
    const items = batch();
    items.add(1);
    const first = items.flush();
    const second = items.flush();
    expect(second).toBe(first);
    await settle();
    expect(writes.waiting).toBe(1);
    writes.resolveNext();
    await first;
    expect(writes.batches).toStrictEqual([[1]]);
  });

  test('items added during a write are written by the same flush, after it', async () => {
    writes.manual = true;
    const items = batch();
    items.add(1);
    let done = false;
    const flushing = items.flush().then(() => {
      done = true;
    });
    await settle();
    items.add(2);
    items.add(3);
    writes.resolveNext();
    await settle();
    expect(done).toBe(false);
    expect(writes.batches).toStrictEqual([[1], [2, 3]]);
    writes.resolveNext();
    await flushing;
    expect(done).toBe(true);
    expect(items.size).toBe(0);
  });

  test('after a flush ends, the next flush starts a new write', async () => {
    const items = batch();
    items.add(1);
    await items.flush();
    items.add(2);
    await items.flush();
    expect(writes.batches).toStrictEqual([[1], [2]]);
  });

  test('beyond its capacity the oldest items are dropped, and each drop is logged', async () => {
    const items = batch({ capacity: 3 });
    for (const item of [1, 2, 3, 4, 5]) items.add(item);
    expect(items.size).toBe(3);
    expect(logger.records).toStrictEqual([
      { level: 'error', message: 'dropped test items: too many waiting to be written', fields: { dropped: 1 } },
      { level: 'error', message: 'dropped test items: too many waiting to be written', fields: { dropped: 1 } },
    ]);
    await items.flush();
    expect(writes.batches).toStrictEqual([[3, 4, 5]]);
  });

  test('beyond its capacity in bytes the oldest items are dropped too; the newest is always kept', async () => {
    const items = new PeriodicBatch<number>({
      write: writes.write,
      logger,
      what: 'test items',
      capacity: 100,
      capacityBytes: { bytes: 10, sizeOf: (item) => item },
      retryFailed: false,
    });
    for (const item of [4, 4, 2, 5]) items.add(item);
    expect(logger.records.map((record) => record.fields)).toStrictEqual([{ dropped: 2 }]);
    items.add(30);
    await items.flush();
    expect(writes.batches).toStrictEqual([[30]]);
  });

  test('with retryFailed, a failed write keeps its items for the next flush, before newer ones', async () => {
    const items = batch({ retryFailed: true });
    items.add(1);
    items.add(2);
    writes.failNext = 1;
    await expect(items.flush()).resolves.toBeUndefined();
    expect(items.size).toBe(2);
    expect(logger.records).toStrictEqual([
      { level: 'warn', message: 'could not write test items', fields: { count: 2, error: 'Error: database down' } },
    ]);
    items.add(3);
    await items.flush();
    expect(writes.batches).toStrictEqual([
      [1, 2],
      [1, 2, 3],
    ]);
    expect(items.size).toBe(0);
  });

  test('with retryFailed, kept and newer items together still respect the capacity (newest kept)', async () => {
    writes.manual = true;
    const items = batch({ capacity: 3, retryFailed: true });
    for (const item of [1, 2, 3]) items.add(item);
    const flushing = items.flush();
    await settle();
    items.add(4);
    items.add(5);
    writes.rejectNext();
    await flushing;
    expect(items.size).toBe(3);
    writes.manual = false;
    await items.flush();
    expect(writes.batches.at(-1)).toStrictEqual([3, 4, 5]);
  });

  test('without retryFailed, a failed write drops its items; items added meanwhile stay', async () => {
    writes.manual = true;
    const items = batch({ retryFailed: false });
    items.add(1);
    const flushing = items.flush();
    await settle();
    items.add(2);
    writes.rejectNext();
    await expect(flushing).resolves.toBeUndefined();
    expect(items.size).toBe(1);
    writes.manual = false;
    await items.flush();
    expect(writes.batches).toStrictEqual([[1], [2]]);
    expect(logger.records.map((record) => record.level)).toStrictEqual(['warn']);
  });

  test('a failed flush stops that flush; the next one starts again', async () => {
    const items = batch({ retryFailed: true });
    items.add(1);
    writes.failNext = 2;
    await items.flush();
    await items.flush();
    await items.flush();
    expect(writes.batches).toStrictEqual([[1], [1], [1]]);
    expect(items.size).toBe(0);
  });
});

import { Writable } from 'node:stream';
import { jest } from '@jest/globals';
import { BatchedOutput } from '../../../src/adapters/logging/batched-output.js';

class RecordingTarget extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(chunk.toString('utf8'));
    callback();
  }
}

describe('BatchedOutput', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  test('the lines of one window reach the target in one write, in order, once the window ends', () => {
    const target = new RecordingTarget();
    const output = new BatchedOutput(target, { maxDelayMs: 10 });
    output.write('first\n');
    jest.advanceTimersByTime(5);
    output.write('second\n');
    output.write('third\n');
    jest.advanceTimersByTime(4);
    expect(target.writes).toEqual([]);

    jest.advanceTimersByTime(1);
    expect(target.writes).toEqual(['first\nsecond\nthird\n']);
  });

  test('the window starts with the first waiting line; a quiet time writes nothing', () => {
    const target = new RecordingTarget();
    const output = new BatchedOutput(target, { maxDelayMs: 10 });
    output.write('a\n');
    jest.advanceTimersByTime(10);
    jest.advanceTimersByTime(50);
    output.write('b\n');
    jest.advanceTimersByTime(10);
    expect(target.writes).toEqual(['a\n', 'b\n']);
  });

  test('enough waiting bytes are written at once, without waiting for the window', () => {
    const target = new RecordingTarget();
    const output = new BatchedOutput(target, { maxDelayMs: 10, maxBytes: 8 });
    output.write('1234\n');
    expect(target.writes).toEqual([]);
    output.write('5678\n');
    expect(target.writes).toEqual(['1234\n5678\n']);

    output.write('9\n');
    jest.advanceTimersByTime(10);
    expect(target.writes).toEqual(['1234\n5678\n', '9\n']);
  });

  test('ending the stream writes what is still waiting', async () => {
    const target = new RecordingTarget();
    const output = new BatchedOutput(target);
    output.write('last words\n');
    await new Promise<void>((resolve) => output.end(resolve));
    expect(target.writes).toEqual(['last words\n']);
  });

  test('flush writes at once what is waiting, and the window then writes nothing more', () => {
    const target = new RecordingTarget();
    const output = new BatchedOutput(target);
    output.write('before exit\n');
    output.flush();
    jest.advanceTimersByTime(100);
    expect(target.writes).toEqual(['before exit\n']);
  });
});

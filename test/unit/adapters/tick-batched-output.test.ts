import { Writable } from 'node:stream';
import { TickBatchedOutput } from '../../../src/adapters/logging/tick-batched-output.js';

class RecordingTarget extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(chunk.toString('utf8'));
    callback();
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TickBatchedOutput', () => {
  test('the lines of one event-loop turn reach the target in one write, in order', async () => {
    const target = new RecordingTarget();
    const output = new TickBatchedOutput(target);
    output.write('first\n');
    output.write('second\n');
    output.write('third\n');
    expect(target.writes).toEqual([]);

    await nextTurn();
    expect(target.writes).toEqual(['first\nsecond\nthird\n']);
  });

  test('each later turn is a write of its own, and an idle turn writes nothing', async () => {
    const target = new RecordingTarget();
    const output = new TickBatchedOutput(target);
    output.write('a\n');
    await nextTurn();
    await nextTurn();
    output.write('b\n');
    await nextTurn();
    expect(target.writes).toEqual(['a\n', 'b\n']);
  });

  test('ending the stream writes what is still waiting', async () => {
    const target = new RecordingTarget();
    const output = new TickBatchedOutput(target);
    output.write('last words\n');
    await new Promise<void>((resolve) => output.end(resolve));
    expect(target.writes).toEqual(['last words\n']);
  });

  test('flush writes at once what is waiting', () => {
    const target = new RecordingTarget();
    const output = new TickBatchedOutput(target);
    output.write('before exit\n');
    output.flush();
    expect(target.writes).toEqual(['before exit\n']);
  });
});

import { Writable } from 'node:stream';

/**
 * Standard output written once per event-loop turn. Writing to a pipe or file is synchronous in Node on
 * Linux, so a line per request would be a system call per line on the request path; here every line of a
 * turn goes out in one write, in order. Lines still waiting are written when the process exits.
 */
export class TickBatchedOutput extends Writable {
  private pending: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly target: NodeJS.WritableStream = process.stdout) {
    super();
    process.once('exit', () => this.flush());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.pending.push(chunk);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush();
    callback();
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const lines = Buffer.concat(this.pending);
    this.pending = [];
    this.target.write(lines);
  }
}

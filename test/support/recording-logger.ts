import type { Logger, LogFields } from '../../src/app/ports.js';

export interface RecordedLog {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields;
}

/** A Logger that keeps what it is told, for assertions. */
export class RecordingLogger implements Logger {
  readonly records: RecordedLog[] = [];

  debug(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'debug', message, fields });
  }
  info(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'error', message, fields });
  }
}

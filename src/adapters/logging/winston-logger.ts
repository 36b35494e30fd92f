import winston from 'winston';
import type { Logger, LogFields } from '../../app/ports.js';
import { redact } from './redaction.js';
import { currentRequestId } from './request-context.js';
import { BatchedOutput } from './batched-output.js';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** Where lines go; standard output when absent. */
  readonly stream?: NodeJS.WritableStream;
}

/** Redacts a record and stamps it: time, level and message first, then its fields and its request id. */
const redacted = winston.format((info) => {
  const requestId = currentRequestId();
  const { level, message, ...fields } = redact({ ...info }) as Record<string, unknown>;
  // winston keeps its level and message under symbols too; copy them back onto the same object.
  for (const key of Object.keys(info)) delete (info as Record<string, unknown>)[key];
  Object.assign(info, { timestamp: new Date().toISOString(), level, message }, fields, requestId === undefined ? {} : { requestId });
  return info;
});

export function createWinstonLogger(options: LoggerOptions): Logger {
  const transport = new winston.transports.Stream({ stream: options.stream ?? standardOutput() });
  const format =
    options.format === 'json'
      ? winston.format.combine(redacted(), jsonLine)
      : winston.format.combine(redacted(), winston.format.colorize(), prettyLine);
  const logger = winston.createLogger({ level: options.level, format, transports: [transport] });
  // winston formats (redacts, serialises) a line before its transports drop a disabled level: skip it here.
  const write = (level: string) => (message: string, fields: LogFields = {}) => {
    if (logger.isLevelEnabled(level)) logger.log(level, message, fields);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    isLevelEnabled: (level) => logger.isLevelEnabled(level),
  };
}

let sharedOutput: BatchedOutput | null = null;

/** One batching stream for the process, however many loggers it makes. */
function standardOutput(): BatchedOutput {
  sharedOutput ??= new BatchedOutput();
  return sharedOutput;
}

/**
 * One JSON object per line, keys in the order written. winston's own json format serialises through
 * safe-stable-stringify, which guards against cycles and sorts keys: three times the cost of the whole rest
 * of a line, and needless here, since `redacted` has already copied every record into fresh, depth-limited
 * objects that cannot hold a cycle.
 */
const jsonLine = winston.format.printf((info) => JSON.stringify(info, bigintAsText));

function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

const prettyLine = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info;
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${String(timestamp)} ${level} ${String(message)}${rest}`;
});

/** Writes the log lines still batched, so that text written to stdout next comes after them. */
export function flushStandardOutput(): void {
  sharedOutput?.flush();
}

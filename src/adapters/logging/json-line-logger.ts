import type { LogFields, Logger } from '../../app/ports.js';
import { redact } from './redaction.js';
import { currentRequestId } from './request-context.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** winston's npm levels, the four a config may name. */
const SEVERITY: Readonly<Record<Level, number>> = { error: 0, warn: 1, info: 2, debug: 5 };

export function isJsonLineLevel(level: string): level is Level {
  return Object.hasOwn(SEVERITY, level);
}

/**
 * The JSON log format without winston: exactly the lines winston wrote (time, level and message first, then
 * the redacted fields, then the request id), built and written in one step. Through winston every line was a
 * trip through object-mode streams and a format pipeline, about as much as the rest of its work together;
 * an issued token writes one.
 */
export function createJsonLineLogger(level: Level, stream: NodeJS.WritableStream): Logger {
  const threshold = SEVERITY[level];
  const isLevelEnabled = (candidate: Level) => SEVERITY[candidate] <= threshold;
  const write = (lineLevel: Level) => (message: string, fields: LogFields = {}) => {
    if (!isLevelEnabled(lineLevel)) return;
    stream.write(`${JSON.stringify(lineOf(lineLevel, message, fields), bigintAsText)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), isLevelEnabled };
}

function lineOf(level: Level, message: string, fields: LogFields): Record<string, unknown> {
  // As winston merges them: the fields, then level and message; a field named message is appended to it.
  const merged: Record<string, unknown> = { ...fields, level, message };
  if (fields.message) merged.message = `${message} ${String(fields.message)}`;
  const { level: redactedLevel, message: redactedMessage, ...rest } = redact(merged) as Record<string, unknown>;
  const requestId = currentRequestId();
  return { timestamp: new Date().toISOString(), level: redactedLevel, message: redactedMessage, ...rest, ...(requestId === undefined ? {} : { requestId }) };
}

function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

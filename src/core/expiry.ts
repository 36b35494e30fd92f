import { RegauthError } from './regauth-error.js';

const DURATION = /^([1-9][0-9]{0,5})(s|m|h|d|w|y)$/;
const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
/** The last instant with a four-digit year: later expiries are typos, and Dates end not far beyond. */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const SECONDS_PER_UNIT: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

export class ExpiryError extends RegauthError {
  readonly code = 'invalid_expiry';

  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    super(`invalid expiry "${text}": ${reason}`);
    this.name = 'ExpiryError';
  }
}

/** A `since` (audit queries) that is neither a duration back from now nor a date. */
export class SinceError extends RegauthError {
  readonly code = 'invalid_since';

  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    super(`invalid since "${text}": ${reason}`);
    this.name = 'SinceError';
  }
}

const SINCE_FORMS = 'use a duration back from now such as 30m, 24h, 7d, 2w or a date such as 2026-11-01 (or an RFC 3339 time)';

/**
 * Reads an expiry as a duration from now (`90d`, `12h`, `30m`, `2w`, `1y`) or an absolute time
 * (`2027-01-31`, which means midnight UTC starting that day, or a full RFC 3339 time). It must be in the
 * future.
 */
export function parseExpiry(text: string, now: Date): Date {
  const duration = DURATION.exec(text);
  const expiresAt = duration ? addDuration(now, duration) : parseAbsolute(text);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() > LATEST_EXPIRY) {
    throw new ExpiryError(text, 'it is after the year 9999');
  }
  if (expiresAt.getTime() <= now.getTime()) throw new ExpiryError(text, 'it is not in the future');
  return expiresAt;
}

/**
 * The expiry grammar read backwards, for "events since": a duration means that long before `now`, a date
 * or time means itself.
 */
export function parseSince(text: string, now: Date): Date {
  const duration = DURATION.exec(text);
  if (duration) return new Date(now.getTime() - durationMs(duration));
  if (!ABSOLUTE.test(text)) throw new SinceError(text, SINCE_FORMS);
  try {
    return parseExpiry(text, new Date(0));
  } catch (error) {
    throw error instanceof ExpiryError ? new SinceError(text, error.reason) : error;
  }
}

function addDuration(now: Date, duration: RegExpExecArray): Date {
  return new Date(now.getTime() + durationMs(duration));
}

function durationMs([, count, unit]: RegExpExecArray): number {
  return Number(count) * (SECONDS_PER_UNIT[unit as string] as number) * 1000;
}

function parseAbsolute(text: string): Date {
  const match = ABSOLUTE.exec(text);
  if (!match) {
    throw new ExpiryError(text, 'use a duration such as 30d, 12h, 2w, 1y or a date such as 2027-01-31');
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const hasTime = match[4] !== undefined;
  const date = new Date(hasTime ? text : `${text}T00:00:00Z`);
  const fieldsExist = isRealDay(year, month, day) && hour <= 23 && minute <= 59 && second <= 59;
  if (!fieldsExist || Number.isNaN(date.getTime())) throw new ExpiryError(text, 'not a real calendar date');
  return date;
}

// `new Date('2027-02-31')` rolls over to March; an expiry must name a day that exists.
function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

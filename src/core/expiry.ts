import { RegauthError } from './regauth-error.js';

const DURATION = /^([1-9][0-9]{0,5})(s|m|h|d|w|y)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

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
    reason: string,
  ) {
    super(`invalid expiry "${text}": ${reason}`);
    this.name = 'ExpiryError';
  }
}

/**
 * Reads an expiry as a duration from now (`90d`, `12h`, `30m`, `2w`, `1y`) or an absolute time
 * (`2027-01-31`, which means midnight UTC starting that day, or a full RFC 3339 time). It must be in the
 * future.
 */
export function parseExpiry(text: string, now: Date): Date {
  const duration = DURATION.exec(text);
  const expiresAt = duration ? addDuration(now, duration) : parseAbsolute(text);
  if (expiresAt.getTime() <= now.getTime()) throw new ExpiryError(text, 'it is not in the future');
  return expiresAt;
}

function addDuration(now: Date, [, count, unit]: RegExpExecArray): Date {
  return new Date(now.getTime() + Number(count) * (SECONDS_PER_UNIT[unit as string] as number) * 1000);
}

function parseAbsolute(text: string): Date {
  if (!DATE_ONLY.test(text) && !DATE_TIME.test(text)) {
    throw new ExpiryError(text, 'use a duration such as 30d, 12h, 2w, 1y or a date such as 2027-01-31');
  }
  const date = new Date(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime()) || !sameCalendarDate(text, date)) {
    throw new ExpiryError(text, 'not a real calendar date');
  }
  return date;
}

// `new Date('2027-02-31')` rolls over to March; a date-only input must name a real day.
function sameCalendarDate(text: string, date: Date): boolean {
  return !DATE_ONLY.test(text) || date.toISOString().startsWith(text);
}

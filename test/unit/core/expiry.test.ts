import { ExpiryError, parseExpiry, parseSince, SinceError } from '../../../src/core/expiry.js';

const NOW = new Date('2026-06-15T10:20:30.000Z');

const NOT_UNDERSTOOD = 'use a duration such as 30d, 12h, 2w, 1y or a date such as 2027-01-31';
const NOT_A_DATE = 'not a real calendar date';
const NOT_FUTURE = 'it is not in the future';

function expiryError(text: string, now: Date = NOW): ExpiryError {
  let caught: unknown;
  try {
    parseExpiry(text, now);
  } catch (error) {
    caught = error;
  }
  if (caught instanceof ExpiryError) return caught;
  throw new Error(`expected an ExpiryError for ${JSON.stringify(text)}, got ${String(caught)}`);
}

describe('parseExpiry reads a duration from now', () => {
  test.each<[string, string]>([
    ['1s', '2026-06-15T10:20:31.000Z'],
    ['30s', '2026-06-15T10:21:00.000Z'],
    ['15m', '2026-06-15T10:35:30.000Z'],
    ['12h', '2026-06-15T22:20:30.000Z'],
    ['1d', '2026-06-16T10:20:30.000Z'],
    ['90d', '2026-09-13T10:20:30.000Z'],
    ['2w', '2026-06-29T10:20:30.000Z'],
    ['1y', '2027-06-15T10:20:30.000Z'],
    ['10y', '2036-06-12T10:20:30.000Z'],
    ['999999s', '2026-06-27T00:07:09.000Z'],
  ])('%s → %s', (text, expected) => {
    expect(parseExpiry(text, NOW).toISOString()).toBe(expected);
  });

  test('a year is 365 days, so it ends a day early across a leap day', () => {
    expect(parseExpiry('1y', new Date('2027-06-15T00:00:00Z')).toISOString()).toBe('2028-06-14T00:00:00.000Z');
  });

  test('the largest count, 999999 days, is accepted', () => {
    expect(parseExpiry('999999d', NOW).getTime()).toBe(NOW.getTime() + 999_999 * 86_400_000);
  });

  test('keeps the milliseconds of now', () => {
    expect(parseExpiry('30s', new Date('2026-06-15T10:20:30.250Z')).toISOString()).toBe('2026-06-15T10:21:00.250Z');
  });

  test('does not change now', () => {
    const now = new Date(NOW);
    parseExpiry('90d', now);
    expect(now.toISOString()).toBe('2026-06-15T10:20:30.000Z');
  });
});

describe('parseExpiry reads an absolute time', () => {
  test.each<[string, string]>([
    ['2027-01-31', '2027-01-31T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2026-06-16', '2026-06-16T00:00:00.000Z'],
    ['2027-01-31T10:00:00Z', '2027-01-31T10:00:00.000Z'],
    ['2027-01-31T10:00Z', '2027-01-31T10:00:00.000Z'],
    ['2027-01-31T10:00:00.123Z', '2027-01-31T10:00:00.123Z'],
    ['2027-01-31T10:00:00+02:00', '2027-01-31T08:00:00.000Z'],
    ['2027-01-31T10:00:00.123-05:30', '2027-01-31T15:30:00.123Z'],
    ['2027-01-31T00:30:00+01:00', '2027-01-30T23:30:00.000Z'],
    ['2026-06-15T10:20:30.001Z', '2026-06-15T10:20:30.001Z'],
  ])('%s → %s', (text, expected) => {
    expect(parseExpiry(text, NOW).toISOString()).toBe(expected);
  });
});

describe('parseExpiry refuses everything else with an ExpiryError', () => {
  test.each<[string, string, string]>([
    ['a zero duration', '0d', NOT_UNDERSTOOD],
    ['a negative duration', '-1d', NOT_UNDERSTOOD],
    ['an unknown unit', '10x', NOT_UNDERSTOOD],
    ['an uppercase unit', '1D', NOT_UNDERSTOOD],
    ['months (m is minutes)', '1mo', NOT_UNDERSTOOD],
    ['a fraction', '1.5d', NOT_UNDERSTOOD],
    ['a leading zero', '01d', NOT_UNDERSTOOD],
    ['seven digits', '1000000d', NOT_UNDERSTOOD],
    ['no unit', '30', NOT_UNDERSTOOD],
    ['no count', 'd', NOT_UNDERSTOOD],
    ['a leading space', ' 30d', NOT_UNDERSTOOD],
    ['a trailing space', '30d ', NOT_UNDERSTOOD],
    ['a trailing newline', '30d\n', NOT_UNDERSTOOD],
    ['the empty string', '', NOT_UNDERSTOOD],
    ['a word', 'tomorrow', NOT_UNDERSTOOD],
    ['never', 'never', NOT_UNDERSTOOD],
    ['a short month', '2027-1-31', NOT_UNDERSTOOD],
    ['a two-digit year', '27-01-31', NOT_UNDERSTOOD],
    ['a time without a zone', '2027-01-31T10:00:00', NOT_UNDERSTOOD],
    ['a space instead of T', '2027-01-31 10:00:00Z', NOT_UNDERSTOOD],
    ['a lowercase t and z', '2027-01-31t10:00:00z', NOT_UNDERSTOOD],
    ['an offset without a colon', '2027-01-31T10:00:00+0200', NOT_UNDERSTOOD],
    ['epoch seconds', '1801389600', NOT_UNDERSTOOD],
    ['February 31st', '2027-02-31', NOT_A_DATE],
    ['February 29th of a common year', '2027-02-29', NOT_A_DATE],
    ['April 31st', '2027-04-31', NOT_A_DATE],
    ['month 13', '2027-13-01', NOT_A_DATE],
    ['month 00', '2027-00-10', NOT_A_DATE],
    ['day 00', '2027-01-00', NOT_A_DATE],
    ['hour 25', '2027-01-31T25:00:00Z', NOT_A_DATE],
    ['minute 60', '2027-01-31T10:60:00Z', NOT_A_DATE],
    ['offset +24:00', '2027-01-31T10:00:00+24:00', NOT_A_DATE],
    ['a past date', '2020-01-01', NOT_FUTURE],
    ['today, whose midnight has passed', '2026-06-15', NOT_FUTURE],
    ['exactly now', '2026-06-15T10:20:30Z', NOT_FUTURE],
    ['exactly now, written with an offset', '2026-06-15T12:20:30+02:00', NOT_FUTURE],
    ['a millisecond ago', '2026-06-15T10:20:29.999Z', NOT_FUTURE],
  ])('%s: %j', (_label, text, reason) => {
    const error = expiryError(text);
    expect(error).toBeInstanceOf(ExpiryError);
    expect(error.code).toBe('invalid_expiry');
    expect(error.name).toBe('ExpiryError');
    expect(error.text).toBe(text);
    expect(error.message).toBe(`invalid expiry "${text}": ${reason}`);
  });

  test.each(['999999y', '300000y', '8000y', '10000-01-01'])(
    '%s, beyond the year 9999 or the largest Date, throws an ExpiryError',
    (text) => {
      expect(expiryError(text).code).toBe('invalid_expiry');
    },
  );

  test('the last instant of the year 9999 is still accepted', () => {
    expect(parseExpiry('9999-12-31T23:59:59Z', NOW).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });

  // RFC 3339 (section 5.7) limits date-mday by month and year, and time-hour to 00–23; V8 would roll
  // `2027-02-31T…` over to 3 March.
  test.each(['2027-02-31T00:00:00Z', '2027-04-31T12:00:00+02:00', '2027-02-29T10:00:00Z', '2027-01-31T24:00:00Z'])(
    '%s, not a real date-time, throws an ExpiryError',
    (text) => {
      expect(expiryError(text).message).toBe(`invalid expiry "${text}": ${NOT_A_DATE}`);
    },
  );
});

describe('parseSince reads the expiry grammar backwards', () => {
  const now = new Date('2026-11-23T10:00:00.000Z');

  test.each([
    ['24h', '2026-11-22T10:00:00.000Z'],
    ['30m', '2026-11-23T09:30:00.000Z'],
    ['7d', '2026-11-16T10:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-20T08:15:00Z', '2026-11-20T08:15:00.000Z'],
  ])('%s', (text, expected) => {
    expect(parseSince(text, now).toISOString()).toBe(expected);
  });

  const SINCE_FORMS = 'use a duration back from now such as 30m, 24h, 7d, 2w or a date such as 2026-11-01 (or an RFC 3339 time)';
  test.each([
    ['0h', SINCE_FORMS],
    ['yesterday', SINCE_FORMS],
    ['', SINCE_FORMS],
    ['2026-02-30', NOT_A_DATE],
  ])('refuses %j with invalid_since, naming the accepted forms', (text, reason) => {
    let caught: unknown;
    try {
      parseSince(text, now);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SinceError);
    expect(caught).toMatchObject({ code: 'invalid_since', message: `invalid since "${text}": ${reason}` });
  });
});

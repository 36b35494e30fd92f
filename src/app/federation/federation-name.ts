import { InvalidInputError } from '../errors.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const DIGITS = /^[0-9]+$/;
export const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;

/** The name of a trusted issuer or trust policy: a short slug, never all digits (ids and names share one argument). */
export function parseFederationName(text: string, what: string): string {
  const name = text.trim();
  if (!NAME.test(name) || DIGITS.test(name)) {
    throw new InvalidInputError(`invalid ${what} name "${text.slice(0, 80)}": use 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit, not only digits`);
  }
  return name;
}

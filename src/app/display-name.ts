import { InvalidInputError } from './errors.js';

const MAX_NAME_LENGTH = 255;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The name an operator gives a deploy token or admin key: trimmed, 1 to 255 printable characters. */
export function parseDisplayName(text: string): string {
  const name = text.trim();
  if (name === '' || name.length > MAX_NAME_LENGTH || CONTROL_CHARACTERS.test(name)) {
    throw new InvalidInputError(`name must be 1 to ${MAX_NAME_LENGTH} printable characters`);
  }
  return name;
}

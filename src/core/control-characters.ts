/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts a sequence, CR rewrites the
 * line), DEL, C1 controls (CSI), the line and paragraph separators, and the bidi controls that reorder
 * what a reader sees (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0');

/** `text` with each such character written as a visible escape: `\x1b`, `\r` as `\x0d`, `\u202e`. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTER, (character) => {
    const code = character.charCodeAt(0);
    return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

/** The same but C0, which JSON.stringify escapes in strings already, and which outside them is layout. */
const CONTROL_CHARACTER_JSON_LEAVES_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from JSON.stringify) with DEL, C1, the separators and the bidi controls as `\u` escapes.
 * JSON has them only inside strings, so the text parses to the same value.
 */
export function escapeControlCharactersInJson(json: string): string {
  return json.replace(CONTROL_CHARACTER_JSON_LEAVES_RAW, (character) => `\\u${hex(character.charCodeAt(0), 4)}`);
}

import { escapeControlCharacters, escapeControlCharactersInJson } from '../../../src/core/control-characters.js';

describe('escapeControlCharacters', () => {
  test.each<[string, string, string]>([
    ['ESC of a clear-screen sequence', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['carriage return, newline, tab, NUL', '\r\n\t\u0000', '\\x0d\\x0a\\x09\\x00'],
    ['DEL', 'a\u007fb', 'a\\x7fb'],
    ['C1 controls: CSI and NEL', '\u009b2J\u0085', '\\x9b2J\\x85'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['bidi embeddings and overrides', '\u202a\u202b\u202c\u202d\u202e', '\\u202a\\u202b\\u202c\\u202d\\u202e'],
    ['bidi isolates', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['bidi marks', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
    ['printable text, accents and emoji', 'ci.bot café 日本 🐳 ~', 'ci.bot café 日本 🐳 ~'],
  ])('%s', (_what, text, expected) => {
    expect(escapeControlCharacters(text)).toBe(expected);
  });

  test('the result holds no character a terminal acts on', () => {
    const every = Array.from({ length: 0x2070 }, (_, code) => String.fromCharCode(code)).join('');
    expect(escapeControlCharacters(every)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/);
  });
});

describe('escapeControlCharactersInJson', () => {
  const value = { name: 'a\u001b[2J\r\u007f\u009b\u2028\u202e\u2066\u061c z', list: ['\u200f', 'plain'] };

  test('the JSON parses to the same value and holds no raw control character, its layout kept', () => {
    const json = escapeControlCharactersInJson(JSON.stringify(value, null, 2));
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/);
    expect(json.split('\n')).toHaveLength(7);
  });
});

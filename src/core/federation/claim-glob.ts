/**
 * Glob matching of a claim value without regular expressions, so that a value from an identity token cannot
 * make it backtrack. A `*` stands for any run of characters but `/` and `:`, so every `/` and `:` of the
 * value must meet the same separator, in the same place, in the pattern: both are cut at their separators
 * and compared piece by piece. Within a piece the technique is glob-match.ts's: the literals around the
 * stars are found left to right, each at its leftmost place, which reads the value once (O(n + m)).
 */

/** Whether `value` matches `pattern` as a whole. */
export function claimGlobMatches(pattern: string, value: string): boolean {
  const patternParts = partsOf(pattern);
  const valueParts = partsOf(value);
  if (patternParts.pieces.length !== valueParts.pieces.length) return false;
  if (patternParts.separators !== valueParts.separators) return false;
  return patternParts.pieces.every((piece, i) => pieceMatches(piece.split('*'), valueParts.pieces[i] as string));
}

interface Parts {
  readonly pieces: readonly string[];
  /** The separators in order, e.g. `/:` for `a/b:c`. */
  readonly separators: string;
}

function partsOf(text: string): Parts {
  const pieces: string[] = [];
  let separators = '';
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const character = text[i];
    if (character === '/' || character === ':') {
      pieces.push(text.slice(start, i));
      separators += character;
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return { pieces, separators };
}

/** `literals` are the pattern piece's text between its stars; one literal means no star. */
function pieceMatches(literals: readonly string[], text: string): boolean {
  const first = literals[0] as string;
  if (literals.length === 1) return text === first;
  const last = literals[literals.length - 1] as string;
  const end = text.length - last.length;
  if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let position = first.length;
  for (let i = 1; i < literals.length - 1; i += 1) {
    const literal = literals[i] as string;
    const found = text.indexOf(literal, position);
    if (found < 0 || found + literal.length > end) return false;
    position = found + literal.length;
  }
  return true;
}

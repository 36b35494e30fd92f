/**
 * Glob matching over `/`-separated names without regular expressions, so that a client-chosen name cannot
 * make it backtrack. In a pattern, `*` inside a component stands for any characters but `/` and a `**`
 * component for one or more components. A name with an empty component (`a//b`, `/a`, `a/`) is no
 * repository name and matches no pattern: with every component non-empty, a gap may skip any of them,
 * which is what makes the leftmost placement below right.
 *
 * Cost, for a name of n characters and a pattern of m: O(n + m) when the pattern has at most one `**`
 * component (the usual kinds: `team/**`, or `**` before or between fixed components), whatever its stars.
 * Each further `**` leaves a run of the pattern between two of them that slides over the name once, tried
 * at each start until it fits: O(n × k) for a run of k characters, and k is fixed by whoever wrote the
 * pattern (at most 255), never by the client. Nothing here grows with the number of stars or backtracks.
 */

const ANY_DEPTH = '**';

/** The literal pieces of one pattern component around its stars, or null for any one component. */
type ComponentGlob = readonly string[] | null;

/** Whether `name` matches `pattern` as a whole. */
export function globMatches(pattern: string, name: string): boolean {
  const components = name.split('/');
  if (components.includes('')) return false;
  const segments = segmentsOf(pattern);
  const first = segments[0] as ComponentGlob[];
  if (segments.length === 1) return components.length === first.length && segmentMatchesAt(first, components, 0);

  const last = segments[segments.length - 1] as ComponentGlob[];
  const lastStart = components.length - last.length;
  if (lastStart < first.length) return false;
  if (!segmentMatchesAt(first, components, 0) || !segmentMatchesAt(last, components, lastStart)) return false;
  // Between the anchored ends each segment has a fixed number of components, so its leftmost fit leaves
  // the most room for the segments after it: if any placement matches, the leftmost ones do.
  let next = first.length;
  for (const segment of segments.slice(1, -1)) {
    let start = next;
    while (start + segment.length <= lastStart && !segmentMatchesAt(segment, components, start)) start += 1;
    if (start + segment.length > lastStart) return false;
    next = start + segment.length;
  }
  return true;
}

/**
 * Splits a pattern at its gaps. A `**` is read as one any-component followed by a gap of zero or more
 * components, so the components `a`, `**`, `b` are the segments [a, any] and [b] with a gap between them.
 */
function segmentsOf(pattern: string): ComponentGlob[][] {
  const segments: ComponentGlob[][] = [[]];
  for (const component of pattern.split('/')) {
    const current = segments[segments.length - 1] as ComponentGlob[];
    if (component === ANY_DEPTH) {
      current.push(null);
      segments.push([]);
    } else {
      current.push(component.split('*'));
    }
  }
  return segments;
}

function segmentMatchesAt(segment: readonly ComponentGlob[], components: readonly string[], start: number): boolean {
  for (let i = 0; i < segment.length; i += 1) {
    if (!componentMatches(segment[i] as ComponentGlob, components[start + i] as string)) return false;
  }
  return true;
}

/**
 * The first piece is anchored at the start, the last at the end, and each piece between is taken at its
 * leftmost place after the one before, which leaves the most room for the rest. Every search starts where
 * the previous piece ended, so the component is read once, left to right (indexOf is linear: V8 falls back
 * to Boyer-Moore when a simple scan goes badly).
 */
function componentMatches(glob: ComponentGlob, text: string): boolean {
  if (glob === null) return true;
  const first = glob[0] as string;
  if (glob.length === 1) return text === first;
  const last = glob[glob.length - 1] as string;
  const end = text.length - last.length;
  if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let position = first.length;
  for (let i = 1; i < glob.length - 1; i += 1) {
    const piece = glob[i] as string;
    const found = text.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+)(ms|s|m|h|d)/gy;

/**
 * Milliseconds in a duration such as `0`, `90s`, `15m`, `1h30m` or `2d`: one or more whole numbers, each
 * followed by a unit (ms, s, m, h, d), largest first is not required. A bare `0` is allowed; other bare
 * numbers are not, since their unit would be a guess. Null when the text is not such a duration.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (trimmed === '') return null;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(trimmed); match !== null; match = PART.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    consumed = PART.lastIndex;
  }
  return consumed === trimmed.length && Number.isSafeInteger(total) ? total : null;
}

/** A duration in the largest units that divide it exactly, e.g. 5_400_000 → `1h30m`; 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS).reverse()) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

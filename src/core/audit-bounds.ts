/** Longest text kept in an audit record; longer text is cut and ends with `…`. */
export const MAX_AUDIT_TEXT = 256;

/** Items kept of one list in an audit record's details (granted, refused scopes …). */
export const MAX_AUDIT_LIST_ITEMS = 16;

/** Characters (as JSON) one list of an audit record's details may take; the items past it are counted, not kept. */
export const MAX_AUDIT_LIST_CHARS = 1_024;

/** Nesting kept below a detail; deeper values are replaced by a marker. */
const MAX_DEPTH = 4;

/**
 * An audit record's details cut to a bounded size: a token request may carry 256 scopes of 512 characters,
 * anonymously, and each record is both a row and a log line. Texts are cut, and each top-level list keeps
 * its first items within MAX_AUDIT_LIST_ITEMS and MAX_AUDIT_LIST_CHARS, with `<name>Omitted` counting the rest.
 */
export function boundAuditDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (!Array.isArray(value)) {
      bounded[key] = boundValue(value, 1);
      continue;
    }
    const kept = keptItems(value);
    bounded[key] = kept;
    if (kept.length < value.length) bounded[`${key}Omitted`] = value.length - kept.length;
  }
  return bounded;
}

export function boundAuditText(text: string): string;
export function boundAuditText(text: string | null): string | null;
export function boundAuditText(text: string | null): string | null {
  return text === null || text.length <= MAX_AUDIT_TEXT ? text : `${text.slice(0, MAX_AUDIT_TEXT - 1)}…`;
}

function keptItems(items: readonly unknown[]): unknown[] {
  const kept: unknown[] = [];
  let chars = 0;
  for (const item of items.slice(0, MAX_AUDIT_LIST_ITEMS)) {
    const bounded = boundValue(item, 1);
    chars += (JSON.stringify(bounded) ?? '').length + 1;
    if (chars > MAX_AUDIT_LIST_CHARS) break;
    kept.push(bounded);
  }
  return kept;
}

function boundValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return boundAuditText(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_AUDIT_LIST_ITEMS).map((item) => boundValue(item, depth + 1));
    return value.length > MAX_AUDIT_LIST_ITEMS ? [...kept, `… ${value.length - MAX_AUDIT_LIST_ITEMS} more`] : kept;
  }
  const bounded: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value).slice(0, MAX_AUDIT_LIST_ITEMS)) bounded[key] = boundValue(entry, depth + 1);
  return bounded;
}

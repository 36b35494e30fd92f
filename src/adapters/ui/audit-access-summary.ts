/**
 * What a token request was granted and refused, in words ("pull, push team/app"), from an audit event's
 * details. The details are stored JSON, so every field is checked rather than trusted.
 */
export function auditAccessSummary(details: Readonly<Record<string, unknown>>): string {
  const granted = accessText(details.granted);
  const refused = accessText(details.refused);
  const parts = [granted === null ? null : `granted ${granted}`, refused === null ? null : `refused ${refused}`].filter((part) => part !== null);
  if (parts.length > 0) return parts.join('; ');
  return Array.isArray(details.granted) ? 'login only (no repository asked for)' : '';
}

function accessText(entries: unknown): string | null {
  if (!Array.isArray(entries)) return null;
  const texts = entries.flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { type, name, actions } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !Array.isArray(actions)) return [];
    const actionText = actions.filter((action): action is string => typeof action === 'string').join(', ');
    const subject = type === 'repository' || type === undefined ? name : `${String(type)} ${name}`;
    return [`${actionText} ${subject}`];
  });
  return texts.length === 0 ? null : texts.join('; ');
}

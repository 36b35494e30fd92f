/** Each scope in plain words: what it lets a client do. */
export const SCOPE_WORDS: Readonly<Record<string, string>> = {
  read_registry: 'pull images',
  write_registry: 'pull and push images',
  delete_registry: 'delete images (and pull)',
  read_catalog: 'list repositories',
};

export function scopeText(scopes: readonly string[]): string {
  return scopes.map((scope) => SCOPE_WORDS[scope] ?? scope).join(', ');
}

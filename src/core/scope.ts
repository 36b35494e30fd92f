import { RegauthError } from './regauth-error.js';
import { isValidResourceName } from './resource-name.js';

/** One `resourcetype[(class)]:name:action[,action…]` item of a token request. */
export interface ResourceScope {
  readonly type: string;
  readonly resourceClass?: string;
  readonly name: string;
  readonly actions: readonly string[];
}

export class ScopeSyntaxError extends RegauthError {
  readonly code = 'invalid_scope';

  constructor(
    readonly scope: string,
    readonly reason: string,
  ) {
    super(`invalid scope "${abbreviate(scope)}": ${reason}`);
    this.name = 'ScopeSyntaxError';
  }
}

/**
 * Scopes one request may carry, counted before merging. Clients ask one or two per repository they touch
 * (BuildKit gathers the repositories of a whole build, with its cache imports and exports, in one request),
 * so this is far above any real client and only bounds the work a single request can cause.
 */
export const MAX_SCOPES_PER_REQUEST = 256;

/** Longer than any scope the grammar can give: a type and class, a name of at most 255 characters, actions. */
export const MAX_SCOPE_LENGTH = 512;

export class TooManyScopesError extends RegauthError {
  readonly code = 'invalid_scope';

  constructor(readonly count: number) {
    super(`too many scopes: ${count} in one request, at most ${MAX_SCOPES_PER_REQUEST}`);
    this.name = 'TooManyScopesError';
  }
}

const RESOURCE_TYPE = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?$/;
const ACTION = /^(?:[a-z]+|\*)$/;
const SCOPE_SEPARATOR = / +/;

/**
 * Parses one resource scope. The name may itself hold one `:` (a `host:port` prefix), so the type ends at
 * the first `:` and the actions start after the last one.
 */
export function parseScope(text: string): ResourceScope {
  if (text.length > MAX_SCOPE_LENGTH) throw new ScopeSyntaxError(text, `longer than ${MAX_SCOPE_LENGTH} characters`);
  const firstColon = text.indexOf(':');
  const lastColon = text.lastIndexOf(':');
  if (firstColon < 0 || firstColon === lastColon) {
    throw new ScopeSyntaxError(text, 'expected resourcetype:name:action[,action]');
  }
  const typeMatch = RESOURCE_TYPE.exec(text.slice(0, firstColon));
  if (!typeMatch) {
    throw new ScopeSyntaxError(text, 'resource type must be lowercase letters and digits, optionally with a (class)');
  }
  const name = text.slice(firstColon + 1, lastColon);
  if (!isValidResourceName(name)) {
    throw new ScopeSyntaxError(text, 'resource name is not a valid repository name');
  }
  const actions = uniqueActions(text.slice(lastColon + 1).split(','), text);
  const [, type, resourceClass] = typeMatch;
  return resourceClass === undefined
    ? { type: type as string, name, actions }
    : { type: type as string, resourceClass, name, actions };
}

/**
 * Parses the `scope` values of one token request: GET clients repeat the parameter, POST clients join
 * scopes with spaces in one value, and some put spaces inside a repeated value too. Scopes naming the same
 * resource are merged. More than MAX_SCOPES_PER_REQUEST scopes are refused before any is parsed.
 */
export function parseScopeParameters(values: readonly string[]): ResourceScope[] {
  const scopes = values.flatMap((value) => value.split(SCOPE_SEPARATOR)).filter((item) => item !== '');
  if (scopes.length > MAX_SCOPES_PER_REQUEST) throw new TooManyScopesError(scopes.length);
  return mergeScopes(scopes.map(parseScope));
}

export function formatScope(scope: ResourceScope): string {
  const type = scope.resourceClass === undefined ? scope.type : `${scope.type}(${scope.resourceClass})`;
  return `${type}:${scope.name}:${scope.actions.join(',')}`;
}

/** Merges scopes on (type, name), keeping the first-seen order of resources and actions. */
export function mergeScopes(scopes: readonly ResourceScope[]): ResourceScope[] {
  const merged = new Map<string, { scope: ResourceScope; actions: Set<string> }>();
  for (const scope of scopes) {
    const key = `${scope.type}\u0000${scope.name}`;
    const existing = merged.get(key);
    if (existing) {
      for (const action of scope.actions) existing.actions.add(action);
    } else {
      merged.set(key, { scope, actions: new Set(scope.actions) });
    }
  }
  return [...merged.values()].map(({ scope, actions }) => ({ ...scope, actions: [...actions] }));
}

function uniqueActions(items: readonly string[], scope: string): string[] {
  const actions = new Set<string>();
  for (const item of items) {
    if (item === '') continue;
    if (!ACTION.test(item)) throw new ScopeSyntaxError(scope, `action "${abbreviate(item)}" is not lowercase letters or *`);
    actions.add(item);
  }
  return [...actions];
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// Repository name grammar of the distribution spec (docs/spec/auth/scope.md, reference grammar).
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOSTNAME = `${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*(?::[0-9]+)?`;

const REPOSITORY_PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const RESOURCE_NAME = new RegExp(`^(?:${HOSTNAME}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

export const MAX_NAME_LENGTH = 255;

/** A repository path inside the registry, e.g. `team/app`: lowercase components joined by `/`. */
export function isValidRepositoryPath(text: string): boolean {
  return text.length <= MAX_NAME_LENGTH && REPOSITORY_PATH.test(text);
}

/** A resource name as clients send it in a scope: a repository path, optionally behind `host[:port]/`. */
export function isValidResourceName(text: string): boolean {
  return text.length <= MAX_NAME_LENGTH && RESOURCE_NAME.test(text);
}

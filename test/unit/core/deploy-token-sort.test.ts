import { DeployTokenSortError, deployTokenSortText, parseDeployTokenSort } from '../../../src/core/deploy-token-sort.js';

describe('parseDeployTokenSort', () => {
  test.each([
    ['name', { field: 'name', direction: 'asc' }],
    ['expires:desc', { field: 'expires', direction: 'desc' }],
    ['lastUsed:asc', { field: 'lastUsed', direction: 'asc' }],
    ['created:desc', { field: 'created', direction: 'desc' }],
  ])('%s', (text, expected) => {
    expect(parseDeployTokenSort(text)).toStrictEqual(expected);
    expect(parseDeployTokenSort(deployTokenSortText(parseDeployTokenSort(text)))).toStrictEqual(expected);
  });

  test.each(['', 'secret', 'name:up', 'name:asc:x', 'Name', 'expires:DESC'])('refuses %j with the choices', (text) => {
    expect(() => parseDeployTokenSort(text)).toThrow(DeployTokenSortError);
    expect(() => parseDeployTokenSort(text)).toThrow(/use name, created, expires, lastUsed/);
  });
});

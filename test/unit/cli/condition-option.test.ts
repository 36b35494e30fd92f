import { parseConditionOption } from '../../../src/cli/condition-option.js';
import { CliError } from '../../../src/cli/keys-command.js';
import { seconds } from '../../../src/cli/seconds-option.js';

describe('--condition', () => {
  test.each<[string, { claim: string; operator: string; values: string[] }]>([
    ['repository_owner_id=1234', { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] }],
    ['ref=refs/heads/a=b', { claim: 'ref', operator: 'eq', values: ['refs/heads/a=b'] }],
    ['environment in prod, staging', { claim: 'environment', operator: 'in', values: ['prod', 'staging'] }],
    ['repository glob acme/*', { claim: 'repository', operator: 'glob', values: ['acme/*'] }],
    ['kubernetes.io/namespace=ci', { claim: 'kubernetes.io/namespace', operator: 'eq', values: ['ci'] }],
    ['workflow=deploy in prod', { claim: 'workflow', operator: 'eq', values: ['deploy in prod'] }],
    ['ref in a=b,c', { claim: 'ref', operator: 'in', values: ['a=b', 'c'] }],
  ])('%j', (text, expected) => {
    expect(parseConditionOption(text)).toEqual(expected);
  });

  test.each(['no operator', '=value', ' in a'])('%j is refused', (text) => {
    expect(() => parseConditionOption(text)).toThrow(CliError);
  });
});

describe('seconds options', () => {
  test.each<[string, number]>([
    ['60', 60],
    ['0', 0],
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
  ])('%s is %d s', (text, expected) => {
    expect(seconds(text, '--leeway')).toBe(expected);
  });

  test.each(['soon', '1.5', '1500ms', '-1'])('%s is refused', (text) => {
    expect(() => seconds(text, '--leeway')).toThrow(`invalid --leeway "${text}"`);
  });
});

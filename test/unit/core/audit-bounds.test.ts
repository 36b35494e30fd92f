import { boundAuditDetails, boundAuditText, MAX_AUDIT_LIST_CHARS, MAX_AUDIT_LIST_ITEMS, MAX_AUDIT_TEXT } from '../../../src/core/audit-bounds.js';

const entry = (name: string, actions: string[] = ['pull']) => ({ type: 'repository', name, actions });

describe('boundAuditDetails', () => {
  test('leaves ordinary details as they are', () => {
    const details = { granted: [entry('team/app')], refused: [], grant: 'password', jti: 'abc', refreshTokenIssued: true };
    expect(boundAuditDetails(details)).toStrictEqual(details);
  });

  test('keeps the first items of a long list and counts the rest', () => {
    const refused = Array.from({ length: 40 }, (_, index) => entry(`team/app-${index}`));
    const bounded = boundAuditDetails({ refused });
    expect(bounded.refused).toStrictEqual(refused.slice(0, MAX_AUDIT_LIST_ITEMS));
    expect(bounded.refusedOmitted).toBe(40 - MAX_AUDIT_LIST_ITEMS);
  });

  test('keeps a list within its characters, however long its items', () => {
    const refused = Array.from({ length: 256 }, (_, index) => entry(`${index}/${'a'.repeat(500)}`, ['x'.repeat(500)]));
    const bounded = boundAuditDetails({ refused });
    expect(JSON.stringify(bounded.refused).length).toBeLessThanOrEqual(MAX_AUDIT_LIST_CHARS + 2);
    expect((bounded.refused as unknown[]).length + (bounded.refusedOmitted as number)).toBe(256);
  });

  test('cuts long texts, at any depth, and nested lists', () => {
    const bounded = boundAuditDetails({ clientId: 'c'.repeat(5_000), nested: { deeper: ['d'.repeat(1_000), ...Array(30).fill('e')] } });
    expect(bounded.clientId).toBe(`${'c'.repeat(MAX_AUDIT_TEXT - 1)}…`);
    const deeper = (bounded.nested as { deeper: string[] }).deeper;
    expect(deeper[0]).toHaveLength(MAX_AUDIT_TEXT);
    expect(deeper).toHaveLength(MAX_AUDIT_LIST_ITEMS + 1);
    expect(deeper.at(-1)).toBe(`… ${31 - MAX_AUDIT_LIST_ITEMS} more`);
  });

  test('boundAuditText keeps null and short text', () => {
    expect(boundAuditText(null)).toBeNull();
    expect(boundAuditText('10.0.0.1')).toBe('10.0.0.1');
  });
});

import { registryBundleState } from '../../../../src/adapters/ui/registry-bundle-state.js';
import type { KeySummary } from '../../../../src/adapters/ui/signing-key-summary.js';

function key(keyId: string, status: string, activatesAt: string): KeySummary {
  return { keyId, status, activatesAt, thumbprint: `t-${keyId}`, algorithm: 'RS256', certificateExpiresAt: '2036-01-01T00:00:00.000Z' };
}

describe('registryBundleState', () => {
  test.each([
    ['no keys', [], { kind: 'current', keyId: null }],
    ['one signing key', [key('A', 'signing', '2026-01-01T00:00:00.000Z')], { kind: 'current', keyId: 'A' }],
    [
      'a retired and a signing key',
      [key('A', 'retired', '2026-01-01T00:00:00.000Z'), key('B', 'signing', '2026-02-01T00:00:00.000Z')],
      { kind: 'current', keyId: 'B' },
    ],
    [
      'a key waiting to sign',
      [key('A', 'signing', '2026-01-01T00:00:00.000Z'), key('B', 'next', '2026-03-01T00:00:00.000Z')],
      { kind: 'handover-due', keyId: 'B', activatesAt: '2026-03-01T00:00:00.000Z' },
    ],
    [
      'two waiting: the earlier activation is the deadline',
      [key('C', 'next', '2026-04-01T00:00:00.000Z'), key('A', 'signing', '2026-01-01T00:00:00.000Z'), key('B', 'next', '2026-03-01T00:00:00.000Z')],
      { kind: 'handover-due', keyId: 'B', activatesAt: '2026-03-01T00:00:00.000Z' },
    ],
  ] as const)('%s', (_label, keys, expected) => {
    expect(registryBundleState(keys)).toEqual(expected);
  });
});

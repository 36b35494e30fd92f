import fc from 'fast-check';
import { clientAddressGroup } from '../../../src/core/client-address-group.js';

describe('clientAddressGroup', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['', 'unknown'],
    // Not an address: kept as it is (lowercased), so it still names one client.
    ['2001:db8:::1', '2001:db8:::1'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
    ['12345::1', '12345::1'],
    ['unknown-host', 'unknown-host'],
  ])('%s → %s', (address, group) => {
    expect(clientAddressGroup(address)).toBe(group);
  });

  test('every address of one /64 has the same group, and addresses of different /64s have different groups', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.array(group, { minLength: 4, maxLength: 4 }), (address, otherHost) => {
        const full = address.map((part) => part.toString(16)).join(':');
        const sameNetwork = [...address.slice(0, 4), ...otherHost].map((part) => part.toString(16)).join(':');
        expect(clientAddressGroup(full)).toBe(clientAddressGroup(sameNetwork));
        const otherNetwork = [...address.slice(0, 3), ((address[3] as number) + 1) % 0x10000, ...address.slice(4)].map((part) => part.toString(16)).join(':');
        if (!(address.slice(0, 5).every((part) => part === 0) && address[5] === 0xffff)) {
          expect(clientAddressGroup(full)).not.toBe(clientAddressGroup(otherNetwork));
        }
      }),
    );
  });
});

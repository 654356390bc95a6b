import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientNetwork } from './client-ip';

describe('clientNetwork', () => {
  it('keeps a whole IPv4 address', () => {
    expect(clientNetwork('203.0.113.7')).toBe('v4:203.0.113.7');
    expect(clientNetwork(' 10.0.0.1 ')).toBe('v4:10.0.0.1');
  });

  it('reduces IPv6 to its /64, however the address is written', () => {
    const full = clientNetwork('2001:0db8:0000:0042:0000:8a2e:0370:7334');
    expect(full).toBe('v6:2001:db8:0:42::/64');
    expect(clientNetwork('2001:db8:0:42::1')).toBe(full);
    expect(clientNetwork('2001:DB8:0:42:ffff::')).toBe(full);
    expect(clientNetwork('::1')).toBe('v6:0:0:0:0::/64');
  });

  it('treats IPv4-mapped IPv6 as the IPv4 client', () => {
    expect(clientNetwork('::ffff:198.51.100.4')).toBe('v4:198.51.100.4');
    expect(clientNetwork('::ffff:c633:6404')).toBe('v4:198.51.100.4');
  });

  it.each(['', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '::ffff:1.2.3.999', ':1:2:3:4:5:6:7'])(
    'refuses %j (no per-IP limit rather than a shared bucket)',
    (ip) => {
      expect(clientNetwork(ip)).toBeNull();
    },
  );

  it('gives no address for a missing header', () => {
    expect(clientNetwork(undefined)).toBeNull();
  });

  it('maps every spelling of an IPv6 address to its first four hextets', () => {
    const hextet = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.boolean(), (groups, upper) => {
        const written = groups.map((g) => g.toString(16));
        const full = written.join(':');
        // The longest run of zero groups, compressed to '::'.
        let best = { at: -1, len: 0 };
        for (let i = 0; i < 8; i++) {
          let j = i;
          while (j < 8 && groups[j] === 0) j++;
          if (j - i > best.len) best = { at: i, len: j - i };
        }
        const compressed =
          best.len > 1 ? `${written.slice(0, best.at).join(':')}::${written.slice(best.at + best.len).join(':')}` : full;
        const a = clientNetwork(full);
        const b = clientNetwork(upper ? compressed.toUpperCase() : compressed);
        expect(a).not.toBeNull();
        expect(b).toBe(a);
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        if (!mapped) expect(a).toBe(`v6:${written.slice(0, 4).join(':')}::/64`);
      }),
      { numRuns: 2_000 },
    );
  });
});

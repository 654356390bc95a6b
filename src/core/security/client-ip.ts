/**
 * The part of a client address that names one client for rate limiting: an IPv4 address, or the
 * /64 network of an IPv6 address (one subscriber usually holds a whole /64, so counting single
 * IPv6 addresses would let them rotate past any limit). Anything that does not parse is no
 * address at all — the caller skips the per-IP limit rather than lumping strangers together.
 * The result is hashed with a secret before it leaves the request (src/http/rate-limit.ts).
 */

export function clientNetwork(ip: string | undefined): string | null {
  if (ip === undefined) return null;
  const s = ip.trim();
  if (s.includes(':')) return ipv6Network(s);
  return ipv4(s);
}

function ipv4(s: string): string | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    octets.push(n);
  }
  return `v4:${octets.join('.')}`;
}

function ipv6Network(s: string): string | null {
  let text = s;
  // A trailing dotted quad (::ffff:192.0.2.1) stands for the last two hextets.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = ipv4(last);
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4.slice(3).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = hextets(halves[0] ?? '');
  const rest = hextets(halves[1] ?? '');
  if (!head || !rest) return null;
  const explicit = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  } else {
    if (explicit !== 8) return null;
    groups = head;
  }
  // IPv4-mapped addresses are IPv4 clients.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `v4:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `v6:${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

function hextets(part: string): number[] | null {
  if (part === '') return [];
  const out: number[] = [];
  for (const h of part.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(h)) return null;
    out.push(parseInt(h, 16));
  }
  return out;
}

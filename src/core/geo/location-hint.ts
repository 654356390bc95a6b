/**
 * Where a user's profile object should live. A Durable Object is created next to its first
 * caller and never moves; when the queue consumer (not the user's own request) creates it, we
 * pass the region the user's events came from so the object still lands near the user.
 */

export const LOCATION_HINTS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

export interface RequestGeo {
  /** Cloudflare continent code: AF, AN, AS, EU, NA, OC, SA. */
  readonly continent?: string;
  readonly country?: string;
  readonly longitude?: string;
}

/** Countries Cloudflare's `me` region serves better than `apac` / `eeur`. */
const MIDDLE_EAST = new Set(['AE', 'BH', 'IL', 'IQ', 'IR', 'JO', 'KW', 'LB', 'OM', 'PS', 'QA', 'SA', 'SY', 'TR', 'YE']);

export function locationHintFor(geo: RequestGeo): LocationHint | undefined {
  const lon = geo.longitude !== undefined && geo.longitude !== '' ? Number(geo.longitude) : NaN;
  if (geo.country !== undefined && MIDDLE_EAST.has(geo.country)) return 'me';
  switch (geo.continent) {
    case 'NA':
      return Number.isFinite(lon) && lon < -100 ? 'wnam' : 'enam';
    case 'SA':
      return 'sam';
    case 'EU':
      return Number.isFinite(lon) && lon > 20 ? 'eeur' : 'weur';
    case 'AS':
      return 'apac';
    case 'OC':
      return 'oc';
    case 'AF':
      return 'afr';
    default:
      return undefined;
  }
}

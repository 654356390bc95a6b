/** Profile key of a segment of one advertiser, e.g. `cart_abandoners@adv-acme`: segments are per advertiser. */
export function segmentKey(segment: string, advertiserId: string): string {
  return `${segment}@${advertiserId}`;
}

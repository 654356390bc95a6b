/**
 * The whole loop on the real runtime: bid → events through the real queue and consumer →
 * UserProfile DO → next bid. No platform mocks.
 */
import { describe, expect, it } from 'vitest';
import { bannerRequest, event, eventually, post, servedUser } from './helpers';

interface Bid {
  impid: string;
  price: number;
  crid: string;
  ext: { edgebid: { lineItemId: string } };
}
interface BidResponseBody {
  seatbid: { bid: Bid[] }[];
  ext: { edgebid: { profileSource: string; trace?: { slots: { lineItems: { lineItemId: string; outcome: string }[] }[] } } };
}

async function bidFor(userId: string): Promise<{ status: number; body: BidResponseBody | null; source: string | null }> {
  const res = await post('/openrtb2/bid', bannerRequest(userId, { ext: { edgebid: { explain: true } } }));
  return { status: res.status, body: res.status === 200 ? await res.json<BidResponseBody>() : null, source: res.headers.get('x-edgebid-profile-source') };
}

const winner = (body: BidResponseBody | null): Bid | undefined => body?.seatbid[0]?.bid[0];

describe('retargeting loop', () => {
  it('prospects a new user, retargets after add_to_cart, suppresses after purchase', async () => {
    const user = await servedUser('loop');

    const first = await bidFor(user);
    expect(first.status).toBe(200);
    expect(first.source).toBe('do');
    expect(winner(first.body)).toMatchObject({ impid: '1', price: 1.2, ext: { edgebid: { lineItemId: 'li-acme-prospecting' } } });

    expect((await post('/v1/events', { events: [event(user, 'add_to_cart', { productId: 'tent' })] })).status).toBe(202);
    const retargeted = await eventually('the retargeting line item to win', async () => {
      const r = await bidFor(user);
      return winner(r.body)?.ext.edgebid.lineItemId === 'li-acme-cart-retargeting' ? r : undefined;
    });
    // Base 2.50 CPM × 1.6 for cart abandoners.
    expect(winner(retargeted.body)).toMatchObject({ price: 4, crid: 'cr-acme-cart-300x250' });

    expect((await post('/v1/events', { events: [event(user, 'purchase', { value: 249 })] })).status).toBe(202);
    const suppressed = await eventually('retargeting to be suppressed', async () => {
      const r = await bidFor(user);
      return winner(r.body)?.ext.edgebid.lineItemId !== 'li-acme-cart-retargeting' ? r : undefined;
    });
    expect(winner(suppressed.body)?.ext.edgebid.lineItemId).toBe('li-acme-prospecting');
    const retargetingTrace = suppressed.body?.ext.edgebid.trace?.slots[0]?.lineItems.find((l) => l.lineItemId === 'li-acme-cart-retargeting');
    // The purchase ended the cart-abandoner membership too, so targeting fails before suppression is reached.
    expect(retargetingTrace?.outcome).toBe('no_targeting_match');
  });

  it('suppresses the advertiser for a user who converted while still a cart abandoner', async () => {
    const user = await servedUser('conv');
    // A `conversion` (not a purchase) keeps the cart-abandoner membership, so suppression is what stops the bid.
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart'), event(user, 'conversion')] })).status).toBe(202);
    const r = await eventually('the conversion to be applied', async () => {
      const res = await bidFor(user);
      const trace = res.body?.ext.edgebid.trace?.slots[0]?.lineItems.find((l) => l.lineItemId === 'li-acme-cart-retargeting');
      return trace?.outcome === 'suppressed_converted' ? res : undefined;
    });
    expect(winner(r.body)?.ext.edgebid.lineItemId).toBe('li-acme-prospecting');
  });
});
